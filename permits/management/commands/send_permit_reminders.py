"""Daily (cron or a systemd timer): queue the reminders before permits expire, at each type's
offsets; estates staff too at 7 and 0 days. Safe to run twice, or on two servers at once:
nothing is sent twice."""

from django.core.management.base import BaseCommand

from permits.tasks import send_permit_reminders


class Command(BaseCommand):
    help = "Queue the permit-expiry reminders due today (idempotent)."

    def handle(self, *args, **options):
        result = send_permit_reminders.enqueue()
        if result.is_finished:  # a backend that runs tasks at once (tests)
            counts = result.return_value
            self.stdout.write(
                f"permit reminders: {counts['member']} to members, {counts['staff']} to staff, "
                f"{counts['skipped']} already sent"
            )
        else:
            self.stdout.write(f"permit reminders queued (task {result.id})")
