"""The events app's background work."""

from core.tasks import task

from .services import reminders_send_day_before


@task()
def send_event_reminders() -> int:
    """Remind everyone registered for an event that starts tomorrow; safe to run twice (each
    reminder is recorded once, with its notification). Queued daily by `send_event_reminders`."""
    return reminders_send_day_before()
