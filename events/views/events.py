"""Events: the list, an event's page and its calendar file."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from members import roles

from .. import ical, selectors
from ..access import event_for_user_or_404
from ..models import Event


@require_GET
def event_list(request):
    """Everyone: upcoming and past events this user may see (members-only events for active
    members, drafts for staff)."""
    return render(
        request,
        "events/list.html",
        {
            "upcoming": selectors.events_upcoming_public(user=request.user),
            "past": selectors.events_past(user=request.user),
            "drafts": selectors.events_drafts(user=request.user),
        },
    )


@require_GET
def event_detail(request, event_id):
    """Everyone for public events; active members for members-only ones; staff for drafts."""
    event = event_for_user_or_404(request.user, event_id)
    user = request.user
    staff = roles.is_estates_staff(user)
    member = roles.is_active_member(user)
    panelist = selectors.is_event_panelist(user=user, event=event)
    taken = selectors.registered_count(event=event)
    registration = selectors.registration_of(event=event, user=user) if member else None
    waiting = registration is not None and registration.status == registration.Status.WAITING
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "agenda": list(event.agenda.all()),
            "panels": selectors.event_panels(event=event),
            "registration": registration,
            "waiting_position": selectors.waiting_position(registration=registration) if waiting else None,
            "offer_open": registration is not None
            and registration.status == registration.Status.OFFERED
            and registration.offer_expires_at > timezone.now(),
            "taken": taken,
            "seats_left": None if event.capacity is None else max(event.capacity - taken, 0),
            "registration_open": event.registration_is_open(),
            "is_member": member,
            "is_staff": staff,
            "is_panelist": panelist,
            "qa_available": event.status in (Event.Status.PUBLISHED, Event.Status.FINISHED)
            and (staff or member or panelist),
        },
    )


@require_GET
def event_ical(request, event_id):
    """Everyone who may see the event: an iCalendar file to add it to a calendar."""
    event = event_for_user_or_404(request.user, event_id)
    response = HttpResponse(
        ical.event_to_ical(event, url=request.build_absolute_uri(event.get_absolute_url())),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response
