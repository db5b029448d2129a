"""Who may use which page, for every app above members: the role decorators (built with the
platform's one factory, `core.access.role_required`) and the member a request acts for.

A page that acts for "my business" takes it from the request, never from the URL, so there is
no id to change; a user who does not act for a member (or an active one, or as its owner)
gets 403. Another member's *object* is a 404: the apps' `<thing>_for_user_or_404` helpers."""

from django.core.exceptions import PermissionDenied

from core.access import role_required

from . import roles
from .models import Member, MemberUser

signed_in_required = role_required()
active_member_required = role_required(roles.is_active_member)
staff_required = role_required(roles.is_estates_staff)
union_head_required = role_required(roles.is_union_head)
member_or_staff_required = role_required(roles.is_estates_staff, roles.is_active_member)


def own_member_or_403(request) -> Member:
    """The member this user acts for, in any status."""
    member = roles.member_of(request.user)
    if member is None:
        raise PermissionDenied
    return member


def active_member_or_403(request) -> Member:
    """The member this user acts for, when it is active."""
    member = own_member_or_403(request)
    if not member.is_active_member:
        raise PermissionDenied
    return member


def owner_member_or_403(request) -> Member:
    """The active member this user owns (colleagues may not manage colleagues)."""
    member = active_member_or_403(request)
    if not MemberUser.objects.filter(member=member, user=request.user, role=MemberUser.Role.OWNER).exists():
        raise PermissionDenied
    return member
