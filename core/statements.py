"""Values read back from a hand-written statement (docs/CONVENTIONS.md), the same on SQLite and
PostgreSQL: SQLite answers a JSON column as text, and a datetime as naive UTC or, from an
aggregate (MIN, MAX), as text."""

import datetime
import json

from django.utils import timezone
from django.utils.dateparse import parse_datetime


def aware_datetime(value):
    """A datetime column's value, aware (None stays None)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def placeholders(count: int) -> str:
    """`count` parameter marks for an `IN (...)` list: "%s, %s, …"."""
    return ", ".join(["%s"] * count)


def json_value(value):
    """A JSON column's value, decoded (PostgreSQL's driver decodes it already)."""
    return json.loads(value) if isinstance(value, str) else value
