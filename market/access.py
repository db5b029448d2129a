"""Who may use the market's pages. Members: users of an active member (others 403), and only
the requests they were matched to (others 404). The buyer's private page: whoever holds the
link, except users acting for a member (a producer never opens a buyer's page: 404)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from members.models import Member
from members.roles import member_of

from . import selectors


def active_member_or_403(request) -> Member:
    member = member_of(request.user)
    if member is None or not member.is_active_member:
        raise PermissionDenied
    return member


def request_for_member_or_404(request, pk):
    member = active_member_or_403(request)
    return member, selectors.request_for_member_or_404(member, pk)


def buyer_request_for_link_or_404(request, token):
    if request.user.is_authenticated and member_of(request.user) is not None:
        raise Http404
    return selectors.request_by_token_or_404(token)
