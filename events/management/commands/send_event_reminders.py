from django.core.management.base import BaseCommand

from events.services import reminders_send_day_before


class Command(BaseCommand):
    help = "Remind everyone registered for an event that starts tomorrow (safe to run twice)."

    def handle(self, *args, **options):
        sent = reminders_send_day_before()
        self.stdout.write(f"event reminders sent: {sent}")
