"""The signed-in user's row comes from the shared cache (core/auth_cache.py): every change that
decides who is signed in, or as whom, counts from the next request as it did when the row was
read on each request — a password changed (other sessions end), the account deactivated, a
role taken away, the privilege stamp renewed by a bulk update, the secret key rotated — and the
cache never holds the password hash."""

import pytest
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import PASSWORD, make_user
from core import auth_cache
from members.roles import UNION_HEAD, privileges_changed

pytestmark = pytest.mark.django_db
PAGE = reverse("notifications")  # signed-in users only
USER_TABLE = '"members_user"'


@pytest.fixture(autouse=True)
def _shared_cache(settings):
    """The cached path: a cache every process shares (REDIS_URL in production; here the test
    process's one cache)."""
    settings.SHARED_CACHE = True


def _get(client, path=PAGE):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    user_reads = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT") and USER_TABLE in q["sql"]
    ]
    return response, user_reads


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def _entry(user):
    return cache.get(auth_cache.entry_key(user.pk))


def test_the_row_is_read_once_then_served_from_the_cache_without_the_password_hash():
    user = make_user("09120001001", "سارا کریمی")
    client = _signed_in(user)
    response, reads = _get(client)
    assert response.status_code == 200 and len(reads) == 1  # after the sign-in (last_login saved)
    response, reads = _get(client)
    assert response.status_code == 200 and reads == []
    assert response.wsgi_request.user.pk == user.pk and response.wsgi_request.user.full_name == "سارا کریمی"
    tokens, (values, session_hash, _group_names) = _entry(user)
    user.refresh_from_db()
    assert user.password not in values and PASSWORD not in values
    assert session_hash == user.get_session_auth_hash() == client.session[HASH_SESSION_KEY]
    # The password hash is loaded only where it is read (a password change checks the old one).
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "another-pass-1405", "new_password2": "another-pass-1405"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-pass-1405")


def test_a_password_changed_anywhere_ends_every_other_session_at_once():
    user = make_user("09120001002")
    first, second = _signed_in(user), _signed_in(user)
    for client in (first, second):
        assert _get(client)[0].status_code == 200
        assert _get(client)[0].status_code == 200  # served from the cache
    response = first.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "another-pass-1405", "new_password2": "another-pass-1405"},
    )
    assert response.status_code == 302
    assert _get(first)[0].status_code == 200  # the session that changed it goes on (a new key)
    assert _get(second)[0].status_code == 302  # every other one has ended
    # A change made outside the portal's pages (the admin, a management command): the same.
    user.refresh_from_db()
    third = _signed_in(user)
    assert _get(third)[0].status_code == 200 and _get(third)[0].status_code == 200
    user.set_password("third-pass-1405")
    user.save()
    assert _get(first)[0].status_code == 302 and _get(third)[0].status_code == 302


def test_a_deactivated_account_is_signed_out_on_its_next_request():
    user = make_user("09120001003")
    client = _signed_in(user)
    assert _get(client)[0].status_code == 200 and _get(client)[0].status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert _get(client)[0].status_code == 302


def test_a_bulk_update_of_the_privilege_stamp_and_a_group_change_renew_the_cached_row():
    user = make_user("09120001004")
    client = _signed_in(user)
    _get(client)
    response, reads = _get(client)
    stamp = response.wsgi_request.user.privilege_version
    assert reads == []
    privileges_changed(user.pk)  # QuerySet.update(): no signal
    response, reads = _get(client)
    assert len(reads) == 1 and response.wsgi_request.user.privilege_version == stamp + 1
    user.groups.add(Group.objects.get_or_create(name=UNION_HEAD)[0])
    response, reads = _get(client)
    assert response.wsgi_request.user.privilege_version == stamp + 2
    # The union head needs the second factor: the roles were read under the new stamp.
    assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]


def test_a_change_inside_a_transaction_outdates_the_row_read_before_it_commits(django_capture_on_commit_callbacks):
    """A request that read the row before the commit stores it under the token it read first:
    the bump on commit makes it unreadable."""
    user = make_user("09120001005", "نام پیشین")
    client = _signed_in(user)
    _get(client)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        user.full_name = "نام تازه"
        user.save(update_fields=["full_name"])
        stale_token = cache.get("version:" + auth_cache.version(user.pk))
    assert cache.get("version:" + auth_cache.version(user.pk)) != stale_token  # renewed on commit
    response, reads = _get(client)
    assert len(reads) == 1 and response.wsgi_request.user.full_name == "نام تازه"


