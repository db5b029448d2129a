"""The estate section of the member dashboard: the member's registered interest and its rank
in the published ranking (a fixed number of queries)."""

from django.utils.translation import gettext as _

from .selectors import member_rank, member_registration


def member_dashboard_section(*, request, member):
    if member is None or not member.is_active_member:
        return None
    return {
        "title": _("The sweets estate"),
        "template": "estate/_dashboard_section.html",
        "context": {"registration": member_registration(member, products=False), "my_rank": member_rank(member=member)},
        "order": 45,
    }
