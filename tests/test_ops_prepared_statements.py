"""PostgreSQL runs a statement a connection repeats from a prepared plan (server-side binding,
settings.DATABASES, DATABASE_PREPARED_STATEMENTS): a hot read is parsed and planned once per
connection, not on every request. Runs in the PostgreSQL pass of `make test`."""

import pytest
from django.db import connection

from conftest import make_user
from events.selectors import qa_poll_access
from events.tests.factories import make_event

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]


def _prepared(fragment: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{fragment}%"])
        return cursor.fetchone()[0]


def test_values_are_bound_by_the_server():
    assert connection.features.uses_server_side_binding


def test_a_repeated_statement_is_prepared_and_answers_the_same():
    user = make_user("09130000071", "کاربر آزمون")
    event = make_event()
    first = qa_poll_access(user_id=user.pk, event_id=event.pk)
    answers = [qa_poll_access(user_id=user.pk, event_id=event.pk) for _ in range(6)]
    assert all(answer == first for answer in answers)
    assert first["event_status"] == event.status and first["is_active"] is True
    assert _prepared("privilege_version") >= 1


def test_the_setting_turns_it_off(monkeypatch):
    import importlib

    from cluster_portal import settings as portal_settings

    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "false")
    try:
        importlib.reload(portal_settings)
        assert "server_side_binding" not in portal_settings.DATABASES["default"].get("OPTIONS", {})
        monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "true")
        importlib.reload(portal_settings)
        assert portal_settings.DATABASES["default"]["OPTIONS"]["server_side_binding"] is True
    finally:
        monkeypatch.delenv("DATABASE_PREPARED_STATEMENTS")
        importlib.reload(portal_settings)
