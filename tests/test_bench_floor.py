"""make bench's floor (bench/floor_wsgi.py, bench/report.py): the floor server takes Django's
template rendering away and nothing else, so the page it serves still costs every statement a
real miss costs; the report works out rendering's share of a miss from the figures."""

import importlib
import re
import sys

import pytest
from django.db import connection
from django.template import engines
from django.template.backends.django import Template
from django.test.utils import CaptureQueriesContext

from bench import report

pytestmark = pytest.mark.django_db
URL = "/members/me/"


@pytest.fixture
def floor_rendering():
    """bench.floor_wsgi imported (it replaces the backend's Template.render), then put back."""
    original = Template.render
    sys.modules.pop("bench.floor_wsgi", None)
    floor = importlib.import_module("bench.floor_wsgi")
    try:
        yield floor
    finally:
        Template.render = original
        sys.modules.pop("bench.floor_wsgi", None)


def _miss(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    # Each statement with its literals out (the session's expiry check quotes the time of day).
    return [re.sub(r"'[^']*'", "?", query["sql"]) for query in queries.captured_queries], response.content


def test_the_floor_runs_every_statement_of_a_miss_and_renders_nothing(actors, client_as, settings, request):
    settings.PAGE_CACHE_READS = False  # the bench's miss and floor servers
    client = client_as("member_a")
    client.get(URL)  # the session's first request also saves it
    statements, html = _miss(client)
    assert "<html" in html.decode() and len(statements) > 10
    request.getfixturevalue("floor_rendering")
    floor_statements, floor_html = _miss(client)
    assert floor_statements == statements
    assert floor_html == b"x" * 23000


def test_a_template_on_the_floor_runs_no_tag(floor_rendering):
    template = engines["django"].from_string("{% url 'no-such-view' %}{{ missing.attribute }}")
    assert template.render({}) is floor_rendering.BODY
    assert len(floor_rendering.BODY) == 23000


def test_the_report_works_out_renderings_share_and_whether_the_floor_reaches_each_target():
    def measured(rps):
        return {"rps": rps, "p50": 1.0, "p95": 1.0, "p99": 1.0, "requests": 1, "errors": 0}

    rows = [
        {"label": report.BASELINE, "path": "/healthz", "hit": measured(4000.0)},
        {"label": "member dashboard", "path": URL, "miss": measured(200.0), "floor": measured(320.0)},
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
