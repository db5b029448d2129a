"""The programmes section of the member dashboard: open calls the member qualifies for and its
applications waiting for a decision (a fixed number of queries)."""

from django.utils.translation import gettext as _

from .models import Application
from .selectors import calls_for_member


def member_dashboard_section(*, request, member):
    if member is None or not member.is_active_member:
        return None
    calls = calls_for_member(member=member, documents=False)
    qualifying = [c for c in calls if c.eligibility.qualifies and not c.application][:5]
    applied = [c for c in calls if c.application][:5]
    return {
        "title": _("Support programmes"),
        "template": "programmes/_dashboard_section.html",
        "context": {
            "qualifying": qualifying,
            "not_qualifying": sum(1 for c in calls if not c.eligibility.qualifies and not c.application),
            "applied": applied,
            "statuses": Application.Status,
        },
        "order": 40,
    }
