"""The "my prices" section of the member dashboard (/members/me/): two queries."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from .models import PriceSubmission
from .selectors import open_round


def member_dashboard_section(*, request, member) -> dict | None:
    if member is None or not member.is_active_member:
        return None
    current_round = open_round()
    counts = {"total": 0, "needs_info": 0}
    if current_round:
        counts = PriceSubmission.objects.filter(member=member, price_round=current_round, is_current=True).aggregate(
            total=Count("id"), needs_info=Count("id", filter=Q(status=PriceSubmission.Status.NEEDS_INFO))
        )
    return {
        "title": _("My prices"),
        "template": "pricing/_dashboard_section.html",
        "context": {"open_round": current_round, "counts": counts},
        "order": 20,
    }
