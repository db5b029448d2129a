"""The packaging section of the member dashboard: the member's lines in joint orders (cost,
label) and how many open orders it has not joined (a fixed number of queries)."""

from django.utils.translation import gettext as _

from .selectors import orders_for_member


def member_dashboard_section(*, request, member):
    if member is None or not member.is_active_member:
        return None
    orders = orders_for_member(member=member)
    mine = [o for o in orders if o.my_quantity]
    open_to_join = [o for o in orders if o.status == o.Status.OPEN and not o.my_quantity]
    if not mine and not open_to_join:
        return None
    return {
        "title": _("Joint packaging orders"),
        "template": "packaging/_dashboard_section.html",
        "context": {"mine": mine, "open_to_join": open_to_join},
        "order": 42,
    }
