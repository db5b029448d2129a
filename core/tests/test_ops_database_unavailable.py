"""A database that fails answers a translated 503 page (not a 500), the probes say so, and the
next request works again once the database answers. In-process checks on any database; the
real outage (a PostgreSQL server stopped and started again) is in tests/test_ops_postgres.py."""

import pytest
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connection, connections
from django.test import Client

from core.models import Notification


@pytest.fixture
def broken_database(db):
    """breaker(error) → every new query fails the way a lost server does; repaired afterwards
    (before the test database is rolled back)."""

    def breaker(error=OperationalError):
        def fail(*args, **kwargs):
            raise error("server closed the connection unexpectedly")

        connection.create_cursor = fail

    yield breaker
    _repair()


def _repair():
    wrapper = connections[DEFAULT_DB_ALIAS]
    vars(wrapper).pop("create_cursor", None)


def test_sign_in_gives_translated_503_when_the_database_fails(db, broken_database):
    client = Client(raise_request_exception=False)
    broken_database()
    response = client.post("/accounts/login/", {"username": "09120000001", "password": "typed-password"})
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store, private"  # a POST: never kept by any cache
    assert '<html lang="fa" dir="rtl">' in html
    assert "موقتاً در دسترس نیست" in html
    assert "چیزی از آنچه فرستادید از دست نرفته است" in html


def test_signed_in_page_gives_503_in_english_when_chosen(client_as, broken_database):
    client = client_as("member_a")
    client.raise_request_exception = False
    client.cookies["django_language"] = "en"
    broken_database(InterfaceError)
    response = client.get("/notifications/")
    html = response.content.decode()
    assert response.status_code == 503
    assert '<html lang="en" dir="ltr">' in html
    assert "Temporarily unavailable" in html
    assert "Nothing you sent was lost" in html


def test_probes_during_and_after_a_database_failure(db, broken_database):
    client = Client(raise_request_exception=False)
    broken_database()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unavailable", "cache": "ok"}

    _repair()  # the database is back
    assert client.get("/readyz").json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert client.get("/").status_code == 200


def test_other_errors_still_give_the_500_page(client_as, monkeypatch):
    client = client_as("member_a")
    client.raise_request_exception = False

    def fail(*args, **kwargs):
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr(Notification.objects, "filter", fail)
    response = client.get("/notifications/")
    assert response.status_code == 500
    assert "Retry-After" not in response
