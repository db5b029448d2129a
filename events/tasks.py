"""The events app's background work."""

from core.tasks import task

from .services import (
    commitment_digests_send,
    commitment_reminders_send,
    reminders_send_day_before,
    waiting_list_expire_offers,
)


@task()
def send_event_reminders() -> int:
    """Remind everyone registered for an event that starts tomorrow; safe to run twice (each
    reminder is recorded once, with its notification). Queued daily by `send_event_reminders`."""
    return reminders_send_day_before()


@task()
def process_waiting_lists() -> int:
    """Expire the places offered from waiting lists that were not confirmed in time and offer
    them to the next in line; safe to run twice. Queued every 15 minutes by
    `events_followup`."""
    return waiting_list_expire_offers()


@task()
def send_commitment_followups() -> dict:
    """Remind commitment owners before and after the due date, and send the followers' weekly
    digest; each reminder and digest is recorded once, so running it again sends nothing.
    Queued by `events_followup`."""
    return {"reminders": commitment_reminders_send(), "digests": commitment_digests_send()}
