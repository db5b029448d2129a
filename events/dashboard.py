"""The events section of the member dashboard: my upcoming events and my questions
(two queries, whatever the numbers)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Event, Question, Registration


def member_dashboard_section(*, request, member) -> dict | None:
    user = request.user
    registrations = list(
        Registration.objects.filter(
            user=user,
            status__in=(Registration.Status.REGISTERED, Registration.Status.OFFERED, Registration.Status.WAITING),
            event__ends_at__gte=timezone.now(),
            event__status=Event.Status.PUBLISHED,
        )
        .select_related("event")
        # Only what the section shows: a wide row costs more to build than to read.
        .only("status", "offer_expires_at", "event__title", "event__starts_at")
        .order_by("event__starts_at")[:5]
    )
    questions = list(
        Question.objects.filter(asker=user)
        .exclude(status=Question.Status.WITHDRAWN)
        .select_related("commitment")
        .only("event_id", "text", "status", "commitment__status")
        .order_by("-created_at", "-id")[:5]
    )
    return {
        "title": _("Events and questions"),
        "template": "events/_dashboard_section.html",
        "context": {"registrations": registrations, "questions": questions},
        "order": 30,
    }
