"""Every write of the events app: registrations, check-in, reminders, questions, votes,
moderation, answers and commitments. Each is atomic; moderation and commitments leave an
audit entry; people are told after the change commits."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.notifications import EMAIL, PORTAL, notify, notify_many
from core.persian import search_key
from members import roles

from . import qa_cache
from .models import (
    Answer,
    Commitment,
    CommitmentNote,
    Event,
    Question,
    Registration,
    ReminderSent,
    Vote,
)


def event_qa_changed(*, event_id: int) -> None:
    """Every cached Q&A fragment of the event is outdated: now, and again once the change is
    committed (events.qa_cache)."""
    qa_cache.bump_event(event_id)


# --- Registration ---------------------------------------------------------------------------


@transaction.atomic
def registration_create(*, event: Event, user) -> Registration:
    """Register an active member user. The event row is locked so that simultaneous
    registrations queue up and the capacity is never exceeded."""
    if not roles.is_active_member(user):
        raise PermissionDenied
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if not locked.registration_is_open():
        raise ValidationError(_("Registration for this event is not open."), code="closed")
    existing = Registration.objects.filter(event=locked, user=user).first()
    if existing and existing.status == Registration.Status.REGISTERED:
        return existing
    if locked.capacity is not None:
        taken = Registration.objects.filter(event=locked, status=Registration.Status.REGISTERED).count()
        if taken >= locked.capacity:
            raise ValidationError(_("Sorry, this event is full."), code="full")
    member = roles.member_of(user)
    key = search_key(f"{user.full_name} {member.business_name if member else ''} {user.mobile}")[:400]
    if existing:
        existing.status = Registration.Status.REGISTERED
        existing.cancelled_at = None
        existing.registered_at = timezone.now()
        existing.search_key = key
        existing.member = member
        existing.save(update_fields=["status", "cancelled_at", "registered_at", "search_key", "member"])
        registration = existing
    else:
        registration = Registration.objects.create(event=locked, user=user, member=member, search_key=key)
    notify(
        user=user,
        subject=_("You are registered for %(event)s") % {"event": locked.title},
        body=_("Show your ticket code %(code)s at the entrance.") % {"code": registration.code},
        url=f"{locked.get_absolute_url()}ticket/",
        channels=(PORTAL, EMAIL),
    )
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration) -> Registration:
    if registration.status != Registration.Status.REGISTERED:
        return registration
    if registration.checked_in_at:
        raise ValidationError(_("You have already been checked in."), code="checked_in")
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    return registration


@transaction.atomic
def registration_check_in(*, registration: Registration, by) -> Registration:
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != Registration.Status.REGISTERED:
        raise ValidationError(_("This registration was cancelled."), code="cancelled")
    if registration.checked_in_at is None:
        registration.checked_in_at = timezone.now()
        registration.checked_in_by = by
        registration.save(update_fields=["checked_in_at", "checked_in_by"])
        audit_record(actor=by, action="event.check_in", instance=registration)
    return registration


def reminders_send_day_before(*, today=None) -> int:
    """Tell everyone registered for an event that starts tomorrow (local date). A reminder is
    recorded (unique per registration) in the same transaction as its notification, so a
    second run, or a run on a second server, sends nothing new."""
    today = today or timezone.localdate()
    tomorrow = today + timezone.timedelta(days=1)
    registrations = (
        Registration.objects.filter(
            status=Registration.Status.REGISTERED,
            event__status=Event.Status.PUBLISHED,
            event__starts_at__date=tomorrow,
        )
        .exclude(reminders__kind="day_before")
        .select_related("event", "user")
    )
    sent = 0
    for registration in registrations:
        try:
            with transaction.atomic():
                ReminderSent.objects.create(registration=registration, kind="day_before")
                event = registration.event
                notify(
                    user=registration.user,
                    subject=_("Reminder: %(event)s is tomorrow") % {"event": event.title},
                    body=_("%(venue)s. Your ticket code: %(code)s") % {"venue": event.venue, "code": registration.code},
                    url=f"{event.get_absolute_url()}ticket/",
                )
        except IntegrityError:  # another run recorded it first
            continue
        sent += 1
    return sent


# --- Questions and votes --------------------------------------------------------------------


def _check_addressee(*, event, addressed_panelist, panel):
    if addressed_panelist is not None and addressed_panelist.panel.event_id != event.pk:
        raise ValidationError(_("Choose a panelist of this event."), code="panelist")
    if panel is not None and panel.event_id != event.pk:
        raise ValidationError(_("Choose a panel of this event."), code="panel")


@transaction.atomic
def question_ask(
    *,
    event: Event,
    asker,
    text: str,
    topic: str,
    addressed_panelist=None,
    addressed_organisation: str = "",
    anonymous: bool = False,
    panel=None,
) -> Question:
    if not event.qa_open or event.status not in (Event.Status.PUBLISHED,):
        raise ValidationError(_("This event is not taking questions."), code="closed")
    _check_addressee(event=event, addressed_panelist=addressed_panelist, panel=panel)
    if addressed_panelist is not None:
        panel = addressed_panelist.panel
        addressed_organisation = addressed_organisation or addressed_panelist.organisation
    question = Question.objects.create(
        event=event,
        panel=panel,
        asker=asker,
        text=text,
        topic=topic,
        addressed_panelist=addressed_panelist,
        addressed_organisation=addressed_organisation,
        anonymous=anonymous,
        status=Question.Status.PENDING if event.qa_premoderation else Question.Status.APPROVED,
    )
    event_qa_changed(event_id=event.pk)
    return question


@transaction.atomic
def question_edit(
    *, question: Question, by, text: str, topic: str, addressed_panelist=None, addressed_organisation="", anonymous
):
    question = Question.objects.select_for_update().select_related("event").get(pk=question.pk)
    if question.asker_id != by.pk:
        raise PermissionDenied
    if not question.is_editable:
        raise ValidationError(_("This question can no longer be changed."), code="locked")
    _check_addressee(event=question.event, addressed_panelist=addressed_panelist, panel=None)
    question.text = text
    question.topic = topic
    question.addressed_panelist = addressed_panelist
    question.addressed_organisation = addressed_organisation or (
        addressed_panelist.organisation if addressed_panelist else ""
    )
    if addressed_panelist is not None:
        question.panel = addressed_panelist.panel
    question.anonymous = anonymous
    if question.event.qa_premoderation:
        question.status = Question.Status.PENDING  # changed text is checked again
    question.save()
    event_qa_changed(event_id=question.event_id)
    return question


@transaction.atomic
def question_withdraw(*, question: Question, by) -> Question:
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.asker_id != by.pk:
        raise PermissionDenied
    if not question.is_editable:
        raise ValidationError(_("This question can no longer be changed."), code="locked")
    question.status = Question.Status.WITHDRAWN
    question.save(update_fields=["status", "updated_at"])
    Event.objects.filter(pk=question.event_id, current_question=question).update(current_question=None)
    event_qa_changed(event_id=question.event_id)
    return question


@transaction.atomic
def question_vote_set(*, question: Question, user, on: bool) -> bool:
    """Vote for a published question (`on=True`) or take the vote back (`on=False`). The form
    sends the state the member wants, so the same request repeated (a double tap, a retry)
    changes nothing more: twenty identical POSTs leave one vote. Returns whether anything
    changed. The question row is locked so the count stays exact."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.status not in (Question.Status.APPROVED, Question.Status.ANSWERED):
        raise ValidationError(_("You can vote only for published questions."), code="not_votable")
    if on:
        _vote, changed = Vote.objects.get_or_create(question=question, user=user)
        delta = 1
    else:
        deleted, _details = Vote.objects.filter(question=question, user=user).delete()
        changed, delta = bool(deleted), -1
    if changed:
        Question.objects.filter(pk=question.pk).update(vote_count=F("vote_count") + delta)
        event_qa_changed(event_id=question.event_id)
    return changed


