"""Every write of the showcase: atomic, checked here (forms only parse), audited. The public
pages' cached copies and the verification page's cached verdicts are renewed at once and again
on commit (showcase.page_cache, showcase.verify_cache)."""

import datetime
import logging
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import counters
from core.audit import audit_record, diff, snapshot
from core.notifications import notify
from core.tasks import enqueue_after
from members.models import Member, MemberUser
from members.roles import is_estates_staff

from . import page_cache, verify_cache
from .models import (
    LABELS_PER_SHEET,
    MAX_PACKAGES,
    MAX_PHOTOS,
    MAX_SHEETS,
    BoxCode,
    LabelBatch,
    Listing,
    ListingPackage,
    ListingPhoto,
    Storefront,
)
from .selectors import month_start

logger = logging.getLogger(__name__)

LISTING_FIELDS = [
    "product",
    "name",
    "description",
    "shelf_life_days",
    "ingredients",
    "allergens",
    "capacity_kg_per_month",
    "is_published",
]
STOREFRONT_FIELDS = ["is_listed", "shop_address", "opening_hours"]
CODE_BYTES = 16  # 128 random bits (secrets.token_urlsafe): 22 characters


def _require_active(member: Member, actor) -> None:
    if member.status != Member.Status.ACTIVE:
        raise ValidationError(_("Only active members can show products in the showcase."))
    if not MemberUser.objects.filter(member=member, user=actor).exists():
        raise PermissionDenied


def _changed(*tables: str) -> None:
    """The showcase pages' version, and the verification page's for `tables` (whose rows this
    service changed with `QuerySet.update()`, which sends no signal: a row's save or delete
    renews them by itself), now and again on commit."""
    page_cache.bump()
    verify_cache.bump(*tables)


# -- storefront -------------------------------------------------------------------------------------


@transaction.atomic
def storefront_save(*, member: Member, actor, data: dict) -> Storefront:
    """The member opts in or out and says where to buy (guild members' shop address and hours)."""
    _require_active(member, actor)
    storefront, created = Storefront.objects.select_for_update().get_or_create(member=member)
    before = snapshot(storefront, STOREFRONT_FIELDS)
    for field in STOREFRONT_FIELDS:
        if field in data:
            setattr(storefront, field, data[field])
    if member.kind == Member.Kind.HOME:
        # A home producer's address stays private: the showcase shows the county only.
        storefront.shop_address = ""
        storefront.opening_hours = ""
    storefront.save()
    changes = diff({} if created else before, snapshot(storefront, STOREFRONT_FIELDS))
    if changes or created:
        audit_record(actor=actor, action="showcase.storefront_save", instance=storefront, changes=changes)
    _changed()
    return storefront


# -- listings ---------------------------------------------------------------------------------------


def _check_packages(packages: list[dict]) -> None:
    if not packages:
        raise ValidationError(_("Add at least one box size with its net weight."))
    if len(packages) > MAX_PACKAGES:
        raise ValidationError(_("At most %(n)s box sizes.") % {"n": MAX_PACKAGES})


def _check_listing(data: dict) -> None:
    product = data.get("product")
    if product is None or not product.is_active:
        raise ValidationError({"product": _("Choose a product type from the catalogue.")})


def _save_packages(listing: Listing, packages: list[dict]) -> None:
    listing.packages.all().delete()
    ListingPackage.objects.bulk_create(
        ListingPackage(
            listing=listing,
            label=package["label"],
            net_grams=package["net_grams"],
            retail_price_rial=package.get("retail_price_rial"),
            sort_order=index,
        )
        for index, package in enumerate(packages)
    )


def _packages_snapshot(packages) -> list:
    return [[p["label"], p["net_grams"], p.get("retail_price_rial")] for p in packages]


