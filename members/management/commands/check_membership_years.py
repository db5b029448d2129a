"""Daily (cron or a systemd timer): queue the membership-year check — renewal reminders before a
year ends (MEMBERSHIP_REMINDER_DAYS) and the automatic lapse MEMBERSHIP_GRACE_DAYS after it.
Safe to run twice, or on two servers at once: nothing is sent or lapsed twice."""

from django.core.management.base import BaseCommand

from members.tasks import check_membership_years


class Command(BaseCommand):
    help = "Queue the membership renewal reminders and automatic lapses due today (idempotent)."

    def handle(self, *args, **options):
        result = check_membership_years.enqueue()
        if result.is_finished:  # a backend that runs tasks at once (tests)
            counts = result.return_value
            self.stdout.write(
                f"membership years: {counts['reminded']} reminders, {counts['lapsed']} lapsed, "
                f"{counts['skipped']} already done"
            )
        else:
            self.stdout.write(f"membership-year check queued (task {result.id})")
