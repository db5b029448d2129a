"""The "my prices" section of the member dashboard (/members/me/): one query."""

from django.utils.translation import gettext as _

from .selectors import member_dashboard_prices


def member_dashboard_section(*, request, member) -> dict | None:
    if member is None or not member.is_active_member:
        return None
    return {
        "title": _("My prices"),
        "template": "pricing/_dashboard_section.html",
        "context": member_dashboard_prices(member=member),
        "order": 20,
    }
