"""Reads of the showcase, scoped to who asks. What is public and whether a health licence is
valid are computed in the query from today's date (Tehran), the member's status and the permits'
dates: a lapsed or suspended member, an expired or replaced licence disappear at once."""

import datetime
import functools

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from catalogue.models import Product
from core.jalali import jalali_month_label, jalali_month_of, jalali_month_range
from core.persian import search_key
from members.models import Member
from members.roles import is_estates_staff
from permits.models import Permit, PermitType
from permits.selectors import MANUFACTURING_LICENCE, in_force_condition, product_licences

from .models import BoxCode, LabelBatch, Listing, ListingPackage, ListingPhoto, ScanCount, Storefront


def _today(today=None) -> datetime.date:
    return today or timezone.localdate()


@functools.lru_cache(maxsize=64)
def month_start(day: datetime.date) -> datetime.date:
    """The first (Gregorian) day of the Jalali month `day` is in: scans are counted by it
    (remembered: every scan asks for today's)."""
    return jalali_month_range(*jalali_month_of(day))[0]


# -- licences ------------------------------------------------------------------------------------


def licence_valid_expression(*, member_ref="member_id", product_ref="product_id", today=None):
    """True when a manufacturing health licence of the member covering the product is in force."""
    return Exists(
        product_licences(today=_today(today)).filter(member_id=OuterRef(member_ref), products=OuterRef(product_ref))
    )


# -- the public showcase ---------------------------------------------------------------------------


def listings_public():
    """Listings anyone may see: published, not hidden by the staff, of an active member that
    keeps its storefront listed."""
    return Listing.objects.filter(
        is_published=True,
        hidden_at__isnull=True,
        member__status=Member.Status.ACTIVE,
        member__storefront__is_listed=True,
    )


def listing_is_public(listing) -> bool:
    """listings_public()'s rule for one loaded listing (with its member and storefront)."""
    storefront = getattr(listing.member, "storefront", None)
    return (
        listing.is_published
        and listing.hidden_at is None
        and listing.member.status == Member.Status.ACTIVE
        and storefront is not None
        and storefront.is_listed
    )


def _cover_photo():
    return Subquery(ListingPhoto.objects.filter(listing=OuterRef("pk")).order_by("sort_order", "id").values("pk")[:1])


def showcase_search(*, query="", product=None, county="", kind="", licensed=False, today=None):
    """The public showcase, newest first; each listing carries its member, product type, cover
    photo id and `licence_valid` (one query for the rows)."""
    today = _today(today)
    listings = listings_public().annotate(licence_valid=licence_valid_expression(today=today))
    if query:
        key = search_key(query)
        if key:
            listings = listings.filter(search_key__contains=key)
    if product is not None:
        listings = listings.filter(product=product)
    if county:
        listings = listings.filter(member__county=county)
    if kind:
        listings = listings.filter(member__kind=kind)
    if licensed:
        listings = listings.filter(licence_valid=True)
    return (
        listings.annotate(cover_photo_id=_cover_photo())
        .select_related("member", "product")
        .only(
            "id",
            "name",
            "updated_at",
            "member__id",
            "member__business_name",
            "member__kind",
            "member__county",
            "product__id",
            "product__name_fa",
            "product__name_en",
        )
        .order_by("-updated_at", "-id")
    )


def showcase_products():
    return Product.objects.filter(is_active=True).order_by("sort_order", "name_fa")


def _detail_queryset(today):
    return (
        listings_public()
        .select_related("member", "member__storefront", "product")
        .annotate(licence_valid=licence_valid_expression(today=today))
        .prefetch_related(
            Prefetch("photos", queryset=ListingPhoto.objects.order_by("sort_order", "id")),
            Prefetch("packages", queryset=ListingPackage.objects.order_by("sort_order", "id")),
        )
    )


def listing_public_or_404(pk: int, *, today=None) -> Listing:
    """One public listing with its member, storefront, photos and box sizes (three queries)."""
    listing = _detail_queryset(_today(today)).filter(pk=pk).first()
    if listing is None:
        raise Http404
    return listing


