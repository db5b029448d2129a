"""The "buyer requests for you" section of the member dashboard: open requests the member was
matched to (one query)."""

from django.utils.translation import gettext as _

from .selectors import open_requests_for_member


def member_dashboard_section(*, request, member):
    if member is None or not member.is_active_member:
        return None
    items = open_requests_for_member(member)
    return {
        "title": _("Buyer requests for you"),
        "template": "market/_dashboard_section.html",
        "context": {"items": items},
        "order": 45,
    }
