"""The polled Q&A fragment: a poll sending the version it shows, when nothing changed, is
answered 204 (`HX-Reswap: none`) from the cache before any session, user or database access —
only for a browser session the full view admitted within the last minute."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events import services
from events.tests.factories import make_event, make_question

pytestmark = pytest.mark.django_db


def _poll(client, event, version=None):
    data = {"sort": "votes"}
    if version:
        data["v"] = version
    return client.get(reverse("events:qa_fragment", args=[event.pk]), data)


def _version(html: str) -> str:
    return re.search(r'<input type="hidden" name="v" value="([^"]+)">', html).group(1)


def test_unchanged_poll_is_answered_204_without_queries_and_a_change_is_sent_in_full(actors, client_as):
    event = make_event()
    make_question(event, actors.member_a, text="پرسش نخست")
    client = client_as("member_b")
    page = client.get(reverse("events:qa", args=[event.pk])).content.decode()
    assert "hx-include=\"#qa-live input[name='v']\"" in page
    first = _poll(client, event, _version(page))  # the full view: checks access, marks the session
    assert first.status_code == 204
    with CaptureQueriesContext(connection) as queries:
        unchanged = _poll(client, event, _version(page))
    assert unchanged.status_code == 204 and unchanged["HX-Reswap"] == "none"
    assert unchanged.content == b"" and "no-store" in unchanged["Cache-Control"]
    assert len(queries) == 0
    services.question_ask(event=event, asker=actors.member_a, text="پرسش تازه درباره مجوز", topic="other")
    changed = _poll(client, event, _version(page))
    body = changed.content.decode()
    assert changed.status_code == 200 and "پرسش تازه درباره مجوز" in body
    assert _version(body) != _version(page)
    assert _poll(client, event, _version(body)).status_code == 204


def test_no_cheap_answer_without_access_or_for_another_session(actors, client_as):
    event = make_event()
    make_question(event, actors.member_a)
    member = client_as("member_b")
    version = _version(_poll(member, event).content.decode())
    assert _poll(member, event, version).status_code == 204
    # Signed out: the login page, not "unchanged".
    assert _poll(Client(), event, version).status_code == 302
    # The applicant (not an active member) sends the right version: still refused.
    assert _poll(client_as("applicant"), event, version).status_code in (403, 404)
    # Another session of a member that was never admitted goes through the full view.
    other = client_as("member_a")
    with CaptureQueriesContext(connection) as queries:
        response = _poll(other, event, version)
    assert response.status_code == 204 and len(queries) >= 1


def test_my_vote_mark_and_my_questions_follow_the_version(actors, client_as):
    event = make_event()
    question = make_question(event, actors.member_a)
    client = client_as("member_b")
    html = _poll(client, event).content.decode()
    vote_url = reverse("events:question_vote", args=[event.pk, question.pk])
    voted = client.post(vote_url, {"state": "on"}, HTTP_HX_REQUEST="true").content.decode()
    assert f'data-vote="{question.pk}" aria-pressed="true"' in voted
    # The page's old version is now stale: the poll brings the new state, then 204 again.
    fresh = _poll(client, event, _version(html)).content.decode()
    assert f'data-vote="{question.pk}" aria-pressed="true"' in fresh
    assert _poll(client, event, _version(fresh)).status_code == 204
    # Repeating the same vote changes nothing, not even the version.
    client.post(vote_url, {"state": "on"}, HTTP_HX_REQUEST="true")
    assert _poll(client, event, _version(fresh)).status_code == 204
