"""Who may see which pricing page and object. Roles are checked by the decorators (403 for the
wrong role, the login page for visitors); objects are looked up through the
`<thing>_for_user_or_404` helpers, so another member's object, or a round the user may not
see, is a 404 whatever its id."""

from django.http import Http404

from core.access import role_required
from members import roles

from . import selectors
from .models import PriceRound, PriceSubmission

active_member_required = role_required(roles.is_active_member)
union_head_required = role_required(roles.is_union_head)
staff_required = role_required(roles.is_estates_staff)
union_head_or_staff_required = role_required(roles.is_union_head, roles.is_estates_staff)


def sees_individual_prices(user) -> bool:
    """The union head and superusers: individual prices, minimum and maximum, live figures.
    Everyone else (estates staff included) sees what is published (docs/security.md)."""
    return roles.is_union_head(user)


def submission_for_user_or_404(user, pk) -> PriceSubmission:
    """One of the user's member's own prices (any version)."""
    member = roles.member_of(user)
    submission = selectors.member_submission_or_none(member=member, pk=pk) if member else None
    if submission is None:
        raise Http404
    return submission


def price_round_for_user_or_404(user, pk) -> PriceRound:
    """A round the estates staff may open, close or publish (every round)."""
    price_round = PriceRound.objects.filter(pk=pk).first() if roles.is_estates_staff(user) else None
    if price_round is None:
        raise Http404
    return price_round


def parse_id(value) -> int | None:
    """An id typed in a query string or a form (ASCII or Persian digits), or None: never an
    error for '²', a 30-digit number or text."""
    value = (value or "").strip()
    if not value.isdecimal() or len(value) > 18:
        return None
    return int(value)


def _chosen(rounds, wanted):
    """The round of ?round=<id> among `rounds` (404 for an id not among them); no or a
    non-numeric value: None (the page's default round)."""
    wanted = parse_id(wanted)
    if wanted is None:
        return None
    price_round = next((r for r in rounds if r.pk == wanted), None)
    if price_round is None:
        raise Http404
    return price_round


def report_round_for_user_or_404(user, rounds, wanted) -> PriceRound | None:
    """The round asked for in ?round= among the report's rounds (`rounds`, every round opened
    so far), or by default the open one, else the latest; None when there is none."""
    chosen = _chosen(rounds, wanted)
    if chosen is not None:
        return chosen
    return next((r for r in rounds if r.is_open), None) or (rounds[0] if rounds else None)


def published_round_for_user_or_404(user, rounds, wanted) -> PriceRound | None:
    """The published round asked for in ?round= (everyone), by default the latest."""
    return _chosen(rounds, wanted) or (rounds[0] if rounds else None)
