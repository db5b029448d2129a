"""Who asked an anonymous question is for estates staff only: a differential test runs every
page, fragment, export and projector view a panelist (and another member, and staff for the
pages that never name anonymous askers) can reach, changes who asked the anonymous questions
(other people, people new to the portal), and runs them again: every answer is the same once
CSRF tokens and cache versions are left out, and none carries an asker's identity."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import make_member, make_user
from events import qa_cache, services
from events.models import Question, Vote
from events.tests.factories import make_event, make_panelist, make_question

pytestmark = pytest.mark.django_db

FIRST_ASKERS = [("09130000051", "پرسشگر نخست", "0067749828"), ("09130000052", "پرسشگر دوم", "0013542419")]
NEW_ASKERS = [("09130000061", "پرسشگر تازه", "0084575948"), ("09130000062", "پرسشگر تازه‌تر", "0075940434")]
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+(")')
VERSION = re.compile(r'(<input type="hidden" name="v" value=")[^"]+(")')


def _askers(people, start_number):
    users = []
    for offset, (mobile, name, national_id) in enumerate(people):
        user = make_user(mobile, name)
        make_member(user, national_id=national_id, number=start_number + offset)
        users.append(user)
    return users


def _identities(users):
    """What would identify an asker: their name, mobile number and business name."""
    marks = []
    for user in users:
        marks += [user.full_name, user.mobile, user.member_link.member.business_name]
    return marks


@pytest.fixture
def scene(actors):
    event = make_event()
    seat = make_panelist(event, actors.panelist)
    first = _askers(FIRST_ASKERS, 51)
    anonymous = [
        make_question(event, first[0], text="پرسش ناشناس درباره قیمت", anonymous=True, addressed_panelist=seat),
        make_question(event, first[1], text="پرسش ناشناس درباره مجوز", anonymous=True, topic="health_permits"),
        make_question(event, first[0], text="پرسش ناشناس در انتظار", anonymous=True, status=Question.Status.PENDING),
    ]
    open_question = make_question(event, actors.member_b, text="پرسش آشکار عضو ب")
    Vote.objects.create(question=anonymous[0], user=actors.member_b)
    Question.objects.filter(pk=anonymous[0].pk).update(vote_count=1)
    services.question_answer(question=anonymous[1], by=actors.panelist, text="پاسخ پنل", panelist=seat)
    services.commitment_create(
        questions=[anonymous[1]],
        by=actors.staff,
        title="پیگیری مجوزها",
        owner_organisation="health",
        responsible_person="کارشناس بهداشت",
        due_date=anonymous[1].created_at.date().replace(year=anonymous[1].created_at.year + 1),
    )
    services.question_present(event=event, question=anonymous[0], by=actors.staff)
    anonymous[1].refresh_from_db()
    return {"event": event, "anonymous": anonymous, "open": open_question, "first": first}


def _requests(client_as, scene):
    event = scene["event"]
    commitment = reverse("events:commitment_detail", args=[scene["anonymous"][1].commitment_id])
    panelist, member, staff = client_as("panelist"), client_as("member_a"), client_as("staff")
    requests = [("panelist", panelist, reverse("events:qa", args=[event.pk]) + f"?sort={s}") for s in ("votes", "new")]
    requests += [
        ("panelist", panelist, reverse("events:qa_fragment", args=[event.pk]) + f"?sort={s}") for s in ("votes", "new")
    ]
    for status in ("open", "pending", "approved", "answered", "rejected", "merged", "withdrawn"):
        requests.append(("panelist", panelist, reverse("events:moderate", args=[event.pk]) + f"?status={status}"))
        requests.append(
            ("panelist", panelist, reverse("events:moderate_fragment", args=[event.pk]) + f"?status={status}")
        )
    requests += [
        ("panelist", panelist, commitment),
        ("panelist", panelist, reverse("events:commitments")),
        ("panelist", panelist, reverse("events:detail", args=[event.pk])),
        ("member", member, reverse("events:qa", args=[event.pk])),
        ("member", member, reverse("events:qa_fragment", args=[event.pk])),
        ("member", member, commitment),
        # The projector and the minutes never name anonymous askers, not even for staff.
        ("staff", staff, reverse("events:screen", args=[event.pk])),
        ("staff", staff, reverse("events:screen_fragment", args=[event.pk])),
        ("staff", staff, reverse("events:report", args=[event.pk])),
        ("staff", staff, reverse("events:report", args=[event.pk]) + "?format=csv"),
        ("staff", staff, reverse("events:report", args=[event.pk]) + "?format=xlsx"),
    ]
    return requests


def _run(client_as, scene):
    # Every cached fragment is rendered afresh: a cache must not hide a difference.
    qa_cache.bump_event(scene["event"].pk)
    qa_cache.bump_people()
    answers = {}
    for who, client, url in _requests(client_as, scene):
        response = client.get(url)
        assert response.status_code == 200, (who, url)
        if "format=xlsx" in url:
            workbook = load_workbook(io.BytesIO(response.content))
            body = repr([[list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook])
        else:
            body = response.content.decode()
        body = VERSION.sub(r"\1…\2", CSRF.sub(r"\1…\2", body))
        answers[(who, url)] = body
    return answers


def test_panelist_and_member_pages_do_not_change_with_who_asked_anonymously(actors, client_as, scene):
    before = _run(client_as, scene)
    # Other people asked the same anonymous questions: one asker swapped for another, and
    # people new to the portal.
    new = _askers(NEW_ASKERS, 61)
    first = scene["first"]
    Question.objects.filter(pk=scene["anonymous"][0].pk).update(asker=new[0])
    Question.objects.filter(pk=scene["anonymous"][1].pk).update(asker=first[0])
    Question.objects.filter(pk=scene["anonymous"][2].pk).update(asker=new[1])
    after = _run(client_as, scene)
    assert list(after) == list(before)
    changed = [key for key in before if before[key] != after[key]]
    assert changed == []
    marks = _identities([*first, *new])
    leaks = {key: [m for m in marks if m in body] for key, body in {**before, **after}.items()}
    assert {key: found for key, found in leaks.items() if found} == {}
    # The pages did show the questions (the test looks at the right thing).
    assert (
        "پرسش ناشناس درباره قیمت"
        in before[("panelist", reverse("events:qa", args=[scene["event"].pk]) + "?sort=votes")]
    )


def test_staff_see_who_asked_on_the_moderation_page_only(actors, client_as, scene):
    event = scene["event"]
    staff = client_as("staff")
    body = staff.get(reverse("events:moderate", args=[event.pk]) + "?status=open").content.decode()
    assert "پرسشگر نخست" in body
    live = staff.get(reverse("events:qa_fragment", args=[event.pk])).content.decode()
    assert "پرسشگر نخست" in live  # staff's own variant of the Q&A
    # The shared list members and panelists get is another entry: no name there.
    member_live = client_as("member_a").get(reverse("events:qa_fragment", args=[event.pk])).content.decode()
    panelist_live = client_as("panelist").get(reverse("events:qa_fragment", args=[event.pk])).content.decode()
    assert "پرسشگر نخست" not in member_live and "پرسشگر نخست" not in panelist_live
