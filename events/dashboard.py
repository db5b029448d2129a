"""The events section of the member dashboard: my upcoming events and my questions
(two queries, whatever the numbers)."""

from django.utils.translation import gettext as _

from .selectors import member_dashboard_events


def member_dashboard_section(*, request, member) -> dict | None:
    return {
        "title": _("Events and questions"),
        "template": "events/_dashboard_section.html",
        "context": member_dashboard_events(user=request.user),
        "order": 30,
    }
