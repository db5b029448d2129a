"""The Q&A poll that finds nothing new answers before sessions, users or anything else load.

Every open Q&A page asks for its fragment every few seconds, sending the version of the Q&A it
shows (`v`, from the fragment's hidden input). The full view (`events.views.qa_fragment`) checks
who the visitor is and then marks this browser session as allowed to poll this event for
POLL_ACCESS_SECONDS. While that mark lasts, a poll whose version is still the current one is
answered here with 204 and `HX-Reswap: none` (htmx keeps the page as it is) from one read of the
cache — the mark and the version — with no session, user or database access. It tells the
browser nothing it did not send: any other poll (another version, no mark, no version in the
cache) goes through the whole stack as before. A session that signs out or loses access keeps
getting "unchanged" for at most POLL_ACCESS_SECONDS, and never any content."""

import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

POLL_ACCESS_SECONDS = 60


def poll_key(event_id, session_key) -> str:
    digest = hashlib.sha256((session_key or "").encode()).hexdigest()[:32]
    return f"events:qa-poll:{event_id}:{digest}"


def qa_unchanged_response() -> HttpResponse:
    response = HttpResponse(status=204)
    response["HX-Reswap"] = "none"
    add_never_cache_headers(response)
    return response


class QaPollMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._path = None

    def _fragment_path(self):
        if self._path is None:
            pattern = re.escape(reverse("events:qa_fragment", args=[123456789])).replace("123456789", "([0-9]+)")
            self._path = re.compile(f"^{pattern}$")
        return self._path

    def __call__(self, request):
        version = request.GET.get("v") if request.method == "GET" else None
        if version:
            match = self._fragment_path().match(request.path_info)
            session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
            if match and session_key:
                from .services import qa_version_key

                event_id = int(match.group(1))
                keys = [poll_key(event_id, session_key), qa_version_key(event_id)]
                found = cache.get_many(keys)
                if found.get(keys[0]) and found.get(keys[1]) == version:
                    return qa_unchanged_response()
        return self.get_response(request)
