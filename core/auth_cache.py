"""The signed-in user of a request, from the shared cache instead of a query on every request.

Only with a cache every process shares (`settings.SHARED_CACHE`, i.e. REDIS_URL): without it
(the embedded default, one local-memory cache per process — runserver, the db_worker, management
commands) a password change, a deactivation or a role taken away in another process would not
reach this process's entries, so `get_user` is then Django's own (the row read on every request)
and nothing is kept.

Django's `AuthenticationMiddleware` reads the user's row on every signed-in request (≈ 0.4–1 ms
of ORM and database time, most of a cached page's cost). `AuthenticationMiddleware` here reads
it from the shared cache (Redis in production) in one round trip, and answers exactly what
`django.contrib.auth.get_user` would:

- the entry is kept under a version token of the user (`core.fragment_cache`), renewed by every
  save or delete of the user's row (a signal: password, flags, name, last login …) and by
  writes no signal sees (`forget(*ids)`: `members.roles.privileges_changed`, the
  `QuerySet.update()` of the privilege stamp). A request that read the row before such a change
  stores it under the token it read first, which is then already outdated: never read back.
  Entries live `USER_SECONDS` at most;
- the entry holds the row's values in the order of `_fields`, and its name holds a digest of
  those field names: a release that adds, removes or reorders a field of the user model (or the
  other release, during a rolling deploy sharing Redis) never reads an entry made with another
  list;
- the entry holds every field but the password hash; what it holds instead is the session
  authentication hash (`get_session_auth_hash()`, an HMAC of the password hash with the
  secret key: what every session of the user already keeps). The session is verified against
  it exactly as Django verifies it: anything but an exact match (another password, a secret key
  rotated — the key's fingerprint is part of the entry's name —, no hash in the session) takes
  Django's own path (`get_user`: the row from the database, the fallback keys, the session
  flushed). A password change therefore still ends every other session of the user;
- an inactive user is not signed in (ModelBackend's `user_can_authenticate`); only backends
  that load their users as ModelBackend does are served from the cache (ModelBackend and its
  subclasses that keep its `get_user`, or a backend that says so with `cached_get_user = True`);
- the password hash stays a deferred field: the few places that read it (a password change
  form checking the old password) load it then, with one query;
- the user's group names (`core.groups`) are kept in the same entry once a page has read them
  (`remember_groups`): a group given or taken away renews the user's token
  (`members.roles.privileges_changed`), so they are never read with another row;
- what nearly every page reads next (the navigation's entry; a cached dashboard's tokens and
  member link: `register_prefetch`) is read in the same round trip as the row.

Nothing else about the request changes: `request.user` is lazy as before (a request that never
looks at the user reads nothing), and the async `request.auser` is Django's own."""

import functools
import hashlib

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, get_user_model, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_delete, post_save
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.functional import SimpleLazyObject

from . import fragment_cache

USER_SECONDS = 600
SKIPPED_FIELDS = ("password",)


def version(user_id) -> str:
    return f"auth.user.{user_id}"


@functools.cache
def _secret_id(secret_key: str) -> str:
    """Names the secret key without revealing it: entries made under another key are never read."""
    return salted_hmac("core.auth_cache", "entries", secret=secret_key, algorithm="sha256").hexdigest()[:12]


@functools.cache
def _layout_id(fields: tuple[str, ...]) -> str:
    """Names the list of fields an entry holds, in order."""
    return hashlib.sha256("\n".join(fields).encode()).hexdigest()[:12]


def entry_key(user_id) -> str:
    layout = _layout_id(_fields(get_user_model()))
    return f"auth:row:{user_id}:{_secret_id(settings.SECRET_KEY)}:{layout}"


def forget(*user_ids) -> None:
    """The cached rows of these users are outdated (now, and again when the transaction commits)."""
    names = [version(user_id) for user_id in {user_id for user_id in user_ids if user_id}]
    if names:
        fragment_cache.bump(*names)


@functools.cache
def _fields(model) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields if field.attname not in SKIPPED_FIELDS)


