"""Background work of the plan app."""

from core.tasks import task


@task()
def store_last_quarter() -> int:
    """Store the last finished quarter's indicators (safe to run twice: what is stored stays)."""
    from .quarters import current
    from .services import quarter_store

    return len(quarter_store(quarter=current().previous()))
