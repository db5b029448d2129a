"""Who may see what in the events app. Each helper returns the object or raises 404 (not
visible to this user) / 403 (visible, but not for this role)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from members import roles

from . import selectors
from .models import Event, Question


def active_member_required(view):
    """Signed-in users of an active member business; others get the login page or 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not roles.is_active_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(view):
    """Estates staff (and superusers)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not roles.is_estates_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def signed_in_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def visible_event_or_404(user, event_id) -> Event:
    event = selectors.event_visible_or_none(user=user, event_id=event_id)
    if event is None:
        raise Http404
    return event


class QaAccess:
    """What one user may do in an event's Q&A."""

    def __init__(self, *, staff: bool, member: bool, panelist: bool):
        self.staff, self.member, self.panelist = staff, member, panelist

    @property
    def can_moderate(self) -> bool:
        return self.staff or self.panelist

    @property
    def sees_anonymous_names(self) -> bool:
        return self.staff


def qa_event_or_404(request, event_id, *, moderate: bool = False) -> tuple[Event, QaAccess]:
    """The Q&A of a published (or finished) event: active members, estates staff and the
    event's own panelists; moderation: staff and the event's panelists."""
    user = request.user
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        raise Http404
    staff = roles.is_estates_staff(user)
    if not staff and event.status not in (Event.Status.PUBLISHED, Event.Status.FINISHED):
        raise Http404
    member = False if staff else roles.is_active_member(user)
    # A member's access is enough for the Q&A pages: the polled fragment skips this query.
    panelist = False if (staff or member) else selectors.is_event_panelist(user=user, event=event)
    access = QaAccess(staff=staff, member=member, panelist=panelist)
    if moderate and not access.can_moderate:
        raise PermissionDenied
    if not (staff or member or panelist):
        if event.audience == Event.Audience.MEMBERS and not event_visible_to(user, event):
            raise Http404
        raise PermissionDenied
    return event, access


def event_visible_to(user, event) -> bool:
    return selectors.event_visible_or_none(user=user, event_id=event.pk) is not None


def own_question_or_404(request, event, question_id) -> Question:
    question = Question.objects.filter(pk=question_id, event=event, asker=request.user).first()
    if question is None:
        raise Http404
    return question


def event_question_or_404(event, question_id) -> Question:
    question = Question.objects.filter(pk=question_id, event=event).select_related("event").first()
    if question is None:
        raise Http404
    return question
