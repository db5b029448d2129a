"""Responses compared as a member (or a reader) sees them, apart from the CSRF token, which is
masked afresh on every response."""

import re

CSRF = re.compile(
    r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": "|name="csrf-token" content=")[A-Za-z0-9]{32,64}"'
)


def without_csrf(body: bytes | str) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return CSRF.sub(r'\1"', text)


def seen(response) -> tuple:
    """(status, body without CSRF tokens, the redirect target, the content type and
    disposition) of a response, streaming or not."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith(("text/", "application/json")):
        body = without_csrf(body)
    return (
        response.status_code,
        body,
        response.get("Location"),
        response.get("Content-Type"),
        response.get("Content-Disposition"),
    )
