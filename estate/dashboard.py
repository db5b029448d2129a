"""The estate section of the member dashboard: the member's registered interest and its rank
in the published ranking (one query)."""

from django.utils.translation import gettext as _

from .selectors import member_dashboard_estate


def member_dashboard_section(*, request, member):
    if member is None or not member.is_active_member:
        return None
    return {
        "title": _("The sweets estate"),
        "template": "estate/_dashboard_section.html",
        "context": member_dashboard_estate(member=member),
        "order": 45,
    }
