"""Daily (cron or a systemd timer): queue the reminders before the open price round closes."""

from django.core.management.base import BaseCommand

from pricing.tasks import send_price_round_reminders


class Command(BaseCommand):
    help = "Queue the reminders to members who have not submitted prices before the open round closes (once per round)."

    def handle(self, *args, **options):
        result = send_price_round_reminders.enqueue()
        if result.is_finished:  # a backend that runs tasks at once (tests)
            self.stdout.write(f"price round reminders sent: {result.return_value}")
        else:
            self.stdout.write(f"price round reminders queued (task {result.id})")
