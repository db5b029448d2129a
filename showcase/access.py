"""Who may use the member's showcase pages: a user acting for an active member (others 403);
another member's listing, photo, sheet or code is a 404 (selectors.own_*_or_404)."""

from django.core.exceptions import PermissionDenied

from members.models import Member
from members.roles import member_of


def active_member_or_403(request) -> Member:
    member = member_of(request.user)
    if member is None or not member.is_active_member:
        raise PermissionDenied
    return member
