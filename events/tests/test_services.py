import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone

from conftest import make_member, make_user
from core import fragment_cache
from core.models import AuditEntry, Notification
from events import qa_cache, services
from events.models import Commitment, Event, Question, Registration, ReminderSent, Vote
from events.tests.factories import make_commitment, make_event, make_panelist, make_question, make_registration

pytestmark = pytest.mark.django_db


# --- Votes ----------------------------------------------------------------------------------


def _qa_token(event):
    return fragment_cache.tokens(qa_cache.qa_version_name(event.pk))


def test_vote_is_set_to_the_state_asked_and_repeating_it_changes_nothing(actors):
    event = make_event()
    question = make_question(event, actors.member_a)
    tokens = [_qa_token(event)]

    assert services.question_vote_set(question=question, user=actors.member_b, on=True) is True
    tokens.append(_qa_token(event))
    assert services.question_vote_set(question=question, user=actors.member_b, on=True) is False
    tokens.append(_qa_token(event))
    question.refresh_from_db()
    assert (question.vote_count, Vote.objects.filter(question=question).count()) == (1, 1)

    assert services.question_vote_set(question=question, user=actors.member_b, on=False) is True
    tokens.append(_qa_token(event))
    assert services.question_vote_set(question=question, user=actors.member_b, on=False) is False
    tokens.append(_qa_token(event))
    question.refresh_from_db()
    assert (question.vote_count, Vote.objects.filter(question=question).count()) == (0, 0)
    # Each real change renews the version every cached Q&A fragment is keyed by; repeats do not.
    assert [tokens[i] == tokens[i + 1] for i in range(4)] == [False, True, False, True]


def test_vote_counts_each_user_once(actors):
    event = make_event()
    question = make_question(event, actors.member_a)
    services.question_vote_set(question=question, user=actors.member_a, on=True)
    services.question_vote_set(question=question, user=actors.member_b, on=True)
    question.refresh_from_db()
    assert question.vote_count == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(question=question, user=actors.member_b)


def test_vote_refused_on_a_waiting_question(actors):
    question = make_question(make_event(), actors.member_a, status=Question.Status.PENDING)
    with pytest.raises(ValidationError) as error:
        services.question_vote_set(question=question, user=actors.member_b, on=True)
    assert error.value.code == "not_votable"


# --- Registration ---------------------------------------------------------------------------


def test_registration_respects_capacity_and_reopens_a_cancelled_seat(actors):
    event = make_event(capacity=1)
    first = services.registration_create(event=event, user=actors.member_a)
    with pytest.raises(ValidationError) as error:
        services.registration_create(event=event, user=actors.member_b)
    assert error.value.code == "full"
    services.registration_cancel(registration=first)
    second = services.registration_create(event=event, user=actors.member_b)
    assert (second.status, Registration.objects.filter(event=event, status="registered").count()) == ("registered", 1)
    # Registering again after cancelling reuses the row (one per event × user).
    services.registration_cancel(registration=second)
    again = services.registration_create(event=event, user=actors.member_b)
    assert (again.pk, again.status) == (second.pk, "registered")


def test_registration_only_for_active_members_and_open_window(actors):
    event = make_event()
    for role in ("applicant", "staff", "panelist"):
        with pytest.raises(PermissionDenied):
            services.registration_create(event=event, user=actors.user(role))
    closed = make_event(registration_closes_at=timezone.now() - datetime.timedelta(hours=1))
    with pytest.raises(ValidationError) as error:
        services.registration_create(event=closed, user=actors.member_a)
    assert error.value.code == "closed"
    draft = make_event(status=Event.Status.DRAFT)
    with pytest.raises(ValidationError):
        services.registration_create(event=draft, user=actors.member_a)


