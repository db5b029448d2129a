"""Daily (cron or a systemd timer): queue the reminders of tomorrow's events for the workers."""

from django.core.management.base import BaseCommand

from events.tasks import send_event_reminders


class Command(BaseCommand):
    help = "Queue the reminders for everyone registered for an event that starts tomorrow (safe to run twice)."

    def handle(self, *args, **options):
        result = send_event_reminders.enqueue()
        if result.is_finished:  # a backend that runs tasks at once (tests)
            self.stdout.write(f"event reminders sent: {result.return_value}")
        else:
            self.stdout.write(f"event reminders queued (task {result.id})")
