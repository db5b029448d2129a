"""The event report's chart: questions by topic and how many were answered (withdrawn and
merged questions left out), with the topic table as its alternative; constant queries."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events import services
from events.models import Question, Topic
from events.tests.factories import make_event, make_question

pytestmark = pytest.mark.django_db


def chart_data(body, chart_id):
    found = re.search(rf'<script id="{chart_id}-data" type="application/json">(.*?)</script>', body, re.S)
    assert found, chart_id
    return json.loads(found.group(1))


def test_questions_by_topic_and_answered(actors, client_as):
    event = make_event()
    for _i in range(3):
        make_question(event, actors.member_a, topic=Topic.UNIT_PRICE)
    answered = make_question(event, actors.member_a, topic=Topic.UNIT_PRICE)
    services.question_answer(question=answered, by=actors.staff, text="پاسخ")
    health = make_question(event, actors.member_b, topic=Topic.HEALTH_PERMITS)
    services.question_answer(question=health, by=actors.staff, text="پاسخ")
    make_question(event, actors.member_b, topic=Topic.OTHER, status=Question.Status.WITHDRAWN)
    make_question(event, actors.member_b, topic=Topic.OTHER, status=Question.Status.MERGED, merged_into=health)
    url = reverse("events:report", args=[event.pk])
    body = client_as("staff").get(url).content.decode()
    data = chart_data(body, "topics-chart")
    assert data["labels"] == ["قیمت واحد", "مجوزهای بهداشتی", "شهرک صنعتی صنفی شیرینی", "برنامه‌های حمایتی", "سایر"]
    assert [(d["label"], d["data"]) for d in data["datasets"]] == [
        ("پاسخ‌داده‌شده", [1, 1, 0, 0, 0]),
        ("بی‌پاسخ", [3, 0, 0, 0, 0]),
    ]
    assert (data["stacked"], data["horizontal"]) == (True, True)
    assert 'id="topics-table"' in body and 'href="#topics-table"' in body
    assert "chart.umd.min.js" in body and "js/charts.js" in body


def test_report_query_count_is_constant(actors, client_as):
    event = make_event()
    make_question(event, actors.member_a)
    client = client_as("staff")
    url = reverse("events:report", args=[event.pk])
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    one = count()
    for topic in Topic.values:
        for _i in range(4):
            question = make_question(event, actors.member_b, topic=topic)
            services.question_answer(question=question, by=actors.staff, text="پاسخ")
    client.get(
        url
    )  # the new rows renewed the cached navigation state (unread count, member): read once, as before the first count
    assert count() == one
