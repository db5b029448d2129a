"""Every 15 minutes (cron or a systemd timer): queue the events app's periodic work for the
workers — expiring unconfirmed offers from waiting lists (the place passes to the next in
line), the commitment owners' reminders and the followers' weekly digest. Safe to run twice."""

from django.core.management.base import BaseCommand

from events.tasks import process_waiting_lists, send_commitment_followups


class Command(BaseCommand):
    help = (
        "Queue the waiting-list offers' expiry, the commitment owners' reminders and the followers' "
        "weekly digest (safe to run twice)."
    )

    def handle(self, *args, **options):
        for name, task in (("waiting lists", process_waiting_lists), ("commitments", send_commitment_followups)):
            result = task.enqueue()
            if result.is_finished:  # a backend that runs tasks at once (tests)
                self.stdout.write(f"{name}: {result.return_value}")
            else:
                self.stdout.write(f"{name} queued (task {result.id})")
