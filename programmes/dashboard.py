"""The programmes section of the member dashboard: open calls the member qualifies for and its
applications (two queries: the calls with their rules and the member's applications, then the
member's facts the rules read)."""

from django.utils.translation import gettext as _

from .selectors import dashboard_calls


def member_dashboard_section(*, request, member):
    if member is None or not member.is_active_member:
        return None
    return {
        "title": _("Support programmes"),
        "template": "programmes/_dashboard_section.html",
        "context": dashboard_calls(member=member),
        "order": 40,
    }
