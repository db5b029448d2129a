"""The packaging section of the member dashboard: the member's lines in joint orders (cost,
label) and how many open orders it has not joined (one query)."""

from django.utils.translation import gettext as _

from .selectors import member_dashboard_orders


def member_dashboard_section(*, request, member):
    if member is None or not member.is_active_member:
        return None
    orders = member_dashboard_orders(member=member)
    if not orders["mine"] and not orders["open_to_join"]:
        return None
    return {
        "title": _("Joint packaging orders"),
        "template": "packaging/_dashboard_section.html",
        "context": orders,
        "order": 42,
    }
