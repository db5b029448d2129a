"""The members app's background work."""

from core.tasks import task

from .services import membership_lapse_due, membership_reminders_send


@task()
def check_membership_years() -> dict:
    """Daily: renewal reminders due today (once each per year and offset), then the automatic
    lapse of members whose grace period ran out (once per year). Safe to run twice or on two
    workers at once. Queued by `manage.py check_membership_years`."""
    reminders = membership_reminders_send()
    lapses = membership_lapse_due()
    return {
        "reminded": reminders["sent"],
        "lapsed": lapses["lapsed"],
        "skipped": reminders["skipped"] + lapses["skipped"],
    }