# --- Moderation (staff and the event's panelists) ------------------------------------------


def _locked_question(question):
    return Question.objects.select_for_update().select_related("event").get(pk=question.pk)


@transaction.atomic
def question_approve(*, question: Question, by) -> Question:
    question = _locked_question(question)
    if question.status not in (Question.Status.PENDING, Question.Status.REJECTED):
        raise ValidationError(_("Only waiting or rejected questions can be approved."), code="state")
    before = question.status
    question.status = Question.Status.APPROVED
    question.rejection_reason = ""
    question.save(update_fields=["status", "rejection_reason", "updated_at"])
    audit_record(actor=by, action="question.approve", instance=question, changes={"status": [before, "approved"]})
    event_qa_changed(event_id=question.event_id)
    return question


@transaction.atomic
def question_reject(*, question: Question, by, reason: str) -> Question:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the asker a reason."), code="reason")
    question = _locked_question(question)
    if question.status not in (Question.Status.PENDING, Question.Status.APPROVED):
        raise ValidationError(_("Only waiting or approved questions can be rejected."), code="state")
    before = question.status
    question.status = Question.Status.REJECTED
    question.rejection_reason = reason
    question.save(update_fields=["status", "rejection_reason", "updated_at"])
    Event.objects.filter(pk=question.event_id, current_question=question).update(current_question=None)
    audit_record(
        actor=by, action="question.reject", instance=question, changes={"status": [before, "rejected"]}, note=reason
    )
    event = question.event
    notify(
        user=question.asker,
        subject=_("Your question for %(event)s was not published") % {"event": event.title},
        body=reason,
        url=reverse_qa(event),
        channels=(PORTAL,),
    )
    event_qa_changed(event_id=question.event_id)
    return question


