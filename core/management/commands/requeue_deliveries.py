"""Every few minutes (cron or a systemd timer): mark e-mail and SMS sends interrupted by a
worker that died mid-send ("outcome unknown", never sent again) and queue again the deliveries
whose task was lost. Safe to run at any time, on any server."""

from django.core.management.base import BaseCommand

from core.notifications import deliveries_requeue


class Command(BaseCommand):
    help = "Mark interrupted e-mail/SMS sends and queue again the deliveries whose task was lost."

    def handle(self, *args, **options):
        result = deliveries_requeue()
        self.stdout.write(f"deliveries: {result['interrupted']} interrupted, {result['requeued']} queued again")
