"""The showcase's background work."""

import datetime

from core.tasks import task

from .services import box_code_scans_flush


@task()
def flush_scan_counts(code_id: int, month: str) -> int:
    """Writes a box code's scans waiting in the shared cache for a month (ISO date of its first
    day) to the database; safe to run twice or on two workers at once (each waiting scan is
    taken once). Queued by showcase.services.box_code_scan_count."""
    return box_code_scans_flush(code_id=code_id, month=datetime.date.fromisoformat(month))