@transaction.atomic
def listing_create(*, member: Member, actor, data: dict, packages: list[dict], photos=()) -> Listing:
    """A new listing (the member's storefront is opened, listed, if it had none). `photos` are
    core.uploads CleanFile pairs (image, thumbnail)."""
    _require_active(member, actor)
    _check_listing(data)
    _check_packages(packages)
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(n)s photos a product.") % {"n": MAX_PHOTOS}})
    Storefront.objects.get_or_create(member=member)
    listing = Listing(member=member, **{field: data.get(field) for field in LISTING_FIELDS if field in data})
    listing.refresh_search_key(member=member, product=data["product"])
    listing.full_clean(exclude=["member", "product", "search_key"])
    listing.save()
    _save_packages(listing, packages)
    _add_photos(listing, photos)
    audit_record(
        actor=actor,
        action="showcase.listing_create",
        instance=listing,
        changes={**snapshot(listing, LISTING_FIELDS), "packages": _packages_snapshot(packages), "photos": len(photos)},
    )
    _changed()
    return listing


@transaction.atomic
def listing_update(*, listing: Listing, actor, data: dict, packages: list[dict]) -> Listing:
    listing = Listing.objects.select_for_update().select_related("member", "product").get(pk=listing.pk)
    _require_active(listing.member, actor)
    _check_listing(data)
    _check_packages(packages)
    before = {
        **snapshot(listing, LISTING_FIELDS),
        "packages": _packages_snapshot(listing.packages.values("label", "net_grams", "retail_price_rial")),
    }
    for field in LISTING_FIELDS:
        if field in data:
            setattr(listing, field, data[field])
    listing.refresh_search_key(member=listing.member, product=listing.product)
    listing.full_clean(exclude=["member", "product", "search_key"])
    listing.save()
    _save_packages(listing, packages)
    after = {**snapshot(listing, LISTING_FIELDS), "packages": _packages_snapshot(packages)}
    changes = diff(before, after)
    if changes:
        audit_record(actor=actor, action="showcase.listing_update", instance=listing, changes=changes)
    _changed()
    return listing


def _add_photos(listing: Listing, photos) -> list[ListingPhoto]:
    highest = listing.photos.aggregate(m=Max("sort_order"))["m"]
    start = 0 if highest is None else highest + 1
    created = []
    for offset, (image, thumb) in enumerate(photos):
        photo = ListingPhoto(listing=listing, sort_order=start + offset)
        photo.image.save(image.content.name, image.content, save=False)
        photo.thumbnail.save(thumb.content.name, thumb.content, save=False)
        photo.save()
        created.append(photo)
    return created


@transaction.atomic
def listing_photos_add(*, listing: Listing, actor, photos) -> list[ListingPhoto]:
    listing = Listing.objects.select_for_update().select_related("member").get(pk=listing.pk)
    _require_active(listing.member, actor)
    if not photos:
        raise ValidationError({"photos": _("Choose at least one photo.")})
    if listing.photos.count() + len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(n)s photos a product.") % {"n": MAX_PHOTOS}})
    created = _add_photos(listing, photos)
    audit_record(actor=actor, action="showcase.photo_add", instance=listing, changes={"photos": len(created)})
    Listing.objects.filter(pk=listing.pk).update(updated_at=timezone.now())
    _changed()
    return created


@transaction.atomic
def listing_photo_delete(*, photo: ListingPhoto, actor) -> None:
    listing = Listing.objects.select_for_update().select_related("member").get(pk=photo.listing_id)
    _require_active(listing.member, actor)
    names = [photo.image.name, photo.thumbnail.name]
    photo.delete()
    audit_record(actor=actor, action="showcase.photo_delete", instance=listing, changes={"photo": photo.pk})
    transaction.on_commit(lambda: [default_storage.delete(name) for name in names if name])
    _changed()


@transaction.atomic
def listing_photo_move(*, photo: ListingPhoto, actor, direction: str) -> None:
    """Moves a photo one place earlier ("up") or later ("down"); the first one is the cover."""
    listing = Listing.objects.select_for_update().select_related("member").get(pk=photo.listing_id)
    _require_active(listing.member, actor)
    photos = list(listing.photos.order_by("sort_order", "id"))
    index = next(i for i, p in enumerate(photos) if p.pk == photo.pk)
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= target < len(photos):
        return
    photos[index], photos[target] = photos[target], photos[index]
    for order, item in enumerate(photos):
        if item.sort_order != order:
            item.sort_order = order
            item.save(update_fields=["sort_order"])
    audit_record(actor=actor, action="showcase.photo_move", instance=listing, changes={"photo": photo.pk, "to": target})
    _changed()


