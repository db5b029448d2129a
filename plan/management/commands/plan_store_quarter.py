"""Stores the indicators of the last finished Jalali quarter (cron, e.g. daily: a second run
stores nothing new, and what is stored is never changed)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from plan.quarters import Quarter, current
from plan.services import quarter_store


class Command(BaseCommand):
    help = "Store the indicators of a finished quarter (default: the last one) once."

    def add_arguments(self, parser):
        parser.add_argument("--quarter", help="a Jalali quarter such as 1405-2 (default: the last finished one)")

    def handle(self, *args, quarter=None, **options):
        try:
            chosen = Quarter.parse(quarter) if quarter else current().previous()
        except ValueError:
            raise CommandError(f"Not a quarter: {quarter!r} (write it as 1405-2)") from None
        try:
            made = quarter_store(quarter=chosen)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"{chosen.key}: {len(made)} indicators stored")
