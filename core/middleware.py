import functools
import logging
import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

logger = logging.getLogger(__name__)


class CookieLocaleMiddleware:
    """Persian unless the visitor chose otherwise with the language switch (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, which on most phones
    here says English even for Persian speakers; the portal is Persian-first."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, settings.LANGUAGE_CODE)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


# --- who may keep a copy of a response ---------------------------------------------------------


def mark_public(response, *, max_age: int):
    """A response that is the same for everybody and carries nothing personal (a listed member's
    logo): shared caches may keep it even when a signed-in user asked for it."""
    response.portal_cache_public = True
    patch_cache_control(response, public=True, max_age=max_age)
    return response


def private_response(view):
    """For a view whose answer is personal even to a visitor who is not signed in (a link
    holder's page): `Cache-Control: private, no-store` whoever asks."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.portal_cache_private = True
        return response

    return wrapped


def is_personal(request, response) -> bool:
    """Whether the response may carry personal or role-restricted data: anything answered to a
    request that carries a session (every signed-in user has one) or flash messages, that makes a
    session, that is not a read, or that a view marked private."""
    if getattr(response, "portal_cache_private", False):
        return True
    if request.method not in ("GET", "HEAD"):
        return True
    if request.COOKIES.get(CookieStorage.cookie_name):  # the visitor's own flash messages
        return True
    session = getattr(request, "session", None)
    return session is not None and (bool(session.session_key) or session.modified or not session.is_empty())


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every response that may carry personal or
    role-restricted data (`is_personal`): every page a signed-in user sees (their name is in the
    menu), the dashboard, prices, permits, notifications, two-step pages, exports, the admin.
    Public pages answered to visitors (home, directory, price bands, public events) and static
    files keep their caching; a view may mark a response public (`mark_public`) or private
    (`private_response`). Just inside SessionMiddleware: it sees every response that went
    through the session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(response, "portal_cache_public", False) and is_personal(request, response):
            patch_cache_control(response, private=True, no_store=True)
            for directive in ("max-age", "s-maxage"):
                if directive in response.get("Cache-Control", ""):
                    patch_cache_control(response, **{directive.replace("-", "_"): 0})
        return response


class SessionTimeoutMiddleware:
    """Ends a signed-in session after an idle period and after an absolute lifetime.

    The last-seen time is written at most once a minute so that sessions are not rewritten on
    every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.setdefault("_started", now)
            last_seen = session.get("_last_seen", now)
            if user.is_staff or user.is_superuser:
                idle, absolute = settings.STAFF_SESSION_IDLE_TIMEOUT, settings.STAFF_SESSION_ABSOLUTE_TIMEOUT
            else:
                idle, absolute = settings.SESSION_IDLE_TIMEOUT, settings.SESSION_ABSOLUTE_TIMEOUT
            if now - last_seen > idle or now - started > absolute:
                logout(request)
            elif now - last_seen >= 60 or "_last_seen" not in session:
                session["_last_seen"] = now
        return self.get_response(request)


DATABASE_ERRORS = (OperationalError, InterfaceError)


def database_unavailable_response():
    """The translated 503 page, rendered without a request context: no context processor may
    touch the database that has just failed."""
    from django.template import loader

    response = HttpResponse(loader.get_template("503.html").render({}), status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """A database that is down or unreachable gives a translated 503 page, not a 500.

    Django closes a broken connection at the end of the request (CONN_HEALTH_CHECKS), so the
    next request reconnects: the servers recover without a restart once the database is back.
    Errors raised before the view (sessions or the user loaded by a middleware) reach the
    500 handler, which answers the same way (core.views.error_500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            logger.warning("database unavailable: %s %s: %s", request.method, request.path, exception)
            return database_unavailable_response()
        return None
