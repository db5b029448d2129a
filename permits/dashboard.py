"""The permits section of the member dashboard (/members/me/): what expires in 60 days (one
query)."""

from django.utils.translation import gettext as _

from .selectors import member_dashboard_permits_expiring


def member_dashboard_section(*, request, member):
    if member is None or not member.is_active_member:
        return None
    return {
        "title": _("Permits expiring in the next 60 days"),
        "template": "permits/_dashboard_section.html",
        "context": {"expiring": member_dashboard_permits_expiring(member=member, days=60)},
        "order": 30,
    }
