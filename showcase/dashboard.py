"""The showcase section of the member dashboard (/members/me/): the member's listings, their
licence state and this month's scans (one query)."""

from django.utils.translation import gettext as _

from .selectors import member_dashboard_listings


def member_dashboard_section(*, request, member):
    if member is None or not member.is_active_member:
        return None
    return {
        "title": _("My products in the showcase"),
        "template": "showcase/_dashboard_section.html",
        "context": {"listings": member_dashboard_listings(member=member)},
        "order": 40,
    }
