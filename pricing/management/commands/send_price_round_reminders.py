from django.core.management.base import BaseCommand

from pricing.services import price_round_send_reminders


class Command(BaseCommand):
    help = (
        "Remind members who have not submitted prices before the open round closes (once per round; run daily by cron)."
    )

    def handle(self, *args, **options):
        sent = price_round_send_reminders()
        self.stdout.write(f"price round reminders sent: {sent}")
