"""Loose ends of events: the waiting list with offers held for a time, questions routed to an
official with a due date, commitment owners' reminders and the followers' weekly digest."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from conftest import make_member, make_user
from core.models import AuditEntry, Notification
from events import services
from events.models import (
    CommitmentDigest,
    CommitmentNote,
    CommitmentReminder,
    Question,
    Registration,
    Vote,
)
from events.tests.factories import make_commitment, make_event, make_panelist, make_question, make_registration

pytestmark = pytest.mark.django_db


def _third_member():
    user = make_user("09130000044", "عضو پ")
    make_member(user, national_id="0010000003", number=3)
    return user


def _subjects(user):
    return list(Notification.objects.filter(user=user).order_by("pk").values_list("subject", flat=True))


def _actions(instance):
    return list(
        AuditEntry.objects.filter(object_id=str(instance.pk), action__startswith="event.")
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- Waiting list ---------------------------------------------------------------------------


def test_full_event_takes_a_waiting_list_and_a_cancellation_offers_the_place_to_the_first_in_line(actors):
    c = _third_member()
    event = make_event(title="کارگاه بسته‌بندی", capacity=1)
    first = services.registration_create(event=event, user=actors.member_a)
    with pytest.raises(ValidationError) as error:
        services.registration_create(event=event, user=actors.member_b)
    assert error.value.code == "full"
    b = services.registration_create(event=event, user=actors.member_b, waiting_list=True)
    c_row = services.registration_create(event=event, user=c, waiting_list=True)
    assert (b.status, c_row.status) == ("waiting", "waiting")
    assert _subjects(actors.member_b) == ["شما در فهرست انتظار «کارگاه بسته‌بندی» هستید"]
    assert Notification.objects.get(user=actors.member_b).body == (
        "وقتی جایی خالی شود به شما خبر می‌دهیم و ۴۸ ساعت برای تأیید آن فرصت دارید."
    )
    # Joining again changes nothing.
    assert services.registration_create(event=event, user=actors.member_b, waiting_list=True).pk == b.pk

    before = timezone.now()
    services.registration_cancel(registration=first)
    b.refresh_from_db()
    c_row.refresh_from_db()
    assert (b.status, c_row.status) == ("offered", "waiting")
    held = b.offer_expires_at - b.offered_at
    assert held == datetime.timedelta(hours=48) and b.offered_at >= before
    assert _subjects(actors.member_b)[-1] == "در «کارگاه بسته‌بندی» برای شما جا خالی شد"
    assert _subjects(c) == ["شما در فهرست انتظار «کارگاه بسته‌بندی» هستید"]
    # The offered place counts as taken: a newcomer joins the waiting list behind the others.
    newcomer = services.registration_create(event=event, user=actors.member_a, waiting_list=True)
    assert newcomer.status == "waiting"

    confirmed = services.registration_offer_confirm(registration=b)
    assert confirmed.status == "registered"
    assert _subjects(actors.member_b)[-1] == "ثبت‌نام شما در «کارگاه بسته‌بندی» انجام شد"
    assert _actions(b) == ["event.waiting_list_join", "event.place_offer", "event.place_confirm"]
    assert Registration.objects.filter(event=event, status__in=("registered", "offered")).count() == 1


def test_an_offer_not_confirmed_in_time_passes_to_the_next_in_line_once(actors):
    c = _third_member()
    event = make_event(capacity=1)
    first = services.registration_create(event=event, user=actors.member_a)
    b = services.registration_create(event=event, user=actors.member_b, waiting_list=True)
    c_row = services.registration_create(event=event, user=c, waiting_list=True)
    services.registration_cancel(registration=first)
    b.refresh_from_db()

    later = b.offer_expires_at + datetime.timedelta(minutes=1)
    assert services.waiting_list_expire_offers(now=b.offer_expires_at - datetime.timedelta(minutes=1)) == 0
    assert services.waiting_list_expire_offers(now=later) == 1
    b.refresh_from_db()
    c_row.refresh_from_db()
    assert (b.status, c_row.status) == ("expired", "offered")
    assert c_row.offer_expires_at == later + datetime.timedelta(hours=48)
    with pytest.raises(ValidationError) as error:
        services.registration_offer_confirm(registration=b)
    assert error.value.code == "not_offered"

    counts = (Notification.objects.count(), AuditEntry.objects.count())
    assert services.waiting_list_expire_offers(now=later) == 0  # run again: nothing more
    assert (Notification.objects.count(), AuditEntry.objects.count()) == counts
    assert _subjects(actors.member_b)[-1].startswith("جای پیشنهادشده به شما در")
    # Too late to confirm, even before the task ran.
    with pytest.raises(ValidationError) as error:
        services.registration_offer_confirm(registration=c_row, now=c_row.offer_expires_at)
    assert error.value.code == "expired"


def test_an_offer_never_outlives_the_event_start_and_leaving_the_list_frees_nothing(actors):
    event = make_event(capacity=1, starts_at=timezone.now() + datetime.timedelta(hours=10))
    first = services.registration_create(event=event, user=actors.member_a)
    b = services.registration_create(event=event, user=actors.member_b, waiting_list=True)
    services.registration_cancel(registration=first)
    b.refresh_from_db()
    assert b.offer_expires_at == event.starts_at
    # Declining the offer: the place goes back to the list (nobody left) and stays free.
    services.registration_cancel(registration=b)
    b.refresh_from_db()
    assert b.status == "cancelled"
    assert services.registration_create(event=event, user=actors.member_b).status == "registered"


def test_waiting_list_pages_for_the_member(actors, client_as):
    c = _third_member()
    event = make_event(capacity=1)
    make_registration(event, c)
    client = client_as("member_a")
    page = client.get(event.get_absolute_url()).content.decode()
    assert 'data-testid="join-waiting-list"' in page
    response = client.post(reverse("events:register", args=[event.pk]), {"waiting_list": "1"}, follow=True)
    body = response.content.decode()
    assert "در فهرست انتظار هستید: نفر ۱." in body
    # The place frees up: the member confirms it from the event's page.
    services.registration_cancel(registration=Registration.objects.get(user=c))
    page = client.get(event.get_absolute_url()).content.decode()
    assert 'data-testid="confirm-place"' in page
    assert client_as("member_b").post(reverse("events:confirm_place", args=[event.pk])).status_code == 404
    response = client.post(reverse("events:confirm_place", args=[event.pk]))
    assert response["Location"] == reverse("events:ticket", args=[event.pk])
    assert Registration.objects.get(user=actors.member_a).status == "registered"


def test_events_followup_command_runs_the_periodic_work(actors):
    event = make_event(capacity=1)
    first = services.registration_create(event=event, user=actors.member_a)
    b = services.registration_create(event=event, user=actors.member_b, waiting_list=True)
    services.registration_cancel(registration=first)
    Registration.objects.filter(pk=b.pk).update(offer_expires_at=timezone.now() - datetime.timedelta(minutes=1))
    call_command("events_followup", stdout=open("/dev/null", "w"))  # noqa: SIM115
    b.refresh_from_db()
    assert b.status == "expired"


# --- Routing questions ---------------------------------------------------------------------


def test_a_question_addressed_to_a_panelist_with_an_account_is_routed_to_them_when_published(actors):
    event = make_event(title="همایش خوشه", qa_premoderation=True)
    seat = make_panelist(event, actors.panelist)
    question = services.question_ask(
        event=event, asker=actors.member_a, text="مجوز بهداشت چقدر طول می‌کشد؟", topic="health_permits",
        addressed_panelist=seat,
    )  # fmt: skip
    assert question.routed_to_id is None  # not published yet: nobody is told
    services.question_approve(question=question, by=actors.staff)
    question.refresh_from_db()
    due = timezone.localdate(event.ends_at) + datetime.timedelta(days=7)
    assert (question.routed_to_id, question.answer_due) == (seat.pk, due)
    assert _subjects(actors.panelist) == ["پرسشی در «همایش خوشه» به شما ارجاع شد"]
    assert AuditEntry.objects.filter(action="question.route", object_id=str(question.pk)).count() == 1


def test_staff_route_a_question_the_official_is_told_and_an_overdue_one_is_marked(actors, client_as):
    event = make_event()
    seat = make_panelist(event, actors.panelist)
    question = make_question(event, actors.member_a)
    staff = client_as("staff")
    url = reverse("events:question_route", args=[event.pk, question.pk])
    response = staff.post(url, {"panelist": seat.pk, "due_date": "۱۴۰۵/۰۱/۰۱"}, follow=True)
    assert "مهلت نمی‌تواند در گذشته باشد." in response.content.decode()
    question.refresh_from_db()
    assert question.routed_to_id is None
    due = timezone.localdate() + datetime.timedelta(days=3)
    staff.post(url, {"panelist": seat.pk, "due_date": due.isoformat()})
    question.refresh_from_db()
    assert (question.routed_to_id, question.answer_due) == (seat.pk, due)
    assert len(_subjects(actors.panelist)) == 1
    # The official finds it marked for them at the top of their moderation queue.
    mine = client_as("panelist").get(reverse("events:moderate", args=[event.pk])).content.decode()
    assert mine.count('<span class="badge text-bg-primary">برای شما</span>') == 1
    moderation = reverse("events:moderate", args=[event.pk])
    assert 'data-testid="overdue"' not in staff.get(moderation).content.decode()
    Question.objects.filter(pk=question.pk).update(answer_due=timezone.localdate() - datetime.timedelta(days=1))
    page = staff.get(moderation).content.decode()
    assert page.count('data-testid="overdue"') == 1
    # The panelist may not route (staff only), and an unlinked seat cannot be routed to.
    assert client_as("panelist").post(url, {"panelist": seat.pk}).status_code == 403
    unlinked = make_panelist(event, None, name="نماینده بهداشت")
    with pytest.raises(ValidationError) as error:
        services.question_route(question=question, by=actors.staff, panelist=unlinked)
    assert error.value.code == "no_account"
    # Answering it ends the overdue mark.
    services.question_answer(question=question, by=actors.staff, text="پاسخ داده شد.", panelist=seat)
    assert 'data-testid="overdue"' not in staff.get(moderation).content.decode()


def test_moderation_queue_with_routed_questions_costs_the_same_for_one_or_many(
    actors, client_as, django_assert_num_queries
):
    event = make_event()
    seat = make_panelist(event, actors.panelist)
    staff = client_as("staff")
    url = reverse("events:moderate", args=[event.pk])

    def add(n):
        for i in range(n):
            q = make_question(event, actors.member_a, text=f"پرسش {i}")
            services.question_route(question=q, by=actors.staff, panelist=seat)

    add(1)
    staff.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        staff.get(url)
    add(6)
    with django_assert_num_queries(len(one.captured_queries)):
        staff.get(url)


# --- Commitments: owners' reminders and the weekly digest ----------------------------------


def test_owner_is_reminded_once_before_and_once_after_the_due_date(actors):
    event = make_event()
    today = timezone.localdate()
    due = today + datetime.timedelta(days=5)
    owned = make_commitment(event, actors.staff, title="زمین شهرک", owner_user=actors.panelist, due_date=due)
    make_commitment(event, actors.staff, title="بدون حساب", due_date=due)  # a text owner: nobody to remind
    make_commitment(
        event, actors.staff, title="دور", owner_user=actors.panelist, due_date=today + datetime.timedelta(days=30)
    )
    assert services.commitment_reminders_send(today=today - datetime.timedelta(days=3)) == 0  # 8 days before
    assert services.commitment_reminders_send(today=today) == 1
    assert services.commitment_reminders_send(today=today + datetime.timedelta(days=1)) == 0
    assert services.commitment_reminders_send(today=due) == 0
    after = due + datetime.timedelta(days=1)
    assert services.commitment_reminders_send(today=after) == 1
    assert services.commitment_reminders_send(today=after + datetime.timedelta(days=10)) == 0
    assert [s.split(":")[0] for s in _subjects(actors.panelist)] == [
        f"موعد تعهد پیگیری در {services._format_date(due).replace(':', '')}",
        f"تعهد پیگیری از {services._format_date(due)} عقب افتاده است",
    ]
    assert list(CommitmentReminder.objects.order_by("pk").values_list("commitment_id", "kind")) == [
        (owned.pk, "before"),
        (owned.pk, "after"),
    ]
    # Done commitments are not reminded; a new due date is reminded again.
    owned.due_date = after + datetime.timedelta(days=3)
    owned.save()
    assert services.commitment_reminders_send(today=after) == 1
    services.commitment_update(commitment=owned, by=actors.staff, status="done", note="انجام شد")
    assert services.commitment_reminders_send(today=owned.due_date + datetime.timedelta(days=1)) == 0


def test_a_before_reminder_is_judged_on_one_row_of_the_reminders(actors):
    """A "before" reminder for an earlier due date and an "after" one for the current date do
    not add up to a "before" reminder for the current date."""
    event = make_event()
    today = timezone.localdate()
    due = today + datetime.timedelta(days=3)
    owned = make_commitment(event, actors.staff, title="زمین شهرک", owner_user=actors.panelist, due_date=due)
    CommitmentReminder.objects.create(commitment=owned, kind="before", due_date=today + datetime.timedelta(days=10))
    CommitmentReminder.objects.create(commitment=owned, kind="after", due_date=due)
    assert services.commitment_reminders_send(today=today) == 1
    assert CommitmentReminder.objects.filter(commitment=owned, kind="before", due_date=due).count() == 1


def test_followers_get_one_weekly_digest_listing_every_change_of_the_week(actors):
    c = _third_member()
    event = make_event()
    today = datetime.date(2026, 11, 30)  # a Monday: last week is Sat 21 – Fri 27 Nov
    start, end = services.digest_week(today)
    assert (start, end) == (datetime.date(2026, 11, 21), datetime.date(2026, 11, 28))
    land = make_commitment(event, actors.staff, title="زمین شهرک")
    loan = make_commitment(event, actors.staff, title="وام سرمایه در گردش")
    asked = make_question(event, actors.member_a, commitment=land)
    other = make_question(event, c, commitment=loan)
    Vote.objects.create(question=other, user=actors.member_a)  # member_a follows both
    in_week = timezone.make_aware(datetime.datetime(2026, 11, 24, 10, 0))
    outside = timezone.make_aware(datetime.datetime(2026, 11, 29, 10, 0))
    for commitment, text, at, status in (
        (land, "نقشه تفکیکی تأیید شد", in_week, "in_progress"),
        (loan, "بانک عامل معرفی شد", in_week, ""),
        (loan, "این هفته نیست", outside, ""),
    ):
        note = CommitmentNote.objects.create(
            commitment=commitment, text=text, author=actors.staff, date=at.date(),
            status_from="open" if status else "", status_to=status,
        )  # fmt: skip
        CommitmentNote.objects.filter(pk=note.pk).update(created_at=at)
    assert asked.asker == actors.member_a
    Notification.objects.all().delete()

    assert services.commitment_digests_send(today=today) == 2
    [digest] = Notification.objects.filter(user=actors.member_a)
    assert digest.subject == "تغییرات این هفته در تعهدهای پیگیری شما (۲)"
    assert "زمین شهرک\n• ۳ آذر ۱۴۰۵: باز ← در جریان: نقشه تفکیکی تأیید شد" in digest.body
    assert "وام سرمایه در گردش\n• ۳ آذر ۱۴۰۵: بانک عامل معرفی شد" in digest.body
    assert "این هفته نیست" not in digest.body
    [for_c] = Notification.objects.filter(user=c)
    assert "زمین شهرک" not in for_c.body and "بانک عامل معرفی شد" in for_c.body
    assert Notification.objects.filter(user=actors.member_b).count() == 0
    # Idempotent: the same week again (later that day, the next day) sends nothing.
    assert services.commitment_digests_send(today=today) == 0
    assert services.commitment_digests_send(today=today + datetime.timedelta(days=1)) == 0
    assert Notification.objects.count() == 2
    assert sorted(CommitmentDigest.objects.values_list("week_start", "changes")) == [(start, 1), (start, 2)]


def test_a_commitment_can_be_given_an_owner_account_from_the_form(actors, client_as):
    event = make_event()
    make_panelist(event, actors.panelist)
    question = make_question(event, actors.member_a)
    response = client_as("staff").post(
        reverse("events:commitment_create", args=[event.pk, question.pk]),
        {
            "title": "پیگیری وام",
            "owner_organisation": "estates",
            "responsible_person": "معاون سرمایه‌گذاری",
            "owner_user": actors.panelist.pk,
            "due_date": (timezone.localdate() + datetime.timedelta(days=20)).isoformat(),
        },
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.commitment.owner_user, question.commitment.responsible_person) == (
        actors.panelist,
        "معاون سرمایه‌گذاری",
    )
    page = client_as("member_b").get(question.commitment.get_absolute_url()).content.decode()
    assert 'data-testid="owner-account"' in page
    # A member is no official: refused with a message, nothing lost.
    response = client_as("staff").post(
        reverse("events:commitment_create", args=[event.pk, question.pk]),
        {"title": "دوم", "owner_organisation": "estates", "responsible_person": "x", "owner_user": actors.member_b.pk,
         "due_date": (timezone.localdate() + datetime.timedelta(days=20)).isoformat()},
    )  # fmt: skip
    assert response.status_code == 400
    assert 'value="دوم"' in response.content.decode()


# --- Projector ------------------------------------------------------------------------------


def test_projector_shows_the_address_to_join_its_qr_code_and_marks_answered_questions(actors, client_as):
    event = make_event()
    seat = make_panelist(event, actors.panelist, name="رئیس اتحادیه")
    now_on = make_question(event, actors.member_a, text="پرسش روی پرده")
    done = make_question(event, actors.member_b, text="پرسش پاسخ‌داده")
    open_one = make_question(event, actors.member_b, text="پرسش باز")
    services.question_answer(question=done, by=actors.staff, text="پاسخ", panelist=seat)
    services.question_present(event=event, question=now_on, by=actors.staff)
    page = client_as("staff").get(reverse("events:screen", args=[event.pk])).content.decode()
    join = f"testserver/events/{event.pk}/qa/"
    assert f'<bdi dir="ltr" data-testid="join-address">{join}</bdi>' in page
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and 'class="qr"' in page
    assert 'class="current fw-bold pre-line">پرسش روی پرده</div>' in page
    answered = page[page.index('data-testid="answered"') :]
    assert "پرسش پاسخ‌داده" in answered and "— رئیس اتحادیه" in answered and "پرسش باز" not in answered
    assert open_one.text in page[page.index('data-testid="top"') : page.index('data-testid="answered"')]


def test_admin_lists_routed_questions_with_due_dates_and_filters_the_overdue(actors, client_as):
    event = make_event()
    seat = make_panelist(event, actors.panelist, name="رئیس اتحادیه")
    late = make_question(event, actors.member_a, text="پرسش عقب‌افتاده")
    on_time = make_question(event, actors.member_a, text="پرسش در مهلت")
    services.question_route(question=late, by=actors.staff, panelist=seat)
    services.question_route(question=on_time, by=actors.staff, panelist=seat)
    Question.objects.filter(pk=late.pk).update(answer_due=timezone.localdate() - datetime.timedelta(days=2))
    url = reverse("admin:events_question_changelist")
    page = client_as("staff").get(url, {"routed": "overdue"}).content.decode()
    assert "پرسش عقب‌افتاده" in page and "پرسش در مهلت" not in page
    assert page.count("⚠") == 1 and "عقب‌افتاده</strong>" in page


def test_dashboard_tells_the_member_of_a_place_offered_to_them(actors, client_as):
    event = make_event(title="بازدید از خط بسته‌بندی", capacity=1)
    first = services.registration_create(event=event, user=actors.member_b)
    services.registration_create(event=event, user=actors.member_a, waiting_list=True)
    body = client_as("member_a").get(reverse("members:dashboard")).content.decode()
    assert "بازدید از خط بسته‌بندی" in body and "در فهرست انتظار" in body
    services.registration_cancel(registration=first)
    body = client_as("member_a").get(reverse("members:dashboard")).content.decode()
    assert 'data-testid="dashboard-offer"' in body