def where_to_buy(listing: Listing) -> dict:
    """What the showcase says about where to buy: a guild member's shop address and hours; a home
    producer's county only (buyers write through the portal's contact relay)."""
    member = listing.member
    storefront = getattr(member, "storefront", None)
    place = {"county": member.get_county_display(), "kind": member.kind, "is_home": member.kind == Member.Kind.HOME}
    if member.kind == Member.Kind.GUILD and storefront is not None:
        place["address"] = storefront.shop_address
        place["opening_hours"] = storefront.opening_hours
    return place


def public_listing_ids_for_sitemap():
    return listings_public().order_by("id").values("id", "updated_at")


def photo_for_user_or_404(*, pk: int, user, member) -> ListingPhoto:
    """A photo of a public listing, or of the viewer's own member's listing, or any for staff."""
    photo = ListingPhoto.objects.filter(pk=pk).first()
    if photo is None:
        raise Http404
    if listings_public().filter(pk=photo.listing_id).exists():
        photo.is_public = True
        return photo
    photo.is_public = False
    own = member is not None and Listing.objects.filter(pk=photo.listing_id, member=member).exists()
    if own or is_estates_staff(user):
        return photo
    raise Http404


# -- the member's own pages ------------------------------------------------------------------------


def member_storefront(member) -> Storefront | None:
    return Storefront.objects.filter(member=member).first()


def _scans_this_month(today):
    """A listing's scans (all its codes) in today's Jalali month, 0 when none."""
    scans = (
        ScanCount.objects.filter(code__listing=OuterRef("pk"), month=month_start(today))
        .order_by()
        .values("code__listing")
        .annotate(total=Sum("count"))
        .values("total")
    )
    return Coalesce(Subquery(scans[:1]), 0)


def member_listings(*, member, today=None):
    """The member's listings with their licence state, photo and code counts and this month's
    scans (one query whatever their number)."""
    today = _today(today)
    photos = ListingPhoto.objects.filter(listing=OuterRef("pk")).order_by().values("listing").annotate(n=Count("id"))
    codes = (
        BoxCode.objects.filter(listing=OuterRef("pk"), revoked_at__isnull=True)
        .order_by()
        .values("listing")
        .annotate(n=Count("id"))
    )
    return list(
        Listing.objects.filter(member=member)
        .select_related("product")
        .annotate(
            licence_valid=licence_valid_expression(today=today),
            cover_photo_id=_cover_photo(),
            photo_count=Coalesce(Subquery(photos.values("n")[:1]), 0),
            code_count=Coalesce(Subquery(codes.values("n")[:1]), 0),
            scans_this_month=_scans_this_month(today),
        )
        .order_by("-updated_at", "-id")
    )


def member_listings_brief(*, member, today=None, limit=5) -> list[dict]:
    """The dashboard's view of the member's newest listings: id, name, licence state and this
    month's scans (one query; none of the photo and code counts `member_listings` adds)."""
    today = _today(today)
    return list(
        Listing.objects.filter(member=member)
        .annotate(licence_valid=licence_valid_expression(today=today), scans_this_month=_scans_this_month(today))
        .order_by("-updated_at", "-id")
        .values("pk", "name", "licence_valid", "scans_this_month")[:limit]
    )


