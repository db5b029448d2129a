"""Daily (cron or a systemd timer): queue the reminders before permits expire, at each type's
offsets; estates staff too at 7 and 0 days. Safe to run twice, or on two servers at once:
nothing is sent twice. Also queues a fresh computation of the staff dashboard's figures for
the day (permits.summary)."""

from django.core.management.base import BaseCommand

from permits.tasks import refresh_staff_dashboard_summary, send_permit_reminders


class Command(BaseCommand):
    help = "Queue the permit-expiry reminders due today (idempotent)."

    def handle(self, *args, **options):
        refresh_staff_dashboard_summary.enqueue()
        result = send_permit_reminders.enqueue()
        if result.is_finished:  # a backend that runs tasks at once (tests)
            counts = result.return_value
            self.stdout.write(
                f"permit reminders: {counts['member']} to members, {counts['staff']} to staff, "
                f"{counts['skipped']} already sent"
            )
        else:
            self.stdout.write(f"permit reminders queued (task {result.id})")