def test_a_session_whose_hash_does_not_match_takes_djangos_path_and_ends():
    user = make_user("09120001006")
    client = _signed_in(user)
    _get(client)
    session = client.session
    session[HASH_SESSION_KEY] = "0" * 64
    session.save()
    assert _get(client)[0].status_code == 302
    assert _get(client)[0].status_code == 302  # the session was flushed


def test_a_rotated_secret_key_ends_sessions_unless_the_old_key_is_a_fallback():
    user = make_user("09120001007")
    kept, ended = _signed_in(user), _signed_in(user)
    for client in (kept, ended):
        _get(client)
        assert _get(client)[0].status_code == 200
    old = settings.SECRET_KEY
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "SECRET_KEY", "a-new-secret-key-" + "x" * 50)
        patch.setattr(settings, "SECRET_KEY_FALLBACKS", [old])
        assert _get(kept)[0].status_code == 200  # Django's fallback: the session gets the new hash
        patch.setattr(settings, "SECRET_KEY_FALLBACKS", [])
        assert _get(kept)[0].status_code == 200  # its hash was renewed under the new key
        assert _get(ended)[0].status_code == 302


def test_a_deleted_user_is_signed_out():
    user = make_user("09120001008")
    client = _signed_in(user)
    _get(client)
    user.delete()
    assert _get(client)[0].status_code == 302


def test_the_group_names_are_kept_with_the_row_and_renewed_with_it():
    """The roles a page checks (core.groups) are read once under the user's token and come with
    the row afterwards; a group added or taken away renews the token (members.roles)."""
    user = make_user("09120001009")
    client = _signed_in(user)
    home = reverse("home")
    client.get(home)  # the row is read and kept
    client.get(home)  # the roles are read under its token and kept with it
    assert _entry(user)[1][2] == frozenset()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(home)
    assert response.wsgi_request.user._group_names == frozenset()
    assert not [q for q in queries.captured_queries if "auth_group" in q["sql"]]
    panel = Group.objects.get_or_create(name="panelist")[0]
    user.groups.add(panel)
    client.get(home)
    assert _entry(user)[1][2] == frozenset({"panelist"})
    user.groups.remove(panel)
    client.get(home)
    assert _entry(user)[1][2] == frozenset()


@pytest.mark.parametrize("change", ["password", "deactivated"])
def test_without_a_shared_cache_a_change_made_by_another_process_counts_on_the_next_request(settings, change):
    """One local-memory cache per process (the embedded default: runserver, the db_worker,
    management commands): nothing is kept, the row is read on every request, so a change
    another process makes — here a direct UPDATE, no signal, no token renewed — counts at once."""
    settings.SHARED_CACHE = False
    user = make_user("09120001010")
    client = _signed_in(user)
    for _round in range(3):
        response, reads = _get(client)
        assert response.status_code == 200 and len(reads) == 1
    client.get(reverse("home"))  # a page that reads the roles
    assert _entry(user) is None
    if change == "password":
        type(user).objects.filter(pk=user.pk).update(password=make_password("changed-elsewhere-1405"))
    else:
        type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert _get(client)[0].status_code == 302


def test_an_entry_made_with_another_list_of_fields_is_never_read(monkeypatch):
    """A release that adds, removes or reorders a field of the user model (or the other release
    during a rolling deploy on one Redis): the entry's name holds the list's digest, so the
    values an earlier release kept are never given to `from_db` with this release's list."""
    user = make_user("09120001011", "فاطمه موسوی")
    fields = auth_cache._fields(type(user))
    client = _signed_in(user)
    with monkeypatch.context() as earlier_release:  # one field fewer: this release added it
        earlier_release.setattr(auth_cache, "_fields", lambda model: fields[:1] + fields[2:])
        old_key = auth_cache.entry_key(user.pk)
        _get(client)
        assert _get(client)[1] == []  # served from the cache
        assert cache.get(old_key) is not None
    assert auth_cache.entry_key(user.pk) != old_key
    response, reads = _get(client)
    assert response.status_code == 200 and len(reads) == 1  # the earlier release's entry is not read
    served = response.wsgi_request.user
    assert (served.full_name, served.is_staff, served.is_superuser, served.is_active) == (
        "فاطمه موسوی",
        False,
        False,
        True,
    )
    response, reads = _get(client)  # kept under this release's name, and read back right
    assert reads == [] and response.wsgi_request.user.full_name == "فاطمه موسوی"