@functools.cache
def _dashboard_sql() -> str:
    """One statement: `member_listings_brief`'s rows. A listing's licence is valid when a
    manufacturing licence of its member covering its product is in force today (the rule of
    permits.selectors.in_force_condition: issued, not replaced, not expired, not revoked, not
    suspended that day); its scans are those of all its codes in today's Jalali month. The
    licence type's id is a sub-select, not a join: a simpler plan for the planner to make."""
    listing, permit, permit_type, code, scans = (
        model._meta.db_table for model in (Listing, Permit, PermitType, BoxCode, ScanCount)
    )
    products = Permit.products.field
    link, permit_column, product_column = (
        products.m2m_db_table(),
        products.m2m_column_name(),
        products.m2m_reverse_name(),
    )
    return f"""
        SELECT l.id, l.name,
            EXISTS (
                SELECT 1 FROM {permit} p
                JOIN {link} pp ON pp.{permit_column} = p.id
                WHERE p.member_id = l.member_id AND pp.{product_column} = l.product_id
                    AND p.permit_type_id = (SELECT t.id FROM {permit_type} t WHERE t.code = %(code)s)
                    AND p.replaced_by_id IS NULL AND p.issue_date <= %(today)s
                    AND (p.expiry_date IS NULL OR p.expiry_date >= %(today)s)
                    AND (p.revoked_on IS NULL OR p.revoked_on > %(today)s)
                    AND (p.suspended_from IS NULL OR p.suspended_from > %(today)s OR p.suspended_until < %(today)s)
            ),
            COALESCE((
                SELECT SUM(s.count) FROM {scans} s JOIN {code} c ON c.id = s.code_id
                WHERE c.listing_id = l.id AND s.month = %(month)s
            ), 0)
        FROM {listing} l
        WHERE l.member_id = %(member)s
        ORDER BY l.updated_at DESC, l.id DESC
        LIMIT %(limit)s
    """  # noqa: S608 (table and column names from the models, values are parameters)


def member_dashboard_listings(*, member, today=None, limit=5) -> list[dict]:
    """For the member dashboard: `member_listings_brief`'s listings (`pk`, `name`,
    `licence_valid`, `scans_this_month`) in one statement without building the ORM's
    expressions."""
    today = _today(today)
    params = {
        "code": MANUFACTURING_LICENCE,
        "today": connection.ops.adapt_datefield_value(today),
        "month": connection.ops.adapt_datefield_value(month_start(today)),
        "member": member.pk,
        "limit": limit,
    }
    with connection.cursor() as cursor:
        cursor.execute(_dashboard_sql(), params)
        rows = cursor.fetchall()
    return [
        {"pk": pk, "name": name, "licence_valid": bool(valid), "scans_this_month": scans}
        for pk, name, valid, scans in rows
    ]


def own_listing_or_404(*, member, pk: int) -> Listing:
    listing = (
        Listing.objects.filter(member=member, pk=pk)
        .select_related("product", "member")
        .prefetch_related(
            Prefetch("photos", queryset=ListingPhoto.objects.order_by("sort_order", "id")),
            Prefetch("packages", queryset=ListingPackage.objects.order_by("sort_order", "id")),
        )
        .first()
    )
    if listing is None:
        raise Http404
    return listing


def own_photo_or_404(*, listing, pk: int) -> ListingPhoto:
    photo = ListingPhoto.objects.filter(listing=listing, pk=pk).first()
    if photo is None:
        raise Http404
    return photo


def listing_batches(*, listing):
    """The listing's label sheets, each with its live codes and all-time scans (one query)."""
    scans = (
        ScanCount.objects.filter(code__batch=OuterRef("pk"))
        .order_by()
        .values("code__batch")
        .annotate(total=Sum("count"))
        .values("total")
    )
    return list(
        LabelBatch.objects.filter(listing=listing)
        .annotate(
            code_count=Count("codes"),
            live_count=Count("codes", filter=Q(codes__revoked_at__isnull=True)),
            scans=Coalesce(Subquery(scans[:1]), 0),
        )
        .order_by("-created_at", "-id")
    )


def own_batch_or_404(*, member, pk: int) -> LabelBatch:
    batch = (
        LabelBatch.objects.filter(pk=pk, listing__member=member).select_related("listing", "listing__product").first()
    )
    if batch is None:
        raise Http404
    return batch


def own_code_or_404(*, member, pk: int) -> BoxCode:
    code = BoxCode.objects.filter(pk=pk, listing__member=member).select_related("batch", "listing").first()
    if code is None:
        raise Http404
    return code


