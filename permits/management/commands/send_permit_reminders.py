"""Daily (cron): reminders before permits expire, at each type's offsets; estates staff too at
7 and 0 days. Safe to run twice, or on two servers at once: nothing is sent twice."""

from django.core.management.base import BaseCommand

from permits.services import permit_reminders_send


class Command(BaseCommand):
    help = "Send the permit-expiry reminders due today (idempotent)."

    def handle(self, *args, **options):
        permit_reminders_send(stdout=self.stdout)