def _cacheable_backend(backend) -> bool:
    if getattr(backend, "cached_get_user", False):
        return True
    return isinstance(backend, ModelBackend) and type(backend).get_user is ModelBackend.get_user


_MODEL_BACKEND = ModelBackend()


def _from_entry(model, values):
    return model.from_db(DEFAULT_DB_ALIAS, _fields(model), values)


_prefetchers: list = []


def register_prefetch(keys_for_user) -> None:
    """`keys_for_user(user_id) -> list of cache keys` read in the same round trip as the user's
    row on every signed-in request (what nearly every page reads next: the navigation's state);
    a page reads them with `prefetched(user, keys)`."""
    if keys_for_user not in _prefetchers:
        _prefetchers.append(keys_for_user)


def prefetched(user, keys) -> dict | None:
    """What the user's load read of `keys` ({key: value}, without the missing ones), or None
    when they were not all read with it."""
    found = getattr(user, "_auth_prefetched", None)
    if found is None or not all(key in found for key in keys):
        return None
    return {key: found[key] for key in keys if found[key] is not None}


def remember_groups(user, names) -> None:
    """Keep the user's group names (core.groups) in their cached row's entry, under the token the
    row was read under: a group added or removed renews the token (members.roles), so the names
    are never read with a later row."""
    if not settings.SHARED_CACHE:
        return
    entry = getattr(user, "_auth_entry", None)
    if entry is not None and entry[4] is None:
        key, token, values, auth_hash, _names = entry
        user._auth_entry = (key, token, values, auth_hash, frozenset(names))
        fragment_cache.store(key, (values, auth_hash, frozenset(names)), (token,), USER_SECONDS)


def get_user(request):
    """`django.contrib.auth.get_user(request)`, the row from the cache when it can be (only
    with a shared cache)."""
    if not settings.SHARED_CACHE:
        return auth.get_user(request)
    session = request.session
    try:
        user_id = auth._get_user_session_key(request)
        backend_path = session[BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    session_hash = session.get(HASH_SESSION_KEY)
    if not session_hash or backend_path not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)
    backend = load_backend(backend_path)
    if not _cacheable_backend(backend):
        return auth.get_user(request)
    model = get_user_model()
    key, token_key = entry_key(user_id), fragment_cache.version_key(version(user_id))
    extra = list(dict.fromkeys(extra_key for keys_for_user in _prefetchers for extra_key in keys_for_user(user_id)))
    found = cache.get_many([token_key, key, *extra])
    token, stored = found.get(token_key), found.get(key)
    if token is not None and stored is not None and stored[0] == (token,):
        values, auth_hash, names = stored[1]
        if not constant_time_compare(session_hash, auth_hash):
            return auth.get_user(request)  # Django decides: fallback keys, or the session ends
        user = _from_entry(model, values)
        if not _MODEL_BACKEND.user_can_authenticate(user):
            return AnonymousUser()
        user._auth_entry = (key, token, values, auth_hash, names)
        user._auth_prefetched = {extra_key: found.get(extra_key) for extra_key in extra}
        if names is not None:
            user._group_names = names
        return user
    if token is None:
        token = fragment_cache.tokens(version(user_id))[0]
    user = auth.get_user(request)
    if user.is_authenticated and type(user) is model:
        # Verified against the session by Django just now: kept for the next requests under the
        # token read before the row (a change meanwhile has already outdated it).
        values = tuple(getattr(user, name) for name in _fields(model))
        auth_hash = user.get_session_auth_hash()
        fragment_cache.store(key, (values, auth_hash, None), (token,), USER_SECONDS)
        user._auth_entry = (key, token, values, auth_hash, None)
    return user


def _lazy_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)
    return request._cached_user


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, with the user's row read from the shared cache (`get_user`)."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _lazy_user(request))


def _user_changed(sender, instance, **kwargs):
    forget(instance.pk)


def connect_signals() -> None:
    model = get_user_model()
    post_save.connect(_user_changed, sender=model, dispatch_uid="core.auth_cache.saved")
    post_delete.connect(_user_changed, sender=model, dispatch_uid="core.auth_cache.deleted")