def reverse_qa(event) -> str:
    from django.urls import reverse

    return reverse("events:qa", args=[event.pk])


@transaction.atomic
def question_merge(*, duplicate: Question, into: Question, by) -> Question:
    """Fold a duplicate into another question of the same event: its votes move (a user who
    voted for both keeps one vote), its asker counts as a supporter, and it disappears."""
    if duplicate.pk == into.pk:
        raise ValidationError(_("A question cannot be merged into itself."), code="self")
    # Lock both rows in id order so that two merges never deadlock.
    locked = {
        q.pk: q for q in Question.objects.select_for_update().filter(pk__in=[duplicate.pk, into.pk]).order_by("pk")
    }
    duplicate, into = locked[duplicate.pk], locked[into.pk]
    if duplicate.event_id != into.event_id:
        raise ValidationError(_("Both questions must belong to the same event."), code="event")
    open_states = (Question.Status.PENDING, Question.Status.APPROVED)
    if duplicate.status not in open_states or into.status not in (*open_states, Question.Status.ANSWERED):
        raise ValidationError(_("Only open questions can be merged."), code="state")
    supporters = set(Vote.objects.filter(question=duplicate).values_list("user_id", flat=True))
    if duplicate.asker_id != into.asker_id:
        supporters.add(duplicate.asker_id)
    already = set(Vote.objects.filter(question=into, user_id__in=supporters).values_list("user_id", flat=True))
    Vote.objects.bulk_create([Vote(question=into, user_id=uid) for uid in sorted(supporters - already)])
    Vote.objects.filter(question=duplicate).delete()
    into.vote_count = Vote.objects.filter(question=into).count()
    if into.status == Question.Status.PENDING:
        into.status = Question.Status.APPROVED
    into.save(update_fields=["vote_count", "status", "updated_at"])
    duplicate.status = Question.Status.MERGED
    duplicate.merged_into = into
    duplicate.vote_count = 0
    duplicate.save(update_fields=["status", "merged_into", "vote_count", "updated_at"])
    # Earlier duplicates of the duplicate follow it.
    Question.objects.filter(merged_into=duplicate).update(merged_into=into)
    Event.objects.filter(pk=duplicate.event_id, current_question=duplicate).update(current_question=into)
    audit_record(
        actor=by,
        action="question.merge",
        instance=duplicate,
        changes={"status": ["open", "merged"], "merged_into": [None, into.pk]},
    )
    event_qa_changed(event_id=duplicate.event_id)
    return into


def _check_answerer(*, question, by, panelist) -> None:
    """The answer is recorded in the name of a panelist of the question's panel (of the event
    for a general question), and only estates staff record it in another person's name."""
    if panelist is None:
        if not roles.is_estates_staff(by):
            raise ValidationError(_("Choose a panelist of this panel."), code="panelist")
        return
    if panelist.panel.event_id != question.event_id or (
        question.panel_id is not None and panelist.panel_id != question.panel_id
    ):
        raise ValidationError(_("Choose a panelist of this panel."), code="panelist")
    if panelist.user_id != by.pk and not roles.is_estates_staff(by):
        raise ValidationError(_("Panelists record answers in their own name."), code="panelist")


