"""Reads of the market, scoped to who asks: a member sees only the requests they were matched
to; a buyer only their own request (by its private link)."""

import functools

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.http import Http404
from django.urls import reverse

from catalogue.models import Product, Unit, product_name
from showcase.selectors import members_listing_product

from .models import BuyerRequest, Match, Offer, token_digest

R = BuyerRequest.Status


def requested_kg(buyer_request) -> int | None:
    """The request's quantity in kg where it can be known (kg, or boxes/pieces of a product
    with a net weight); None otherwise (capacity then does not apply)."""
    if buyer_request.unit == Unit.KG:
        return buyer_request.quantity
    grams = buyer_request.product.default_net_grams
    if grams:
        return -(-buyer_request.quantity * grams // 1000)
    return None


def matching_members(buyer_request):
    """Active members that list the product in the showcase (in the request's county, when it
    names one), with a health licence covering it in force today and, where it applies, a
    stated monthly capacity not below the requested quantity."""
    members = members_listing_product(buyer_request.product, county=buyer_request.county or None).filter(
        licence_valid_today=True
    )
    kg = requested_kg(buyer_request)
    if kg is not None:
        members = members.filter(Q(listed_capacity_kg__isnull=True) | Q(listed_capacity_kg__gte=kg))
    return members


def requests_for_member(member):
    """The requests a member was told about: open ones, and closed ones they offered on.
    Each carries `my_offer_status` (None when they have not offered)."""
    mine = Offer.objects.filter(request=OuterRef("pk"), member=member)
    return (
        BuyerRequest.objects.filter(Exists(Match.objects.filter(request=OuterRef("pk"), member=member)))
        .filter(Q(status=R.APPROVED) | Q(status=R.CLOSED, offers__member=member))
        .annotate(my_offer_status=Subquery(mine.values("status")[:1]))
        .select_related("product")
        .order_by("status", "deadline", "id")
        .distinct()
    )


def open_requests_for_member(member, *, limit=5) -> list:
    """The dashboard's open requests the member was told about, soonest deadline first, each
    with `my_offer_status` (one query: no join on offers, no DISTINCT, as `requests_for_member`
    needs for the closed ones)."""
    mine = Offer.objects.filter(request=OuterRef("pk"), member=member)
    return list(
        BuyerRequest.objects.filter(
            Exists(Match.objects.filter(request=OuterRef("pk"), member=member)), status=R.APPROVED
        )
        .annotate(my_offer_status=Subquery(mine.values("status")[:1]))
        .select_related("product")
        .order_by("deadline", "id")[:limit]
    )


@functools.cache
def _dashboard_sql() -> str:
    """One statement: `open_requests_for_member`'s rows with only the columns the dashboard
    shows (the product's names instead of the product)."""
    request, product, match, offer = (model._meta.db_table for model in (BuyerRequest, Product, Match, Offer))
    return f"""
        SELECT r.id, p.name_fa, p.name_en, r.quantity, r.unit, r.deadline,
            (SELECT o.status FROM {offer} o WHERE o.request_id = r.id AND o.member_id = %s LIMIT 1)
        FROM {request} r
        JOIN {product} p ON p.id = r.product_id
        WHERE r.status = %s AND EXISTS (SELECT 1 FROM {match} m WHERE m.request_id = r.id AND m.member_id = %s)
        ORDER BY r.deadline, r.id
        LIMIT %s
    """  # noqa: S608 (table names from the models, values are parameters)


def member_dashboard_requests(member, *, limit=5) -> list[dict]:
    """For the member dashboard: the open requests the member was told about, soonest deadline
    first, as dicts with `url`, `product` (its name), `quantity`, `unit_label`, `deadline` and
    `my_offer_status` (the values `open_requests_for_member` gives). One query, no model
    instances."""
    with connection.cursor() as cursor:
        cursor.execute(_dashboard_sql(), [member.pk, R.APPROVED, member.pk, limit])
        rows = cursor.fetchall()
    return [
        {
            "url": reverse("market:request_detail", kwargs={"pk": pk}),
            "product": product_name(name_fa, name_en),
            "quantity": quantity,
            "unit_label": Unit(unit).label,
            "deadline": deadline,
            "my_offer_status": offer_status,
        }
        for pk, name_fa, name_en, quantity, unit, deadline, offer_status in rows
    ]


def request_for_member_or_404(member, pk):
    """A request the member was matched to (open or closed); anything else is a 404."""
    try:
        return (
            BuyerRequest.objects.filter(status__in=[R.APPROVED, R.CLOSED], matches__member=member)
            .select_related("product")
            .get(pk=pk)
        )
    except BuyerRequest.DoesNotExist:
        raise Http404 from None


def own_offer(buyer_request, member):
    return Offer.objects.filter(request=buyer_request, member=member).first()


def request_by_token_or_404(token: str):
    """The buyer's request by its private link; a wrong or malformed token is a 404."""
    if not token or len(token) > 100:
        raise Http404
    try:
        return BuyerRequest.objects.select_related("product").get(token_hash=token_digest(token))
    except BuyerRequest.DoesNotExist:
        raise Http404 from None


def offers_for_buyer(buyer_request):
    """The offers a buyer sees (withdrawn ones left out), with the producer's public name."""
    return (
        buyer_request.offers.exclude(status=Offer.Status.WITHDRAWN)
        .select_related("member")
        .order_by("unit_price_rial", "id")
    )


def accepted_offer(buyer_request):
    return buyer_request.offers.filter(status=Offer.Status.ACCEPTED).select_related("member").first()


def open_requests_count(member) -> int:
    return requests_for_member(member).filter(status=R.APPROVED).exclude(my_offer_status__isnull=False).count()


def outcome_counts() -> dict:
    """Staff's figures: requests, approved (ever), offers (not withdrawn), accepted."""
    requests = BuyerRequest.objects.aggregate(
        requests=Count("id"),
        pending=Count("id", filter=Q(status=R.PENDING)),
        approved=Count("id", filter=Q(status__in=[R.APPROVED, R.CLOSED]) & Q(decided_at__isnull=False)),
        rejected=Count("id", filter=Q(status=R.REJECTED)),
    )
    offers = Offer.objects.aggregate(
        offers=Count("id", filter=~Q(status=Offer.Status.WITHDRAWN)),
        accepted=Count("id", filter=Q(status=Offer.Status.ACCEPTED)),
    )
    return {**requests, **offers}


def requests_for_export():
    """Every request with its counts and accepted offer (three queries)."""
    return (
        BuyerRequest.objects.select_related("product")
        .annotate(
            matches_count=Count("matches", distinct=True),
            offers_count=Count("offers", filter=~Q(offers__status=Offer.Status.WITHDRAWN), distinct=True),
        )
        .prefetch_related(
            Prefetch(
                "offers",
                queryset=Offer.objects.filter(status=Offer.Status.ACCEPTED).select_related("member"),
                to_attr="accepted",
            )
        )
        .order_by("-created_at", "-id")
    )
