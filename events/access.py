"""Who may see and do what in the events app.

Role checks are the platform's one decorator factory (`core.access.role_required`)
with the predicates of `members.roles`. Objects are found through `<thing>_for_user_or_404`
helpers: each returns the object only when this user may see it and raises 404 otherwise (a
question of another panel, another member's ticket, a draft event); 403 is kept for a role
that may not use a page at all (a member on the moderation page).

Moderation is scoped to panels: estates staff act on any question of an event; a panelist on
the questions of the panels they sit on and on the questions not addressed to any panel (the
event's general questions, which every panelist of the event sees in the moderation queue)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from core.access import role_required
from members import roles

from . import selectors
from .models import Commitment, Event, Panelist, Question, Registration

signed_in_required = role_required()
active_member_required = role_required(roles.is_active_member)
staff_required = role_required(roles.is_estates_staff)

QA_EVENT_STATES = (Event.Status.PUBLISHED, Event.Status.FINISHED)


def event_for_user_or_404(user, event_id) -> Event:
    """An event this user may see (members-only events for active members and the event's
    panelists, drafts for staff)."""
    event = selectors.event_visible_or_none(user=user, event_id=event_id)
    if event is None:
        raise Http404
    return event


class QaAccess:
    """What one user may do in an event's Q&A. `seats`: the user's panelist seats on this
    event (only read for moderation, or when the user is neither staff nor an active member)."""

    def __init__(self, *, staff: bool, member: bool, seats=()):
        self.staff, self.member = staff, member
        self.seats = list(seats)
        self.panel_ids = {seat.panel_id for seat in self.seats}

    @property
    def panelist(self) -> bool:
        return bool(self.seats)

    @property
    def can_moderate(self) -> bool:
        return self.staff or self.panelist

    @property
    def sees_anonymous_names(self) -> bool:
        """Who asked an anonymous question: estates staff only, never panelists or members."""
        return self.staff

    @property
    def variant(self) -> str:
        """Which shared rendering of the public questions this user gets."""
        if self.staff:
            return "staff"
        return "member" if self.member else "viewer"

    def may_moderate(self, question) -> bool:
        return self.staff or (self.panelist and (question.panel_id is None or question.panel_id in self.panel_ids))

    def moderation_filter(self) -> Q:
        """The questions this user may moderate, as a filter on Question."""
        if self.staff:
            return Q()
        return Q(panel__isnull=True) | Q(panel_id__in=self.panel_ids)


def qa_event_for_user_or_404(user, event_id, *, moderate: bool = False) -> tuple[Event, QaAccess]:
    """The Q&A of a published (or finished) event: active members, estates staff and the
    event's own panelists; moderation: staff and the event's panelists (403 for others who
    may see the event, 404 for those who may not)."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        raise Http404
    staff = roles.is_estates_staff(user)
    if not staff and event.status not in QA_EVENT_STATES:
        raise Http404
    member = False if staff else roles.is_active_member(user)
    seats = [] if staff or (member and not moderate) else selectors.panelist_seats(user=user, event=event)
    access = QaAccess(staff=staff, member=member, seats=seats)
    if not (staff or member or access.panelist):
        if (
            event.audience == Event.Audience.MEMBERS
            and selectors.event_visible_or_none(user=user, event_id=event.pk) is None
        ):
            raise Http404
        raise PermissionDenied
    if moderate and not access.can_moderate:
        raise PermissionDenied
    return event, access


def own_question_for_user_or_404(user, event, question_id) -> Question:
    """A question the user asked in this event."""
    question = Question.objects.filter(pk=question_id, event=event, asker=user).first()
    if question is None:
        raise Http404
    return question


def published_question_for_user_or_404(user, event, question_id) -> Question:
    """A question everybody in the Q&A sees (approved or answered), to vote for."""
    question = Question.objects.filter(
        pk=question_id, event=event, status__in=selectors.VISIBLE_QUESTION_STATES
    ).first()
    if question is None:
        raise Http404
    return question


def moderated_question_for_user_or_404(access: QaAccess, event, question_id) -> Question:
    """A question of this event within the user's moderation scope (staff: any; a panelist:
    their panels' and the general ones). Another panel's question is a 404."""
    question = (
        Question.objects.filter(access.moderation_filter(), pk=question_id, event=event)
        .select_related("event", "panel")
        .first()
    )
    if question is None:
        raise Http404
    return question


def answerer_for_user_or_404(access: QaAccess, question, panelist_id) -> Panelist | None:
    """Who the answer is recorded in the name of. A panelist answers in their own name (their
    seat on the question's panel, or for a general question the seat addressed or their
    first); naming anybody else is refused (404). Staff may name a panelist of the question's
    panel (of the event for a general question) or nobody."""
    if access.staff:
        if not panelist_id:
            return None
        seats = Panelist.objects.filter(pk=panelist_id, panel__event_id=question.event_id)
        if question.panel_id is not None:
            seats = seats.filter(panel_id=question.panel_id)
        seat = seats.select_related("panel").first()
        if seat is None:
            raise Http404
        return seat
    own = [s for s in access.seats if question.panel_id is None or s.panel_id == question.panel_id]
    if not own:
        raise Http404
    if panelist_id:
        chosen = [s for s in own if str(s.pk) == str(panelist_id)]
        if not chosen:
            raise Http404
        return chosen[0]
    addressed = [s for s in own if s.pk == question.addressed_panelist_id]
    return (addressed or own)[0]


def registration_for_user_or_404(user, event, *, registered: bool = False) -> Registration:
    """The user's own registration for the event (`registered`: only a current one)."""
    registrations = Registration.objects.filter(event=event, user=user)
    if registered:
        registrations = registrations.filter(status=Registration.Status.REGISTERED)
    registration = registrations.first()
    if registration is None:
        raise Http404
    return registration


def checkin_registration_for_user_or_404(user, event_id, registration_id) -> Registration:
    """A registration of the event, for the estates staff's check-in desk."""
    if not roles.is_estates_staff(user):
        raise Http404
    registration = Registration.objects.filter(pk=registration_id, event_id=event_id).select_related("user").first()
    if registration is None:
        raise Http404
    return registration


def staff_event_for_user_or_404(user, event_id) -> Event:
    """Any event (drafts too), for the estates staff's pages."""
    if not roles.is_estates_staff(user):
        raise Http404
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        raise Http404
    return event


def commitment_for_user_or_404(user, commitment_id) -> Commitment:
    """A commitment with its questions and notes: every signed-in user follows them."""
    commitment = selectors.commitment_detail(pk=commitment_id) if user.is_authenticated else None
    if commitment is None:
        raise Http404
    return commitment
