"""The "buyer requests for you" section of the member dashboard: open requests the member was
matched to (one query)."""

from django.utils.translation import gettext as _

from .selectors import member_dashboard_requests


def member_dashboard_section(*, request, member):
    if member is None or not member.is_active_member:
        return None
    items = member_dashboard_requests(member)
    return {
        "title": _("Buyer requests for you"),
        "template": "market/_dashboard_section.html",
        "context": {"items": items},
        "order": 45,
    }