def test_registration_is_stored_with_a_searchable_key_and_notifies(actors):
    event = make_event()
    registration = services.registration_create(event=event, user=actors.member_a)
    assert registration.search_key == "عضو الف کارگاه عضو الف 09130000002"
    assert len(registration.code) == 10
    assert list(Notification.objects.filter(user=actors.member_a).values_list("subject", flat=True)) == [
        f"ثبت‌نام شما در «{event.title}» انجام شد"
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_capacity_never_exceeded_by_simultaneous_registrations():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks)")
    event = make_event(capacity=3)
    users = []
    for i in range(12):
        user = make_user(f"0913100{i:04d}", f"عضو همزمان {i}")
        make_member(user, national_id=_national_id(i), number=100 + i)
        users.append(user)
    barrier = threading.Barrier(len(users))
    outcomes = []

    def register(user):
        try:
            barrier.wait()
            services.registration_create(event=event, user=user)
            outcomes.append("ok")
        except ValidationError as error:
            outcomes.append(error.code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=register, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["full"] * 9 + ["ok"] * 3
    assert Registration.objects.filter(event=event, status="registered").count() == 3


def _national_id(i: int) -> str:
    """A valid Iranian national ID (checksum) built from a 9-digit body."""
    body = f"{555000000 + i:09d}"
    total = sum(int(d) * (10 - pos) for pos, d in enumerate(body))
    rest = total % 11
    return body + str(rest if rest < 2 else 11 - rest)


def test_check_in_is_recorded_once_with_audit(actors):
    registration = make_registration(make_event(), actors.member_a)
    services.registration_check_in(registration=registration, by=actors.staff)
    first = Registration.objects.get(pk=registration.pk).checked_in_at
    services.registration_check_in(registration=registration, by=actors.staff)
    registration.refresh_from_db()
    assert (registration.checked_in_at, registration.checked_in_by) == (first, actors.staff)
    assert AuditEntry.objects.filter(action="event.check_in").count() == 1
    with pytest.raises(ValidationError):
        services.registration_cancel(registration=registration)


def test_reminders_the_day_before_are_sent_once(actors):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(10)))
    event = make_event(starts_at=start)
    later = make_event(starts_at=start + datetime.timedelta(days=3))
    make_registration(event, actors.member_a)
    make_registration(event, actors.member_b, status="cancelled")
    make_registration(later, actors.member_b)

    assert services.reminders_send_day_before() == 1
    assert services.reminders_send_day_before() == 0
    assert ReminderSent.objects.count() == 1
    assert list(Notification.objects.filter(subject__startswith="یادآوری").values_list("user", flat=True)) == [
        actors.member_a.pk
    ]


# --- Questions and moderation ---------------------------------------------------------------


def test_ask_waits_for_approval_when_premoderated(actors):
    event = make_event(qa_premoderation=True)
    panelist = make_panelist(event)
    question = services.question_ask(
        event=event, asker=actors.member_a, text="پرسش درباره مجوز", topic="health_permits", addressed_panelist=panelist
    )
    assert (question.status, question.panel_id, question.addressed_organisation) == (
        "pending",
        panelist.panel_id,
        "estates",
    )
    other = make_panelist(make_event(title="دیگر"))
    with pytest.raises(ValidationError):
        services.question_ask(event=event, asker=actors.member_a, text="پرسش", topic="other", addressed_panelist=other)


def test_edit_and_withdraw_only_own_and_before_answer(actors):
    event = make_event(qa_premoderation=True)
    question = make_question(event, actors.member_a)
    with pytest.raises(PermissionDenied):
        services.question_withdraw(question=question, by=actors.member_b)
    services.question_edit(question=question, by=actors.member_a, text="متن تازه پرسش", topic="other", anonymous=True)
    question.refresh_from_db()
    assert (question.text, question.status, question.anonymous) == ("متن تازه پرسش", "pending", True)
    services.question_answer(question=question, by=actors.staff, text="پاسخ")
    with pytest.raises(ValidationError) as error:
        services.question_withdraw(question=question, by=actors.member_a)
    assert error.value.code == "locked"


def test_state_changes_approve_reject_answer_with_audit_and_notice(actors):
    event = make_event()
    question = make_question(event, actors.member_a, status=Question.Status.PENDING)
    services.question_approve(question=question, by=actors.staff)
    with pytest.raises(ValidationError):
        services.question_reject(question=question, by=actors.staff, reason="  ")
    services.question_reject(question=question, by=actors.staff, reason="پرسش تکراری است")
    question.refresh_from_db()
    assert (question.status, question.rejection_reason) == ("rejected", "پرسش تکراری است")
    with pytest.raises(ValidationError):
        services.question_answer(question=question, by=actors.staff, text="پاسخ")
    services.question_approve(question=question, by=actors.staff)
    panelist = make_panelist(event)
    answer = services.question_answer(question=question, by=actors.staff, text="پاسخ رسمی", panelist=panelist)
    question.refresh_from_db()
    assert (question.status, answer.text, answer.panelist, answer.recorded_by) == (
        "answered",
        "پاسخ رسمی",
        panelist,
        actors.staff,
    )
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "question.approve",
        "question.reject",
        "question.approve",
        "question.answer",
    ]
    assert Notification.objects.filter(user=actors.member_a).count() == 2  # rejected, answered


