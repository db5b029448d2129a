"""Small helpers shared by the events views."""

from django.conf import settings
from django.core.exceptions import ValidationError


def poll_seconds() -> int:
    return getattr(settings, "EVENTS_QA_POLL_SECONDS", 5)


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)
