"""Twenty simultaneous identical POSTs (a double-tapping phone, a retrying proxy) against a live
server on PostgreSQL: one row, no server error. The live server answers each request in its own
thread with its own database connection, as gunicorn workers do."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from conftest import PASSWORD
from events.models import Question, Registration, Vote
from events.tests.factories import make_event, make_question
from pricing.models import PriceSubmission
from pricing.tests.factories import make_open_round, product
from tests.ops_support import WebClient

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (row locks and constraints)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SIMULTANEOUS = 20


def _signed_in(live_server, actors):
    client = WebClient()
    status, _headers, _body = client.login(live_server.url, actors.member_a.mobile, PASSWORD)
    assert status == 302
    return client


def _all_at_once(client, url, fields, token):
    """SIMULTANEOUS threads released together by a barrier; their status codes."""
    barrier, statuses = threading.Barrier(SIMULTANEOUS), []

    def post():
        barrier.wait()
        statuses.append(client.post(url, fields, token=token)[0])

    threads = [threading.Thread(target=post) for _ in range(SIMULTANEOUS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(statuses) == SIMULTANEOUS
    return statuses


def test_simultaneous_event_registrations_leave_one_registration(live_server, actors):
    event = make_event()
    client = _signed_in(live_server, actors)
    token = client.csrf_token(f"{live_server.url}{event.get_absolute_url()}")
    statuses = _all_at_once(client, f"{live_server.url}{reverse('events:register', args=[event.pk])}", {}, token)
    assert [status for status in statuses if status >= 500] == []
    assert set(statuses) <= {302, 429}
    assert Registration.objects.filter(event=event, user=actors.member_a).count() == 1


def test_simultaneous_price_submissions_leave_one_current_price(live_server, actors):
    price_round = make_open_round()
    client = _signed_in(live_server, actors)
    url = f"{live_server.url}{reverse('pricing:submit')}"
    token = client.csrf_token(url)
    fields = {
        "price_round": price_round.pk,
        "product": product("baklava").pk,
        "channel": "wholesale",
        "unit": "kg",
        "net_grams": "",
        "price": "۱۲۵٬۰۰۰",
        "note": "",
    }
    statuses = _all_at_once(client, url, fields, token)
    assert [status for status in statuses if status >= 500] == []
    rows = PriceSubmission.objects.filter(member=actors.a, price_round=price_round)
    assert rows.count() == 1
    assert rows.get().price_rial == 1_250_000


def test_simultaneous_identical_votes_leave_one_vote(live_server, actors):
    """The vote form sends the state the member wants ("on"): twenty identical taps at once are
    serialised on the question's row lock and leave exactly one vote, counted once."""
    event = make_event()
    question = make_question(event, actors.member_b)
    client = _signed_in(live_server, actors)
    token = client.csrf_token(f"{live_server.url}{reverse('events:qa', args=[event.pk])}")
    url = f"{live_server.url}{reverse('events:question_vote', args=[event.pk, question.pk])}"
    statuses = _all_at_once(client, url, {"state": "on"}, token)
    assert [status for status in statuses if status >= 500] == []
    assert set(statuses) <= {302, 429}
    assert Vote.objects.filter(question=question).count() == 1
    assert Vote.objects.get(question=question).user == actors.member_a
    assert Question.objects.get(pk=question.pk).vote_count == 1