def test_rejected_question_needs_a_reason_in_the_database(actors):
    question = make_question(make_event(), actors.member_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.filter(pk=question.pk).update(status="rejected", rejection_reason="")


def test_merge_moves_votes_without_double_counting(actors):
    event = make_event()
    kept = make_question(event, actors.member_a)
    duplicate = make_question(event, actors.member_b, text="همان پرسش قیمت")
    third = make_user("09130000044", "عضو سوم")
    for user in (actors.member_b, third):
        services.question_vote_set(question=duplicate, user=user, on=True)
    services.question_vote_set(question=kept, user=third, on=True)
    services.question_present(event=event, question=duplicate, by=actors.staff)

    services.question_merge(duplicate=duplicate, into=kept, by=actors.staff)

    kept.refresh_from_db()
    duplicate.refresh_from_db()
    event.refresh_from_db()
    assert sorted(Vote.objects.filter(question=kept).values_list("user__mobile", flat=True)) == [
        "09130000003",
        "09130000044",
    ]
    assert (kept.vote_count, duplicate.vote_count, duplicate.status, duplicate.merged_into) == (2, 0, "merged", kept)
    assert Vote.objects.filter(question=duplicate).count() == 0
    assert event.current_question == kept
    with pytest.raises(ValidationError):
        services.question_merge(duplicate=kept, into=kept, by=actors.staff)


def test_merge_constraint_needs_a_target(actors):
    question = make_question(make_event(), actors.member_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.filter(pk=question.pk).update(status="merged")


# --- Commitments ----------------------------------------------------------------------------


def test_commitment_from_question_notifies_askers_and_voters_on_status_change(actors):
    event = make_event()
    question = make_question(event, actors.member_a)
    duplicate = make_question(event, actors.applicant, text="پرسش تکراری درباره مجوز")
    services.question_vote_set(question=question, user=actors.member_b, on=True)
    services.question_merge(duplicate=duplicate, into=question, by=actors.staff)

    commitment = services.commitment_create(
        questions=[question],
        by=actors.staff,
        title="پیگیری مجوزها",
        owner_organisation="health",
        responsible_person="کارشناس شبکه بهداشت",
        due_date=timezone.localdate() + datetime.timedelta(days=10),
    )
    assert sorted(Question.objects.filter(commitment=commitment).values_list("pk", flat=True)) == sorted(
        [question.pk, duplicate.pk]
    )
    followers = {actors.member_a.pk, actors.member_b.pk, actors.applicant.pk}
    assert set(services.commitment_followers(commitment).values_list("pk", flat=True)) == followers
    Notification.objects.all().delete()

    with pytest.raises(ValidationError):
        services.commitment_update(commitment=commitment, by=actors.staff, status="open", note="")
    services.commitment_update(commitment=commitment, by=actors.staff, status="open", note="جلسه برگزار شد")
    assert Notification.objects.count() == 0  # a note alone tells nobody
    services.commitment_update(commitment=commitment, by=actors.staff, status="in_progress", note="نامه ارسال شد")
    assert set(Notification.objects.values_list("user", flat=True)) == followers
    commitment.refresh_from_db()
    assert commitment.status == "in_progress"
    assert list(commitment.notes.values_list("status_from", "status_to")) == [("open", "in_progress"), ("", "")]
    assert list(
        AuditEntry.objects.filter(action__startswith="commitment").order_by("id").values_list("action", flat=True)
    ) == ["commitment.create", "commitment.update", "commitment.update"]


def test_overdue_is_computed_from_due_date_and_status(actors):
    event = make_event()
    late = make_commitment(event, actors.staff, due_date=timezone.localdate() - datetime.timedelta(days=1))
    done = make_commitment(
        event, actors.staff, due_date=timezone.localdate() - datetime.timedelta(days=1), status=Commitment.Status.DONE
    )
    assert (late.is_overdue, done.is_overdue) == (True, False)
