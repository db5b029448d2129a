"""What a signed-in request costs once its caches are warm: no query (but the session where
sessions are in the database, and django-otp's device for a verified privileged user) and a
fixed number of cache round trips — the session where sessions are in the cache, the user's row
with what the navigation reads first (core/auth_cache.py), the member's token with the menu
(cluster_portal/navigation.py), and the page's own entries."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Notification
from members.tests.factories import active_member
from tests.cache_calls import recorded_cache_calls

pytestmark = pytest.mark.django_db
SESSIONS_IN_DB = settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
SESSIONS_IN_CACHE = settings.SESSION_ENGINE == "django.contrib.sessions.backends.cache"


@pytest.fixture(autouse=True)
def _shared_cache(settings):
    """The cached path: a cache every process shares (REDIS_URL in production; here the test
    process's one cache)."""
    settings.SHARED_CACHE = True


def _cost(client, path, monkeypatch, **data):
    """(queries, cache round trips, response)."""
    with recorded_cache_calls(monkeypatch) as calls, CaptureQueriesContext(connection) as queries:
        response = client.get(path, data)
    assert response.status_code == 200
    return len(queries), [name for name, _key in calls], response


def _warm(client, path, **data):
    for _ in range(3):  # the session's first write, the row and the roles kept, the menu stored
        client.get(path, data)


@pytest.mark.parametrize("members", [1, 12])
def test_a_signed_in_directory_search_costs_three_round_trips_and_no_query(actors, client_as, monkeypatch, members):
    for i in range(members):
        active_member(business_name=f"شیرینی‌پزی {i:02d}")
    client = client_as("member_a")
    path = reverse("members:directory")
    _warm(client, path, q="شیرینی")
    queries, calls, response = _cost(client, path, monkeypatch, q="شیرینی")
    assert "شیرینی‌پزی 00" in response.content.decode()
    assert queries == 0 + SESSIONS_IN_DB
    # The user's row (with the navigation's entry), the member's token (with the menu), the
    # directory's tokens (with its body).
    assert calls == ["get"] * SESSIONS_IN_CACHE + ["get_many", "get_many", "get_many"]


def test_the_middleware_chain_of_a_signed_in_request_reads_the_user_in_one_round_trip(actors, client_as, monkeypatch):
    client = client_as("member_a")
    _warm(client, reverse("healthz"))
    queries, calls, _response = _cost(client, reverse("healthz"), monkeypatch)
    assert queries == 0 + SESSIONS_IN_DB
    assert calls == ["get"] * SESSIONS_IN_CACHE + ["get_many"]


def test_a_cached_dashboard_costs_two_round_trips_and_no_query(actors, client_as, monkeypatch):
    client = client_as("member_a")
    _warm(client, reverse("members:dashboard"))
    queries, calls, _response = _cost(client, reverse("members:dashboard"), monkeypatch)
    assert queries == 0 + SESSIONS_IN_DB
    # The user's row with the dashboard's tokens and its link (prefetched with the row, three
    # round trips before), then the member's token and the page.
    assert calls == ["get"] * SESSIONS_IN_CACHE + ["get_many", "get_many"]


def test_a_verified_staff_member_reads_only_the_authenticator_besides_the_page(actors, client_as, monkeypatch):
    """django-otp loads the device that verified the session on every request; the user, the
    roles, the member link and the unread count come from the cache as for a member."""
    client = client_as("staff")
    path = reverse("pricing:bands")
    _warm(client, path)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert "otp_totp_totpdevice" in tables
    for table in ("members_user", "auth_group", "members_memberuser", Notification._meta.db_table):
        assert f'"{table}"' not in tables, table
    _queries, calls, _response = _cost(client, path, monkeypatch)
    assert calls[: 1 + SESSIONS_IN_CACHE] == ["get"] * SESSIONS_IN_CACHE + ["get_many"]
