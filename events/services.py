"""Every write of the events app: registrations, check-in, reminders, questions, votes,
moderation, answers and commitments. Each is atomic; moderation and commitments leave an
audit entry; people are told after the change commits."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.jalali import format_date, format_datetime
from core.notifications import EMAIL, PORTAL, notify, notify_many
from core.persian import search_key
from core.templatetags.persian import num
from members import roles
from members.models import User

from . import qa_cache
from .models import (
    PLACE_HOLDING,
    Answer,
    Commitment,
    CommitmentDigest,
    CommitmentNote,
    CommitmentReminder,
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


def _places_taken(event) -> int:
    return Registration.objects.filter(event=event, status__in=PLACE_HOLDING).count()


def _registration_key(user, member) -> str:
    return search_key(f"{user.full_name} {member.business_name if member else ''} {user.mobile}")[:400]


@transaction.atomic
def registration_create(*, event: Event, user, waiting_list: bool = False) -> Registration:
    """Register an active member user. The event row is locked so that simultaneous
    registrations queue up and the capacity is never exceeded. A full event refuses, or with
    `waiting_list` puts the user at the end of its waiting list (a place that frees up is
    offered to the first in line: `waiting_list_promote`)."""
    if not roles.is_active_member(user):
        raise PermissionDenied
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if not locked.registration_is_open():
        raise ValidationError(_("Registration for this event is not open."), code="closed")
    existing = Registration.objects.filter(event=locked, user=user).first()
    if existing and existing.status in (
        Registration.Status.REGISTERED,
        Registration.Status.WAITING,
        Registration.Status.OFFERED,
    ):
        return existing
    full = locked.capacity is not None and _places_taken(locked) >= locked.capacity
    if full and not waiting_list:
        raise ValidationError(_("Sorry, this event is full."), code="full")
    # Someone already waiting comes before a newcomer, even when a place is free right now.
    if not full and Registration.objects.filter(event=locked, status=Registration.Status.WAITING).exists():
        full = True
        if not waiting_list:
            raise ValidationError(_("Sorry, this event is full."), code="full")
    status = Registration.Status.WAITING if full else Registration.Status.REGISTERED
    member = roles.member_of(user)
    key = _registration_key(user, member)
    if existing:
        before = existing.status
        existing.status = status
        existing.cancelled_at = None
        existing.offered_at = existing.offer_expires_at = None
        existing.registered_at = timezone.now()
        existing.search_key = key
        existing.member = member
        existing.save(
            update_fields=[
                "status",
                "cancelled_at",
                "offered_at",
                "offer_expires_at",
                "registered_at",
                "search_key",
                "member",
            ]
        )
        registration = existing
    else:
        before = None
        registration = Registration.objects.create(
            event=locked, user=user, member=member, search_key=key, status=status
        )
    audit_record(
        actor=user,
        action="event.waiting_list_join" if full else "event.register",
        instance=registration,
        changes={"status": [before, status]},
    )
    if full:
        notify(
            user=user,
            subject=_("You are on the waiting list for %(event)s") % {"event": locked.title},
            body=_("When a place frees up you will be told, and you will have %(hours)s hours to confirm it.")
            % {"hours": num(offer_hours())},
            url=locked.get_absolute_url(),
            channels=(PORTAL,),
        )
    else:
        _tell_registered(registration, locked)
    return registration


def _tell_registered(registration, event):
    notify(
        user=registration.user,
        subject=_("You are registered for %(event)s") % {"event": event.title},
        body=_("Show your ticket code %(code)s at the entrance.") % {"code": registration.code},
        url=f"{event.get_absolute_url()}ticket/",
        channels=(PORTAL, EMAIL),
    )


def offer_hours() -> int:
    """How long a place offered from the waiting list is held (EVENTS_OFFER_HOURS, 48)."""
    return int(getattr(settings, "EVENTS_OFFER_HOURS", 48))


@transaction.atomic
def registration_cancel(*, registration: Registration) -> Registration:
    """Cancel a registration, leave the waiting list or decline an offered place. A place that
    frees up is offered to the next in line at once."""
    registration = Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
    if registration.status not in (*PLACE_HOLDING, Registration.Status.WAITING):
        return registration
    if registration.checked_in_at:
        raise ValidationError(_("You have already been checked in."), code="checked_in")
    before = registration.status
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.offer_expires_at = None
    registration.save(update_fields=["status", "cancelled_at", "offer_expires_at"])
    audit_record(
        actor=registration.user,
        action="event.cancel",
        instance=registration,
        changes={"status": [before, Registration.Status.CANCELLED]},
    )
    if before in PLACE_HOLDING:
        waiting_list_promote(event=registration.event)
    return registration


@transaction.atomic
def waiting_list_promote(*, event: Event, now=None) -> list[Registration]:
    """Offer every free place to the next in line (the waiting list in the order people
    joined), each held for `offer_hours()` (never past the event's start) and told. Safe to
    run twice: the event row is locked and only free places are offered."""
    now = now or timezone.now()
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.capacity is None or not locked.registration_is_open(now):
        return []
    free = locked.capacity - _places_taken(locked)
    if free <= 0:
        return []
    expires = min(now + timezone.timedelta(hours=offer_hours()), locked.starts_at)
    offered = list(
        Registration.objects.filter(event=locked, status=Registration.Status.WAITING)
        .select_related("user")
        .order_by("registered_at", "id")[:free]
    )
    for registration in offered:
        registration.status = Registration.Status.OFFERED
        registration.offered_at = now
        registration.offer_expires_at = expires
        registration.save(update_fields=["status", "offered_at", "offer_expires_at"])
        audit_record(
            actor=None,
            action="event.place_offer",
            instance=registration,
            changes={"status": ["waiting", "offered"], "offer_expires_at": [None, expires.isoformat()]},
        )
        with translation.override(_language_of(registration.user)):
            notify(
                user=registration.user,
                subject=_("A place is free for you at %(event)s") % {"event": locked.title},
                body=_("Confirm it by %(deadline)s, or it passes to the next person on the waiting list.")
                % {"deadline": _format_datetime(expires)},
                url=locked.get_absolute_url(),
            )
    return offered


@transaction.atomic
def registration_offer_confirm(*, registration: Registration, now=None) -> Registration:
    """The member takes the place offered to them, before the offer runs out."""
    now = now or timezone.now()
    registration = Registration.objects.select_for_update().select_related("event", "user").get(pk=registration.pk)
    if registration.status == Registration.Status.REGISTERED:
        return registration
    if registration.status != Registration.Status.OFFERED:
        raise ValidationError(_("No place is offered to you for this event."), code="not_offered")
    if registration.offer_expires_at <= now:
        raise ValidationError(
            _("The time to confirm this place has run out; it passes to the next person in line."), code="expired"
        )
    registration.status = Registration.Status.REGISTERED
    registration.registered_at = now
    registration.save(update_fields=["status", "registered_at"])
    audit_record(
        actor=registration.user,
        action="event.place_confirm",
        instance=registration,
        changes={"status": ["offered", "registered"]},
    )
    _tell_registered(registration, registration.event)
    return registration


def waiting_list_expire_offers(*, now=None) -> int:
    """Offers not confirmed in time expire (the member is told) and their places go to the
    next in line. Run by the periodic task; safe to run twice or on two servers at once (each
    offer expires by one conditional update)."""
    now = now or timezone.now()
    expired = 0
    due = Registration.objects.filter(status=Registration.Status.OFFERED, offer_expires_at__lte=now)
    for registration_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            changed = Registration.objects.filter(
                pk=registration_id, status=Registration.Status.OFFERED, offer_expires_at__lte=now
            ).update(status=Registration.Status.EXPIRED)
            if not changed:
                continue
            registration = Registration.objects.select_related("event", "user").get(pk=registration_id)
            audit_record(
                actor=None,
                action="event.place_offer_expire",
                instance=registration,
                changes={"status": ["offered", "expired"]},
            )
            with translation.override(_language_of(registration.user)):
                notify(
                    user=registration.user,
                    subject=_("The place offered to you at %(event)s has passed to the next in line")
                    % {"event": registration.event.title},
                    body=_("It was not confirmed in time. You can join the waiting list again."),
                    url=registration.event.get_absolute_url(),
                    channels=(PORTAL,),
                )
            waiting_list_promote(event=registration.event, now=now)
            expired += 1
    # Places freed another way (capacity raised by staff) are offered too.
    waiting = Event.objects.filter(
        registrations__status=Registration.Status.WAITING, status=Event.Status.PUBLISHED, ends_at__gt=now
    ).distinct()
    for event in waiting:
        waiting_list_promote(event=event, now=now)
    return expired


def _language_of(user) -> str:
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def _format_datetime(value):
    return format_datetime(value)


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
    if question.status == Question.Status.APPROVED:
        _route_to_addressee(question, event=event)
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
    _route_to_addressee(question, event=question.event)
    event_qa_changed(event_id=question.event_id)
    return question


# --- Routing a question to the official who is to answer it ---------------------------------


def answer_days() -> int:
    """Days an official has to answer a routed question (EVENTS_ANSWER_DAYS, 7), counted from
    the end of the event (or from today, for an event already over)."""
    return int(getattr(settings, "EVENTS_ANSWER_DAYS", 7))


def default_answer_due(event, today=None):
    today = today or timezone.localdate()
    return max(timezone.localdate(event.ends_at), today) + timezone.timedelta(days=answer_days())


def _route_to_addressee(question, *, event):
    """A published question addressed to a panelist with an account is routed to them."""
    if question.routed_to_id or question.addressed_panelist_id is None:
        return
    panelist = question.addressed_panelist
    if panelist.user_id is None:
        return
    _route(question, event=event, panelist=panelist, due=default_answer_due(event), by=None)


def _route(question, *, event, panelist, due, by):
    before = {"routed_to": question.routed_to_id, "answer_due": str(question.answer_due or "")}
    question.routed_to = panelist
    question.routed_at = timezone.now()
    question.answer_due = due
    question.panel = panelist.panel  # the official moderates and answers it from their panel's queue
    question.save(update_fields=["routed_to", "routed_at", "answer_due", "panel", "updated_at"])
    audit_record(
        actor=by,
        action="question.route",
        instance=question,
        changes={"routed_to": [before["routed_to"], panelist.pk], "answer_due": [before["answer_due"], str(due)]},
    )
    user = panelist.user
    with translation.override(_language_of(user)):
        notify(
            user=user,
            subject=_("A question at %(event)s is routed to you") % {"event": event.title},
            body=_("%(question)s\n\nPlease answer it by %(date)s.")
            % {"question": question.text, "date": _format_date(due)},
            url=reverse("events:moderate", args=[event.pk]),
            channels=(PORTAL, EMAIL),
        )


@transaction.atomic
def question_route(*, question: Question, by, panelist, due_date=None) -> Question:
    """Estates staff route a question to an official or panelist of the event who has an
    account: they are told, and the question has a due date until it is answered."""
    question = _locked_question(question)
    if question.status not in (Question.Status.PENDING, Question.Status.APPROVED):
        raise ValidationError(_("Only open questions can be routed."), code="state")
    if panelist is None or panelist.panel.event_id != question.event_id:
        raise ValidationError(_("Choose a panelist of this event."), code="panelist")
    if panelist.user_id is None:
        raise ValidationError(_("This panelist has no account to be told with."), code="no_account")
    today = timezone.localdate()
    due = due_date or default_answer_due(question.event, today)
    if due < today:
        raise ValidationError(_("The due date cannot be in the past."), code="due_past")
    _route(question, event=question.event, panelist=panelist, due=due, by=by)
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
    *,
    questions,
    by,
    title: str,
    owner_organisation: str,
    responsible_person: str,
    due_date,
    description="",
    owner_user=None,
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
        owner_user=owner_user,
        due_date=due_date,
        created_by=by,
    )
    ids = [q.pk for q in questions]
    Question.objects.filter(Q(pk__in=ids) | Q(merged_into__in=ids)).update(commitment=commitment)
    audit_record(
        actor=by,
        action="commitment.create",
        instance=commitment,
        changes={
            "status": [None, commitment.status],
            "due_date": [None, str(due_date)],
            "owner_user": [None, owner_user.pk if owner_user else None],
        },
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
    return format_date(value)


def commitment_followers(commitment: Commitment):
    """Askers and voters of the commitment's questions (merged duplicates included)."""

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


# --- Commitment owners' reminders and followers' weekly digest --------------------------------


def reminder_days_before() -> int:
    """How many days before the due date a commitment's owner is reminded (7)."""
    return int(getattr(settings, "EVENTS_COMMITMENT_REMIND_DAYS", 7))


OPEN_COMMITMENT = (Commitment.Status.OPEN, Commitment.Status.IN_PROGRESS)


def commitment_reminders_send(*, today=None) -> int:
    """Remind the owner account of each open commitment once in the days before its due date
    and once after it has passed. Each reminder is recorded (unique per commitment, kind and
    due date) with its notification, so a second run sends nothing; a new due date is
    reminded again."""
    today = today or timezone.localdate()
    base = Commitment.objects.filter(status__in=OPEN_COMMITMENT, owner_user__isnull=False, owner_user__is_active=True)

    def reminded(kind):  # this kind of reminder for the current due date (the same row)
        return Exists(
            CommitmentReminder.objects.filter(commitment=OuterRef("pk"), kind=kind, due_date=OuterRef("due_date"))
        )

    before = base.filter(
        due_date__gte=today, due_date__lte=today + timezone.timedelta(days=reminder_days_before())
    ).exclude(reminded(CommitmentReminder.Kind.BEFORE))
    after = base.filter(due_date__lt=today).exclude(reminded(CommitmentReminder.Kind.AFTER))
    sent = 0
    for kind, commitments in ((CommitmentReminder.Kind.BEFORE, before), (CommitmentReminder.Kind.AFTER, after)):
        for commitment in commitments.select_related("owner_user"):
            try:
                with transaction.atomic():
                    CommitmentReminder.objects.create(commitment=commitment, kind=kind, due_date=commitment.due_date)
                    with translation.override(_language_of(commitment.owner_user)):
                        date = _format_date(commitment.due_date)
                        if kind == CommitmentReminder.Kind.BEFORE:
                            subject = _("Commitment due on %(date)s: %(title)s")
                            body = _("Please record its progress, or mark it done, by the due date.")
                        else:
                            subject = _("Commitment overdue since %(date)s: %(title)s")
                            body = _("The due date has passed. Please record where it stands and a new plan.")
                        notify(
                            user=commitment.owner_user,
                            subject=subject % {"date": date, "title": commitment.title},
                            body=body,
                            url=commitment.get_absolute_url(),
                            channels=(PORTAL, EMAIL),
                        )
            except IntegrityError:  # another run recorded it first
                continue
            sent += 1
    return sent


def digest_week(today=None):
    """The last complete week (Saturday to Friday, the Iranian week) before `today`: its first
    day and the day after its last."""
    today = today or timezone.localdate()
    this_saturday = today - timezone.timedelta(days=(today.weekday() - 5) % 7)
    start = this_saturday - timezone.timedelta(days=7)
    return start, this_saturday


def _local_midnight(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def commitment_digest_changes(*, start, end) -> dict[int, list[str]]:
    """The changes to commitments in [start, end): commitment id → lines (new commitments and
    progress notes with their status changes), in date order."""
    lines: dict[int, list[str]] = {}
    since, until = _local_midnight(start), _local_midnight(end)
    for commitment in Commitment.objects.filter(created_at__gte=since, created_at__lt=until).order_by("created_at"):
        lines.setdefault(commitment.pk, []).append(
            _("New commitment, due %(date)s.") % {"date": _format_date(commitment.due_date)}
        )
    notes = (
        CommitmentNote.objects.filter(created_at__gte=since, created_at__lt=until)
        .select_related("commitment")
        .order_by("created_at", "id")
    )
    for note in notes:
        text = note.text
        if note.status_to:
            text = _("%(from)s → %(to)s: %(note)s") % {
                "from": Commitment.Status(note.status_from).label if note.status_from else "",
                "to": Commitment.Status(note.status_to).label,
                "note": note.text,
            }
        lines.setdefault(note.commitment_id, []).append(f"{_format_date(note.date)}: {text}")
    return lines


def commitment_digests_send(*, today=None) -> int:
    """Once a week, each follower of a commitment that changed in the last complete week gets
    one notification listing the changes of every commitment they follow. A digest row (unique
    per follower and week) is written with the notification, so running it again, daily or on
    two servers, sends nothing more."""

    start, end = digest_week(today)
    # Built in the site's language: one text per commitment, reused for every follower.
    with translation.override(settings.LANGUAGE_CODE):
        changes = commitment_digest_changes(start=start, end=end)
        if not changes:
            return 0
        titles = dict(Commitment.objects.filter(pk__in=changes).values_list("pk", "title"))
        follows: dict[int, set[int]] = {}
        askers = Question.objects.filter(commitment_id__in=changes).values_list("asker_id", "commitment_id")
        voters = Vote.objects.filter(question__commitment_id__in=changes).values_list(
            "user_id", "question__commitment_id"
        )
        for user_id, commitment_id in (*askers, *voters):
            follows.setdefault(user_id, set()).add(commitment_id)
        already = set(
            CommitmentDigest.objects.filter(week_start=start, user_id__in=follows).values_list("user_id", flat=True)
        )
        users = User.objects.filter(pk__in=set(follows) - already, is_active=True).order_by("pk")
        sent = 0
        for user in users:
            followed = sorted(follows[user.pk], key=lambda pk: titles[pk])
            body = "\n\n".join(f"{titles[pk]}\n" + "\n".join(f"• {line}" for line in changes[pk]) for pk in followed)
            count = sum(len(changes[pk]) for pk in followed)
            try:
                with transaction.atomic():
                    CommitmentDigest.objects.create(user=user, week_start=start, changes=count)
                    notify(
                        user=user,
                        subject=_("This week's changes to the commitments you follow (%(n)s)") % {"n": num(count)},
                        body=body,
                        url=reverse("events:commitments"),
                        channels=(PORTAL, EMAIL),
                    )
            except IntegrityError:  # another run sent it first
                continue
            sent += 1
    return sent