@transaction.atomic
def listing_hide(*, listing: Listing, actor, reason: str) -> Listing:
    """Estates staff take a listing out of the showcase, with a reason the member is shown."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason for hiding the listing."))
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    listing.hidden_at = timezone.now()
    listing.hidden_reason = reason
    listing.hidden_by = actor
    listing.save(update_fields=["hidden_at", "hidden_reason", "hidden_by"])
    audit_record(
        actor=actor, action="showcase.listing_hide", instance=listing, changes={"hidden": [False, True]}, note=reason
    )
    for link in MemberUser.objects.filter(member_id=listing.member_id).select_related("user"):
        notify(
            user=link.user,
            subject=_("Your product “%(name)s” was taken out of the showcase") % {"name": listing.name},
            body=reason,
            url=listing_manage_url(listing),
        )
    _changed()
    return listing


@transaction.atomic
def listing_unhide(*, listing: Listing, actor) -> Listing:
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if listing.hidden_at is None:
        return listing
    listing.hidden_at = None
    listing.hidden_reason = ""
    listing.hidden_by = None
    listing.save(update_fields=["hidden_at", "hidden_reason", "hidden_by"])
    audit_record(actor=actor, action="showcase.listing_unhide", instance=listing, changes={"hidden": [True, False]})
    _changed()
    return listing


def listing_manage_url(listing: Listing) -> str:
    return reverse("showcase:listing_edit", args=[listing.pk])


# -- labels and codes ---------------------------------------------------------------------------------


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


@transaction.atomic
def label_batch_create(*, listing: Listing, actor, sheets: int) -> LabelBatch:
    """A print run: LABELS_PER_SHEET new codes a sheet, each unguessable."""
    listing = Listing.objects.select_related("member").get(pk=listing.pk)
    _require_active(listing.member, actor)
    if not 1 <= sheets <= MAX_SHEETS:
        raise ValidationError({"sheets": _("Print between 1 and %(n)s sheets at a time.") % {"n": MAX_SHEETS}})
    batch = LabelBatch.objects.create(listing=listing, sheets=sheets, created_by=actor)
    BoxCode.objects.bulk_create(
        BoxCode(code=new_code(), batch=batch, listing=listing) for _n in range(sheets * LABELS_PER_SHEET)
    )
    audit_record(
        actor=actor,
        action="showcase.labels_create",
        instance=listing,
        changes={"batch": batch.pk, "labels": sheets * LABELS_PER_SHEET},
    )
    return batch


def _may_revoke(code_member_id: int, actor) -> bool:
    return is_estates_staff(actor) or MemberUser.objects.filter(member_id=code_member_id, user=actor).exists()


@transaction.atomic
def box_codes_revoke(*, codes, actor, reason: str = "") -> int:
    """Withdraws codes (the member's own, or any for staff): their page turns red at once."""
    codes = list(codes)
    for code in codes:
        if not _may_revoke(code.listing.member_id, actor):
            raise PermissionDenied
    ids = [code.pk for code in codes if code.revoked_at is None]
    count = BoxCode.objects.filter(pk__in=ids, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor
    )
    for listing_id in {code.listing_id for code in codes if code.pk in ids}:
        audit_record(
            actor=actor,
            action="showcase.codes_revoke",
            instance=next(code.listing for code in codes if code.listing_id == listing_id),
            changes={"codes": [code.pk for code in codes if code.listing_id == listing_id and code.pk in ids]},
            note=reason,
        )
    _changed(verify_cache.CODES)  # the next scan of a withdrawn code is red
    return count


# -- scans ----------------------------------------------------------------------------------------------

_UPSERT = (
    "INSERT INTO showcase_scancount (code_id, month, count) "
    "SELECT id, %s, %s FROM showcase_boxcode WHERE id = %s "  # nothing when the code is gone
    "ON CONFLICT (code_id, month) DO UPDATE SET count = showcase_scancount.count + EXCLUDED.count"
)


def _scan_counts_add(*, code_id: int, month: datetime.date, count: int) -> None:
    """Adds `count` to the code's row for the month: one atomic statement (no read, no race).
    On PostgreSQL the commit does not wait for the disk (a crash may lose the last few counts,
    never corrupt them)."""
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            cursor.execute(_UPSERT, [month, count, code_id])
    else:
        with connection.cursor() as cursor:
            cursor.execute(_UPSERT, [month, count, code_id])


def scans_buffered() -> bool:
    """Scans wait in the shared cache (core.counters) when there is one and a flush interval."""
    return settings.SCAN_FLUSH_SECONDS > 0 and counters.available()


def pending_scans_key(code_id: int, month: datetime.date) -> str:
    return f"showcase:scans:{code_id}:{month.isoformat()}"


def box_code_scan_count(*, code_id: int, today=None) -> None:
    """Adds one to the code's count for this Jalali month. Not audited and nothing about the
    scanner is kept: it is a counter, not a record.

    Without a shared cache (the embedded default) every scan is written at once. With Redis
    the scan is added to the code's counter for the month there (one INCRBY, no database), and
    the first scan after a flush queues `showcase.tasks.flush_scan_counts` to write the sum
    SCAN_FLUSH_SECONDS later (one database write per code and interval, however hot the code;
    the writers no longer queue on the row). The sum is taken out of Redis atomically, so two
    processes or two tasks never write a scan twice or drop one. So that a queueing that failed
    (the database unreachable for a moment) leaves no counter waiting for ever, the flush is
    queued again each time the counter doubles (1, 2, 4, 8 … scans waiting): a second task
    finds less or nothing to write. The member's pages show the database's counts: at most
    SCAN_FLUSH_SECONDS (plus the worker's delay) behind the scans."""
    month = month_start(today or timezone.localdate())
    if not scans_buffered():
        _scan_counts_add(code_id=code_id, month=month, count=1)
        return
    try:
        waiting = counters.add(pending_scans_key(code_id, month))
    except counters.UNAVAILABLE:  # Redis unreachable: this scan goes to the database at once
        logger.warning("showcase: the cache is unreachable; a scan of code %s is written directly", code_id)
        _scan_counts_add(code_id=code_id, month=month, count=1)
        return
    if waiting & (waiting - 1) == 0:
        _flush_later(code_id=code_id, month=month)


def _flush_later(*, code_id: int, month: datetime.date) -> None:
    from .tasks import flush_scan_counts  # the tasks module imports this one

    try:
        queued = enqueue_after(flush_scan_counts, settings.SCAN_FLUSH_SECONDS, code_id, month.isoformat())
    except Exception:  # the scan is answered; the next doubling queues the flush again
        logger.exception("showcase: could not queue the flush of code %s's scans", code_id)
        return
    if not queued:  # a backend that runs tasks at once (the tests'): written now
        box_code_scans_flush(code_id=code_id, month=month)


def box_code_scans_flush(*, code_id: int, month: datetime.date) -> int:
    """Writes the code's scans waiting in the cache for the month to the database; returns how
    many. Safe to run twice or on two workers at once: each waiting scan is taken once. If the
    write fails the scans are put back (and the error raised)."""
    if not counters.available():
        return 0
    key = pending_scans_key(code_id, month)
    taken = counters.take(key)
    if taken:
        try:
            _scan_counts_add(code_id=code_id, month=month, count=taken)
        except Exception:
            counters.add(key, taken)
            raise
    return taken


# -- erasure -------------------------------------------------------------------------------------------


def member_showcase_erase(member) -> None:
    """When a member is anonymised: its listings leave the showcase, photos are deleted, the
    shop address and hours are cleared, its codes are withdrawn (registered in ShowcaseConfig)."""
    names = []
    for image, thumb in ListingPhoto.objects.filter(listing__member=member).values_list("image", "thumbnail"):
        names += [image, thumb]
    ListingPhoto.objects.filter(listing__member=member).delete()
    Listing.objects.filter(member=member).update(is_published=False, search_key="")
    Storefront.objects.filter(member=member).update(is_listed=False, shop_address="", opening_hours="")
    BoxCode.objects.filter(listing__member=member, revoked_at__isnull=True).update(revoked_at=timezone.now())
    transaction.on_commit(lambda: [default_storage.delete(name) for name in names if name])
    _changed(verify_cache.LISTINGS, verify_cache.STOREFRONTS, verify_cache.CODES)
