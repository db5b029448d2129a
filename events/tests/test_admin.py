import datetime

import pytest
from django.urls import reverse

from core import fragment_cache
from events import qa_cache
from events.models import Event, Question
from events.tests.factories import make_commitment, make_event, make_panelist, make_question, make_registration

pytestmark = pytest.mark.django_db

MODELS = ["event", "panel", "panelist", "registration", "question", "commitment"]


def test_staff_open_every_events_admin_page(actors, client_as):
    event = make_event()
    objects = {
        "event": event,
        "panel": make_panelist(event).panel,
        "panelist": event.panels.get().panelists.get(),
        "registration": make_registration(event, actors.member_a),
        "question": make_question(event, actors.member_a),
        "commitment": make_commitment(event, actors.staff),
    }
    client = client_as("staff")
    got = {}
    for model in MODELS:
        for view, args in (("changelist", []), ("add", []), ("change", [objects[model].pk])):
            got[f"{model} {view}"] = client.get(reverse(f"admin:events_{model}_{view}", args=args)).status_code
    assert got == dict.fromkeys(got, 200)
    assert client_as("member_a").get(reverse("admin:events_event_changelist")).status_code == 302


def test_staff_create_an_event_with_jalali_date_and_time(actors, client_as):
    response = client_as("staff").post(
        reverse("admin:events_event_add"),
        {
            "title": "همایش بسته‌بندی",
            "kind": "conference",
            "status": "published",
            "audience": "public",
            "description": "",
            "starts_at_0": "۱۴۰۵/۱۰/۰۱",
            "starts_at_1": "۰۹:۳۰",
            "ends_at_0": "1405/10/01",
            "ends_at_1": "13:00",
            "venue": "قزوین",
            "capacity": "۵۰",
            "registration_opens_at_0": "",
            "registration_opens_at_1": "",
            "registration_closes_at_0": "",
            "registration_closes_at_1": "",
            "qa_open": "on",
            "agenda-TOTAL_FORMS": "1",
            "agenda-INITIAL_FORMS": "0",
            "agenda-0-starts_at": "09:30",
            "agenda-0-title": "افتتاحیه",
            "panels-TOTAL_FORMS": "0",
            "panels-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get()
    from django.utils import timezone

    assert timezone.localtime(event.starts_at).replace(tzinfo=None) == datetime.datetime(2026, 12, 22, 9, 30)
    assert (event.capacity, event.agenda.get().title) == (50, "افتتاحیه")


def test_votes_edited_in_admin_keep_the_count(actors, client_as):
    event = make_event()
    question = make_question(event, actors.member_a, vote_count=7)
    before = fragment_cache.tokens(qa_cache.qa_version_name(event.pk))
    page = client_as("staff").get(reverse("admin:events_question_change", args=[question.pk]))
    assert page.status_code == 200
    data = {
        "event": event.pk,
        "asker": actors.member_a.pk,
        "text": question.text,
        "topic": "unit_price",
        "status": "approved",
        "created_at_0": "1405/09/01",
        "created_at_1": "10:00",
        "answer-TOTAL_FORMS": "0",
        "answer-INITIAL_FORMS": "0",
        "votes-TOTAL_FORMS": "1",
        "votes-INITIAL_FORMS": "0",
        "votes-0-user": actors.member_b.pk,
    }
    response = client_as("staff").post(reverse("admin:events_question_change", args=[question.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    question.refresh_from_db()
    assert question.vote_count == 1
    assert fragment_cache.tokens(qa_cache.qa_version_name(event.pk)) != before
    assert Question.objects.count() == 1
    from core.models import AuditEntry

    entry = AuditEntry.objects.get(action="events.admin_change_question")
    assert (entry.actor, entry.object_id) == (actors.staff, str(question.pk))
