"""Daily (cron or a systemd timer): queue the escalation of permit cases that waited at an
issuer's step past its legal response time. Safe to run twice, or on two servers at once: each
case step is escalated once."""

from django.core.management.base import BaseCommand

from permits.tasks import escalate_overdue_cases


class Command(BaseCommand):
    help = "Queue the escalation of permit cases past their legal response time (idempotent)."

    def handle(self, *args, **options):
        result = escalate_overdue_cases.enqueue()
        if result.is_finished:  # a backend that runs tasks at once (tests)
            counts = result.return_value
            self.stdout.write(f"permit cases escalated: {counts['escalated']}, {counts['skipped']} already escalated")
        else:
            self.stdout.write(f"permit case escalations queued (task {result.id})")
