from django.conf import settings
from django.utils.functional import SimpleLazyObject

from core.notifications import unread_count
from members import roles


def _nav(request):
    user = request.user
    if not user.is_authenticated:
        return {}
    member = roles.member_of(user)
    return {
        "member": member,
        "member_active": bool(member and member.is_active_member),
        "staff": roles.is_estates_staff(user),
        "union_head": roles.is_union_head(user),
        "panelist": roles.is_panelist(user),
        "unread": unread_count(user),
    }


def portal(request):
    """What every page's layout needs: the portal's name and the role-aware navigation,
    computed only when a template uses it."""
    return {
        "portal_name": settings.PORTAL_NAME,
        "nav": SimpleLazyObject(lambda: _nav(request)) if hasattr(request, "user") else {},
    }
