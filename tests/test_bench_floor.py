"""make bench's floor (bench/floor_wsgi.py, bench/report.py): the floor server takes Django's
template rendering away and keeps the rest, so a page it serves runs every statement and every
cache read and write of a real miss; its cache keys are its own; the report works out
rendering's share of a miss from the figures."""

import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.template import engines
from django.template.backends.django import Template
from django.test.utils import CaptureQueriesContext

from bench import floor_wsgi, report
from core import fragment_cache
from tests.cache_calls import recorded_cache_calls

PAGES = [("/", "anonymous"), ("/members/me/", "member_a"), ("/permits/dashboard/", "staff")]


@pytest.fixture
def floor_rendering(monkeypatch):
    """The floor's rendering in place (floor_wsgi.patch) with its own cache keys, as the floor
    server has them (whatever it stores, the fixed body as a page or a menu, is never read by
    another test, on a Redis every test worker shares), then Django's put back."""
    monkeypatch.setattr(caches["default"], "key_func", floor_wsgi.floor_key)
    original = Template.render
    try:
        yield floor_wsgi.patch()
    finally:
        Template.render = original


@pytest.fixture
def cache_calls(monkeypatch):
    """Every round trip on the default cache, as (method, key or keys), in order."""
    with recorded_cache_calls(monkeypatch) as calls:
        yield calls


def _miss(client, url, calls):
    calls.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    # Each statement with its literals out (the session's expiry check quotes the time of day).
    return [re.sub(r"'[^']*'", "?", query["sql"]) for query in queries.captured_queries], list(calls), response


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "role"), PAGES)
def test_the_floor_does_everything_a_miss_does_but_render(url, role, actors, client_as, settings, request, cache_calls):
    settings.PAGE_CACHE_READS = False  # the bench's miss and floor servers
    settings.SHARED_CACHE = True  # as with Redis: the navigation's state and the user's row cached
    client = client_as(role)
    client.get(url)  # the session's first request also saves it
    statements, calls, page = _miss(client, url, cache_calls)
    assert "<html" in page.content.decode() and statements
    body = request.getfixturevalue("floor_rendering")
    client.get(url)  # the floor's own cache: the user's row and the navigation's state kept
    floor_statements, floor_calls, floor_page = _miss(client, url, cache_calls)
    assert floor_statements == statements
    # The same reads and writes, the navigation's menu stored included (a real miss renders and
    # stores it on every request).
    assert floor_calls == calls
    assert any(method == "set" and "nav" in str(key) for method, key in calls)
    assert floor_page.content == body.encode() and len(body) == floor_wsgi.BODY_BYTES
    assert floor_page.cookies.keys() == page.cookies.keys()  # the CSRF cookie too, where the page sets one


def test_a_template_on_the_floor_runs_no_tag(floor_rendering):
    template = engines["django"].from_string("{% url 'no-such-view' %}{{ missing.attribute }}")
    assert template.render({}) is floor_rendering


def test_the_floors_cache_keys_are_its_own_but_the_sessions_and_the_version_tokens():
    assert floor_wsgi.floor_key("dash:page:1", "bench", 1) == "bench:1:bench-floor:dash:page:1"
    assert floor_wsgi.floor_key("nav:html:abc:fa:1", "bench", 1) == "bench:1:bench-floor:nav:html:abc:fa:1"
    session = "django.contrib.sessions.cacheabc123"
    assert floor_wsgi.floor_key(session, "bench", 1) == f"bench:1:{session}"
    token = fragment_cache.version_key("dashboard.user.1")
    assert floor_wsgi.floor_key(token, "bench", 1) == f"bench:1:{token}"


def test_the_report_works_out_renderings_share_and_whether_the_floor_reaches_each_target():
    def measured(rps):
        return {"rps": rps, "p50": 1.0, "p95": 1.0, "p99": 1.0, "requests": 1, "errors": 0}

    rows = [
        {"label": report.BASELINE, "path": "/healthz", "hit": measured(4000.0)},
        {"label": "member dashboard", "path": "/members/me/", "miss": measured(200.0), "floor": measured(320.0)},
        {"label": "home", "path": "/", "miss": measured(400.0), "floor": measured(1600.0)},
        {"label": "permits dashboard", "path": "/permits/dashboard/", "miss": measured(130.0)},
        {"label": "showcase search", "path": "/showcase/", "miss": measured(100.0), "floor": measured(900.0)},
    ]
    lines = report.floor_lines(rows, report.baseline(rows))
    table = [line for line in lines if line.startswith("| ") and "---" not in line][1:]
    # The dashboard: 200 of 320 req/s loses 37.5 % of a request to rendering; the floor is 8 % of
    # /healthz, under its 10 %. The home page's floor is 40 %, over its 30 %. A page without a
    # floor measurement, or without a target on a miss, has no row.
    assert table == [
        "| member dashboard | 200 | 5.0% | 320 | 8.0% | 38% | ≥ 10% | **no** |",
        "| home | 400 | 10.0% | 1600 | 40.0% | 75% | ≥ 30% | yes |",
    ]
    assert report.floor_lines(rows[:1], 4000.0) == []
    assert report.floor_lines(rows, None) == []
