"""Roles: groups created by a migration; one place that answers "may this user …?"."""

from django.conf import settings
from django.contrib.auth import get_user_model

from core.groups import is_estates_staff, user_in_group

ESTATES_STAFF = settings.ESTATES_STAFF_GROUP
UNION_HEAD = "union_head"
PANELIST = "panelist"
ALL_GROUPS = (ESTATES_STAFF, UNION_HEAD, PANELIST)


__all__ = ["is_estates_staff", "is_union_head", "is_panelist", "member_of", "is_active_member", "estates_staff_users"]


def is_union_head(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user_in_group(user, UNION_HEAD))


def is_panelist(user) -> bool:
    return user_in_group(user, PANELIST)


def member_of(user):
    """The member business this user acts for, or None (cached on the user object)."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_member_cache"):
        from .models import MemberUser

        # One query for the link and the member (read once per request).
        link = MemberUser.objects.select_related("member").filter(user_id=user.pk).first()
        user._member_cache = link.member if link else None
    return user._member_cache


def is_active_member(user) -> bool:
    member = member_of(user)
    return member is not None and member.is_active_member


def estates_staff_users():
    return get_user_model().objects.filter(groups__name=ESTATES_STAFF, is_active=True).distinct()
