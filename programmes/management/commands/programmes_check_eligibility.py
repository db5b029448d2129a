"""Daily (cron): re-checks every application waiting for a decision against today's data and
tells the estates staff once about each member who no longer qualifies (with the reasons)."""

from django.core.management.base import BaseCommand

from programmes.services import applications_check_eligibility


class Command(BaseCommand):
    help = "Flag applications whose member no longer meets the call's rules (staff are told once)."

    def handle(self, *args, **options):
        result = applications_check_eligibility()
        self.stdout.write(
            f"checked {result['checked']} applications: {result['flagged']} newly flagged, {result['cleared']} cleared"
        )