@transaction.atomic
def question_answer(*, question: Question, by, text: str, panelist=None) -> Answer:
    """Record the answer and who gave it (a panelist of the question's panel: the signed-in
    panelist, or the one estates staff name). Answering again corrects the recorded answer."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write the answer."), code="text")
    question = _locked_question(question)
    if question.status not in (Question.Status.PENDING, Question.Status.APPROVED, Question.Status.ANSWERED):
        raise ValidationError(_("This question cannot be answered."), code="state")
    _check_answerer(question=question, by=by, panelist=panelist)
    answer = Answer.objects.filter(question=question).first()
    before = {"status": question.status, "answer": answer.text if answer else ""}
    if answer is None:
        answer = Answer(question=question)
    answer.text = text
    answer.panelist = panelist
    answer.recorded_by = by
    answer.answered_at = timezone.now()
    answer.save()
    question.status = Question.Status.ANSWERED
    question.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=by,
        action="question.answer",
        instance=question,
        changes={"status": [before["status"], "answered"], "answer": [before["answer"], text]},
    )
    event = question.event
    notify(
        user=question.asker,
        subject=_("Your question for %(event)s was answered") % {"event": event.title},
        body=text,
        url=reverse_qa(event),
        channels=(PORTAL,),
    )
    event_qa_changed(event_id=question.event_id)
    return answer


@transaction.atomic
def question_present(*, event: Event, question: Question | None, by) -> Event:
    """Put a question on the projector as the one being answered (None clears it)."""
    if question is not None and (
        question.event_id != event.pk
        or question.status not in (Question.Status.APPROVED, Question.Status.ANSWERED, Question.Status.PENDING)
    ):
        raise ValidationError(_("This question cannot be shown."), code="state")
    if question is not None and question.status == Question.Status.PENDING:
        question_approve(question=question, by=by)
    Event.objects.filter(pk=event.pk).update(current_question=question)
    event.current_question = question
    audit_record(actor=by, action="question.present", instance=event, note=str(question.pk) if question else "")
    event_qa_changed(event_id=event.pk)
    return event


# --- Commitments ----------------------------------------------------------------------------


@transaction.atomic
def commitment_create(
    *, questions, by, title: str, owner_organisation: str, responsible_person: str, due_date, description=""
) -> Commitment:
    questions = list(questions)
    if not questions:
        raise ValidationError(_("Choose at least one question."), code="questions")
    event_ids = {q.event_id for q in questions}
    if len(event_ids) != 1:
        raise ValidationError(_("Both questions must belong to the same event."), code="event")
    commitment = Commitment.objects.create(
        event_id=event_ids.pop(),
        title=title,
        description=description,
        owner_organisation=owner_organisation,
        responsible_person=responsible_person,
        due_date=due_date,
        created_by=by,
    )
    ids = [q.pk for q in questions]
    Question.objects.filter(Q(pk__in=ids) | Q(merged_into__in=ids)).update(commitment=commitment)
    audit_record(
        actor=by,
        action="commitment.create",
        instance=commitment,
        changes={"status": [None, commitment.status], "due_date": [None, str(due_date)]},
        note=", ".join(str(pk) for pk in ids),
    )
    _notify_followers(
        commitment,
        subject=_("Your concern became a commitment: %(title)s") % {"title": title},
        body=_("Responsible: %(person)s. Due: %(date)s.")
        % {"person": responsible_person, "date": _format_date(due_date)},
    )
    event_qa_changed(event_id=commitment.event_id)
    return commitment


def _format_date(value):
    from core.jalali import format_date

    return format_date(value)


def commitment_followers(commitment: Commitment):
    """Askers and voters of the commitment's questions (merged duplicates included)."""
    from members.models import User

    question_ids = Question.objects.filter(commitment=commitment).values("pk")
    return User.objects.filter(
        Q(event_questions__commitment=commitment) | Q(question_votes__question__in=question_ids), is_active=True
    ).distinct()


def _notify_followers(commitment, *, subject, body):
    notify_many(
        users=commitment_followers(commitment),
        subject=subject,
        body=body,
        url=commitment.get_absolute_url(),
        channels=(PORTAL, EMAIL),
    )


@transaction.atomic
def commitment_update(*, commitment: Commitment, by, status: str, note: str = "", date=None) -> Commitment:
    """A dated progress note, optionally with a status change; followers are told when the
    status changes."""
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if status not in Commitment.Status.values:
        raise ValidationError(_("Choose a valid status."), code="status")
    note = (note or "").strip()
    if status == commitment.status and not note:
        raise ValidationError(_("Write a progress note or change the status."), code="empty")
    before = commitment.status
    if status != before:
        commitment.status = status
        commitment.save(update_fields=["status", "updated_at"])
    CommitmentNote.objects.create(
        commitment=commitment,
        date=date or timezone.localdate(),
        text=note or _("Status changed."),
        status_from=before if status != before else "",
        status_to=status if status != before else "",
        author=by,
    )
    audit_record(
        actor=by,
        action="commitment.update",
        instance=commitment,
        changes={"status": [before, status]} if status != before else {},
        note=note,
    )
    if status != before:
        _notify_followers(
            commitment,
            subject=_("Commitment %(title)s is now: %(status)s")
            % {"title": commitment.title, "status": commitment.get_status_display()},
            body=note,
        )
    return commitment
