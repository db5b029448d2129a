"""The Q&A poll, answered before sessions, users and the rest of the stack load.

Every open Q&A page asks for its fragment every few seconds, sending the version it shows (`v`,
from the fragment's hidden input). For a signed-in member or panelist this middleware answers
the poll itself, with the same answer the full view (`events.views.qa.qa_fragment`) would give:

1. one read of the shared cache: the browser session (a logout or an expired session ends the
   quick answers at once), the Q&A's version tokens, the access epoch and this session's poll
   mark (and, for a poll that sends no version, a member's fragment);
2. without a mark given under the current access epoch: one database query
   (`events.selectors.qa_poll_access`) — the user's password hash (the session's check),
   whether the account is active, holds a role that asks for the second factor, acts for an
   active member or sits on one of the event's panels, and the event's status — and a new mark.
   The epoch is renewed whenever a row that decides this access changes (`events.qa_access`):
   a role removed, a member suspended, a colleague removed, a seat taken away takes effect on
   the next poll;
3. the version still current: 204 with `HX-Reswap: none` (htmx keeps the page as it is);
   otherwise the fragment from the shared cache.

Anything it is not sure about goes through the whole stack as before: no session or another
session engine's miss, staff and superusers, a role that asks for the second factor, a session
that needs its last-seen time renewed or has run out, a version token or fragment not in the
cache, another language cookie than the ones served, a database error."""

import re
import time

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string

from core import fragment_cache
from members.models import Member
from members.twofactor.policy import REQUIRED_SESSION_KEY

from . import qa_access, qa_cache, selectors
from .models import Event

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
# SessionTimeoutMiddleware renews the last-seen time once a minute: such a poll takes the
# whole stack.
LAST_SEEN_RENEWAL_SECONDS = 60
QA_STATES = (Event.Status.PUBLISHED, Event.Status.FINISHED)


def qa_unchanged_response() -> HttpResponse:
    response = HttpResponse(status=204)
    response["HX-Reswap"] = "none"
    add_never_cache_headers(response)
    return response


class QaPollMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._path = None
        self._store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
        self._languages = {code for code, _name in settings.LANGUAGES}

    def _fragment_path(self):
        if self._path is None:
            pattern = re.escape(reverse("events:qa_fragment", args=[123456789])).replace("123456789", "([0-9]+)")
            self._path = re.compile(f"^{pattern}$")
        return self._path

    def __call__(self, request):
        if request.method == "GET":
            session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
            match = self._fragment_path().match(request.path_info) if session_key else None
            if match:
                response = self._answer(request, int(match.group(1)), session_key)
                if response is not None:
                    return response
        return self.get_response(request)

    def _session(self, session_key, extra_keys):
        """The session's data and the cache entries `extra_keys`, in one round trip when the
        sessions live in the default cache."""
        store = self._store(session_key)
        cache_key = getattr(store, "cache_key", None)
        if cache_key is not None and getattr(store, "_cache", None) is caches[DEFAULT_CACHE_ALIAS]:
            found = cache.get_many([cache_key, *extra_keys])
            return found.pop(cache_key, None), found
        try:
            data = store.load()
        except Exception:  # a broken session store: the whole stack decides
            data = None
        return data, cache.get_many(extra_keys)

    def _answer(self, request, event_id, session_key):
        names = qa_cache.versions(event_id)
        version_keys = [fragment_cache.version_key(name) for name in names]
        epoch_key = fragment_cache.version_key(qa_access.ACCESS)
        mark_key = qa_access.mark_key(session_key, event_id)
        sent = request.GET.get("v")
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, settings.LANGUAGE_CODE)
        if language not in self._languages:
            language = settings.LANGUAGE_CODE
        sort = qa_cache.sort_of(request.GET.get("sort"))
        owner_id = qa_cache.owner(session_key=session_key)

        def entry_keys(variant):
            return qa_cache.entry_keys(event_id, variant=variant, sort=sort, language=language, owner_id=owner_id)

        # One trip: the session, the versions, the access epoch and this session's mark (and,
        # for a poll that sends no version, which needs the fragment, a member's fragment).
        keys = [*version_keys, epoch_key, mark_key, *([] if sent else entry_keys("member"))]
        session, found = self._session(session_key, keys)
        tokens = fragment_cache.current(found, names)
        if not session or tokens is None:
            return None
        user_id = self._user_id(session)
        if user_id is None:
            return None
        mark, epoch = found.get(mark_key), found.get(epoch_key)
        if mark is None or epoch is None or mark[:2] != (epoch, user_id):
            mark = self._admit(session, user_id, event_id, epoch)
            if mark is None:
                return None
            cache.set(mark_key, mark, qa_access.POLL_ACCESS_SECONDS)
        _epoch, _user_id, variant, stamp = mark
        version = qa_cache.poll_version(tokens, variant)
        if sent == version:
            return qa_unchanged_response()
        keys = entry_keys(variant)
        missing = [key for key in keys if key not in found]
        if missing:
            found.update(cache.get_many(missing))
        body = qa_cache.cached_body(found, keys, tokens=tokens, stamp=stamp, user_id=user_id, variant=variant)
        if body is None:
            return None
        return self._fragment_response(body, language)

    def _admit(self, session, user_id, event_id, epoch):
        """The access query: the poll mark (epoch, user, variant, the event's stamp) when this
        user may poll the event's Q&A here, or None when the whole stack must decide."""
        if epoch is None:
            epoch = fragment_cache.tokens(qa_access.ACCESS)[0]
        # The access query is its own health check (CONN_HEALTH_CHECKS would first send a
        # "SELECT 1"): when it fails, the connection is closed and the whole stack, which
        # connects afresh, answers.
        connection.health_check_done = True
        try:
            row = selectors.qa_poll_access(user_id=user_id, event_id=event_id)
        except DatabaseError:
            connection.close()
            return None
        variant = self._variant(session, row)
        if variant is None:
            return None
        return (epoch, user_id, variant, qa_cache.event_stamp(row["event_created"]))

    @staticmethod
    def _user_id(session):
        """The signed-in user of a session that the whole stack would take as it is: signed in
        with the model backend, within its idle and absolute limits (a member's), its last-seen
        time fresh, and known not to need the second factor."""
        if session.get(BACKEND_SESSION_KEY) != MODEL_BACKEND or _remembered_stamp(session) is None:
            return None
        now = int(time.time())
        started, last_seen = session.get("_started"), session.get("_last_seen")
        if started is None or last_seen is None:
            return None
        if (
            now - last_seen >= LAST_SEEN_RENEWAL_SECONDS
            or now - last_seen > settings.SESSION_IDLE_TIMEOUT
            or now - started > settings.SESSION_ABSOLUTE_TIMEOUT
        ):
            return None
        try:
            return int(session[SESSION_KEY])
        except (KeyError, TypeError, ValueError):
            return None

    @staticmethod
    def _variant(session, row) -> str | None:
        """Which fragment this user gets, or None when the whole stack must decide."""
        if row is None or not row["is_active"] or row["event_status"] not in QA_STATES:
            return None
        if row["is_staff"] or row["is_superuser"] or row["privileged"]:
            return None  # staff and the union head: their pages go through the second factor
        if row["privilege_version"] != _remembered_stamp(session):
            return None  # the user's rights changed since the session learnt them: the stack decides
        user = get_user_model()(password=row["password"])
        if not constant_time_compare(session.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash()):
            return None
        if row["member_status"] == Member.Status.ACTIVE:
            return "member"
        return "viewer" if row["panelist"] else None

    @staticmethod
    def _fragment_response(body: str, language: str) -> HttpResponse:
        """The headers the whole stack would add: no caching, the language, Vary, framing and
        the length."""
        response = HttpResponse(body)
        add_never_cache_headers(response)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY"))
        response.headers["Content-Length"] = str(len(response.content))
        return response


def _remembered_stamp(session):
    """The user's privilege stamp under which this session knows that no second factor is
    needed (members.twofactor.policy), or None when it needs one or does not know."""
    remembered = session.get(REQUIRED_SESSION_KEY)
    if isinstance(remembered, list) and len(remembered) == 3 and remembered[1] is False:
        return remembered[0]
    return None