def batch_codes_with_scans(*, batch):
    """The sheet's codes with their total scans, and the sheet's scans by month (two queries)."""
    totals = ScanCount.objects.filter(code=OuterRef("pk")).order_by().values("code").annotate(t=Sum("count"))
    codes = list(
        BoxCode.objects.filter(batch=batch).annotate(scans=Coalesce(Subquery(totals.values("t")[:1]), 0)).order_by("id")
    )
    by_month = list(
        ScanCount.objects.filter(code__batch=batch).values("month").annotate(total=Sum("count")).order_by("-month")
    )
    for row in by_month:
        row["label"] = jalali_month_label(*jalali_month_of(row["month"]))
    return codes, by_month


# -- verifiable boxes -------------------------------------------------------------------------------


def box_code_for_scan(code: str, *, today=None):
    """What a scanned label's page shows, in two small queries (cheap to plan, the page is hit
    hard): the code with its listing, member, storefront and product; then the licence that
    names it — the one in force today (latest expiry first) or, when none is, the last one held
    (to say when it expired). The code carries `licence_valid`, `licence_number`,
    `licence_expiry` and `listing_public`. None for an unknown code."""
    if not code or len(code) > 40:
        return None
    today = _today(today)
    row = (
        BoxCode.objects.filter(code=code)
        .select_related("listing__member__storefront", "listing__product")
        .only(
            "id",
            "code",
            "revoked_at",
            "listing__id",
            "listing__name",
            "listing__is_published",
            "listing__hidden_at",
            "listing__member__id",
            "listing__member__business_name",
            "listing__member__brand",
            "listing__member__status",
            "listing__member__membership_number",
            "listing__member__storefront__is_listed",
            "listing__product__id",
            "listing__product__name_fa",
            "listing__product__name_en",
        )
        .first()
    )
    if row is None:
        return None
    listing = row.listing
    licence = (
        product_licences(in_force=False)
        .filter(member_id=listing.member_id, products=listing.product_id)
        .annotate(in_force=ExpressionWrapper(in_force_condition(today=today), output_field=BooleanField()))
        .order_by("-in_force", F("expiry_date").desc(nulls_first=True), "-id")
        .values("number", "expiry_date", "in_force", "public_code")
        .first()
    )
    row.licence_valid = bool(licence and licence["in_force"])
    row.licence_number = licence["number"] if licence else ""
    row.licence_code = licence["public_code"] if licence else ""  # the permit's own verification page
    row.licence_expiry = licence["expiry_date"] if licence else None
    row.listing_public = listing_is_public(listing)
    return row


def verdict(code: BoxCode) -> dict:
    """Green only when the code is live, the member is active and a licence covering the
    product is in force today; otherwise red, with the first reason that applies."""
    member = code.listing.member
    if code.revoked_at is not None:
        reason = "revoked"
    elif member.status != Member.Status.ACTIVE:
        reason = "membership"
    elif not code.licence_valid:
        reason = "expired" if code.licence_number else "no_licence"
    else:
        reason = ""
    return {"ok": reason == "", "reason": reason}


# -- for the apps above (market): who makes and lists a product ----------------------------------


def members_listing_product(product, county=None, *, today=None):
    """Active members that publicly list `product` in the showcase, optionally in one county.
    Each carries `listed_capacity_kg` (the largest monthly capacity they state for it, None when
    none is stated) and `licence_valid_today` (a manufacturing health licence covering it is in
    force). A queryset: filter or order it further (e.g. `.filter(licence_valid_today=True)`)."""
    today = _today(today)
    listed = listings_public().filter(product=product, member_id=OuterRef("pk"))
    members = (
        Member.objects.filter(status=Member.Status.ACTIVE)
        .filter(Exists(listed))
        .annotate(
            listed_capacity_kg=Subquery(
                listed.order_by(F("capacity_kg_per_month").desc(nulls_last=True)).values("capacity_kg_per_month")[:1]
            ),
            licence_valid_today=Exists(product_licences(today=today).filter(member_id=OuterRef("pk"), products=product))
            if product is not None
            else Value(False, output_field=BooleanField()),
        )
    )
    if county:
        members = members.filter(county=county)
    return members.order_by("business_name", "id")
