"""Every events URL for all eight roles. The `panelist` actor sits on another event's panel,
so the moderation pages refuse it (403). The questions belong to the event's panel. Which
question a panelist of the same event may act on (their panels' and the general ones; another
panel's is a 404) is walked URL by URL in events/tests/test_qa_scope.py."""

import datetime

from django.utils import timezone

from events.models import Question
from events.tests.factories import (
    event_with_foreign_panelist,
    make_commitment,
    make_question,
    make_registration,
)
from tests.access import ACTIVE_MEMBER, LOGIN, MEMBER_A_OBJECT, PUBLIC, SIGNED_IN, STAFF, VISITORS, Rule

QA = {**ACTIVE_MEMBER, "staff": 200, "superuser": 200}
MEMBER_POST = {**dict.fromkeys(ACTIVE_MEMBER, 403), "anonymous": LOGIN, "member_a": 302, "member_b": 302}
MEMBER_A_POST = {**MEMBER_POST, "member_b": 404}
STAFF_POST = {**STAFF, "staff": 302, "superuser": 302}


def _event(actors):
    return {"event_id": event_with_foreign_panelist(actors).pk}


def _registered(actors):
    event = event_with_foreign_panelist(actors)
    make_registration(event, actors.member_a)
    return {"event_id": event.pk}


def _offered(actors):
    event = event_with_foreign_panelist(actors)
    make_registration(
        event, actors.member_a, status="offered", offer_expires_at=timezone.now() + datetime.timedelta(hours=48)
    )
    return {"event_id": event.pk}


def _registration(actors):
    event = event_with_foreign_panelist(actors)
    registration = make_registration(event, actors.member_a)
    return {"event_id": event.pk, "registration_id": registration.pk}


def _question(status=Question.Status.APPROVED):
    def build(actors):
        event = event_with_foreign_panelist(actors)
        question = make_question(event, actors.member_a, status=status, panel=event.panels.first())
        return {"event_id": event.pk, "question_id": question.pk}

    return build


def _commitment(actors):
    event = event_with_foreign_panelist(actors)
    return {"commitment_id": make_commitment(event, actors.staff).pk}


URL_ACCESS = {
    "events:list": Rule(PUBLIC, public_cache=VISITORS),
    "events:detail": Rule(PUBLIC, kwargs=_event, public_cache=VISITORS),
    "events:ical": Rule(PUBLIC, kwargs=_event, public_cache=VISITORS),
    "events:register": Rule(MEMBER_POST, kwargs=_event, method="post"),
    "events:confirm_place": Rule(MEMBER_A_POST, kwargs=_offered, method="post"),
    "events:cancel_registration": Rule(MEMBER_A_POST, kwargs=_registered, method="post"),
    "events:ticket": Rule(MEMBER_A_OBJECT, kwargs=_registered),
    "events:checkin": Rule(STAFF, kwargs=_event),
    "events:checkin_mark": Rule(STAFF_POST, kwargs=_registration, method="post"),
    "events:report": Rule(STAFF, kwargs=_event),
    "events:qa": Rule(QA, kwargs=_event),
    "events:qa_fragment": Rule(QA, kwargs=_event),
    "events:question_ask": Rule(
        MEMBER_POST,
        kwargs=_event,
        method="post",
        data={"text": "مجوز بهداشتی خانگی چقدر طول می‌کشد؟", "topic": "health_permits"},
    ),
    "events:question_edit": Rule(MEMBER_A_OBJECT, kwargs=_question()),
    "events:question_withdraw": Rule(MEMBER_A_POST, kwargs=_question(), method="post"),
    "events:question_vote": Rule(MEMBER_POST, kwargs=_question(), method="post", data={"state": "on"}),
    "events:moderate": Rule(STAFF, kwargs=_event),
    "events:moderate_fragment": Rule(STAFF, kwargs=_event),
    "events:question_approve": Rule(STAFF_POST, kwargs=_question(Question.Status.PENDING), method="post"),
    "events:question_reject": Rule(STAFF_POST, kwargs=_question(), method="post", data={"reason": "تکراری است"}),
    "events:question_merge": Rule(STAFF_POST, kwargs=_question(), method="post", data={"into": "0"}),
    "events:question_answer": Rule(STAFF_POST, kwargs=_question(), method="post", data={"text": "پاسخ ثبت شد."}),
    "events:question_route": Rule(STAFF_POST, kwargs=_question(), method="post", data={"panelist": ""}),
    "events:question_present": Rule(STAFF_POST, kwargs=_question(), method="post"),
    "events:commitment_create": Rule(STAFF, kwargs=_question()),
    "events:screen": Rule(STAFF, kwargs=_event),
    "events:screen_fragment": Rule(STAFF, kwargs=_event),
    "events:commitments": Rule(SIGNED_IN),
    "events:commitment_detail": Rule(SIGNED_IN, kwargs=_commitment),
}
