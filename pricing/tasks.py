"""The pricing app's background work."""

from core.tasks import task

from .services import price_round_send_reminders


@task()
def send_price_round_reminders() -> int:
    """Remind the members who have not submitted before the open round closes (once per
    round). Queued daily by `send_price_round_reminders`."""
    return price_round_send_reminders()
