"""The permits app's background work."""

from core.tasks import task

from .services import case_escalations_send, permit_reminders_send
from .summary import refresh_unless_current as summary_refresh


@task()
def send_permit_reminders() -> dict:
    """The permit-expiry reminders due today; safe to run twice or on two workers at once
    (each reminder is recorded once). Queued daily by `send_permit_reminders`."""
    return permit_reminders_send()


@task()
def escalate_overdue_cases() -> dict:
    """Tells estates staff of each case past its issuer's legal response time, once per step;
    safe to run twice or on two workers at once. Queued daily by `escalate_overdue_cases`."""
    return case_escalations_send()


@task()
def refresh_staff_dashboard_summary() -> str:
    """Computes the staff dashboard's figures and stores them unless those stored are current
    (permits.summary); safe to run twice or on two workers at once. Queued after writes to the
    permits tables and daily by `send_permit_reminders`."""
    return str(summary_refresh())
