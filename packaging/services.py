"""Every write of the packaging app: atomic, audited, notifying on commit. Changing a line
locks the order row first (select_for_update), so two members saving at once never compute the
running total, the tier or the deadline check from a stale state."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.jalali import format_date
from core.notifications import notify_many, notify_staff
from core.templatetags.persian import num, toman
from members.dashboard_cache import bump_global
from members.models import User
from permits.selectors import product_licences

from .models import LABEL_ITEMS, MAX_QUANTITY, JointOrder, LabelProof, OrderLine
from .selectors import licence_in_force
from .tiers import tier_state

S = JointOrder.Status


def _refresh_dashboards():
    transaction.on_commit(bump_global, robust=True)


def _participants(order):
    return User.objects.filter(member_link__member__packaging_lines__order=order, is_active=True).distinct()


def _member_users(member):
    return User.objects.filter(member_link__member=member, is_active=True)


def _tell(users, *, subject, body="", url=""):
    """subject/body: callables, so the texts are made in the portal's language."""
    with translation.override(settings.LANGUAGE_CODE):
        notify_many(users=users, subject=subject(), body=body() if callable(body) else body, url=url)


def _locked(order) -> JointOrder:
    return JointOrder.objects.select_for_update().get(pk=order.pk)


def _state(order):
    figures = OrderLine.objects.filter(order=order).aggregate(total=Sum("quantity"), members=Count("id"))
    return tier_state(
        list(order.tiers.all()),
        total=figures["total"] or 0,
        minimum_total=order.minimum_total,
        members=figures["members"],
    )


# -- orders (staff) -------------------------------------------------------------------------------


def order_problems(order, tiers) -> list[str]:
    """What is wrong with an order's terms (empty when nothing)."""
    problems = []
    tiers = sorted(tiers, key=lambda t: t.min_quantity)
    if not tiers:
        problems.append(_("Give at least one price tier."))
    elif tiers[0].min_quantity > order.minimum_total:
        problems.append(_("The first price tier must start at or below the minimum total quantity."))
    for lower, higher in zip(tiers, tiers[1:], strict=False):
        if higher.unit_price_rial > lower.unit_price_rial:
            problems.append(_("A larger tier may not have a higher unit price."))
            break
    return problems


@transaction.atomic
def order_save(*, order, actor, changes=None) -> JointOrder:
    """Creates or changes an order's terms (staff, in the administration)."""
    created = order.pk is None
    if created:
        order.status = S.OPEN
        order.created_by = actor if getattr(actor, "is_authenticated", False) else None
    elif order.status != S.OPEN and set(changes or {}) - {"cancel_reason"}:
        raise ValidationError(_("Only an open order's terms can be changed."))
    order.save()
    audit_record(
        actor=actor,
        action="packaging.order_create" if created else "packaging.order_change",
        instance=order,
        changes=changes or {},
    )
    _refresh_dashboards()
    return order


@transaction.atomic
def order_tiers_record(*, order, actor, announce=False) -> None:
    """After the tiers were saved (the administration's inline rows): audits the tier table
    as it stands and, for a new order, tells the members who hold a licence in force."""
    tiers = list(order.tiers.all())
    audit_record(
        actor=actor,
        action="packaging.tiers_set",
        instance=order,
        changes={"tiers": [[t.min_quantity, t.unit_price_rial] for t in tiers]},
    )
    if announce:
        licensed = User.objects.filter(
            is_active=True,
            member_link__member__status="active",
            member_link__member__in=product_licences().values("member"),
        ).distinct()
        _tell(
            licensed,
            subject=lambda: _("A joint packaging order is open: %(title)s") % {"title": order.title},
            body=lambda: _("Add your boxes by %(deadline)s. The more boxes in all, the lower the price per box.")
            % {"deadline": _jdate(order.deadline)},
            url=order.get_absolute_url(),
        )
    _refresh_dashboards()


def _jdate(day) -> str:
    return format_date(day)


def _transition(order, *, actor, to_status, allowed, subject, body="", stamp=None, note=""):
    order = _locked(order)
    if order.status not in allowed:
        raise ValidationError(
            _("An order that is “%(status)s” cannot become “%(to)s”.")
            % {"status": order.get_status_display(), "to": S(to_status).label}
        )
    before = order.status
    order.status = to_status
    fields = ["status", "updated_at"]
    if stamp:
        setattr(order, stamp, timezone.now())
        fields.append(stamp)
    if to_status == S.CANCELLED:
        order.cancel_reason = note
        fields.append("cancel_reason")
    order.save(update_fields=fields)
    audit_record(
        actor=actor,
        action=f"packaging.order_{to_status}",
        instance=order,
        changes={"status": [before, to_status]},
        note=note,
    )
    _tell(_participants(order), subject=subject, body=body, url=order.get_absolute_url())
    _refresh_dashboards()
    return order


@transaction.atomic
def order_close(*, order, actor) -> JointOrder:
    """open → closed: no more changes; the minimum total must have been reached."""
    locked = _locked(order)
    if locked.status == S.OPEN:
        state = _state(locked)
        if not state.minimum_reached:
            raise ValidationError(
                _(
                    "The order has %(total)s boxes, fewer than its minimum of %(minimum)s: extend the deadline or cancel it."
                )
                % {"total": num(state.total), "minimum": num(locked.minimum_total)}
            )
    return _transition(
        locked,
        actor=actor,
        to_status=S.CLOSED,
        allowed={S.OPEN},
        stamp="closed_at",
        subject=lambda: _("Joint order closed: %(title)s") % {"title": locked.title},
        body=lambda: _(
            "Quantities are final. Your cost is on the order's page; make sure your label proof is accepted."
        ),
    )


@transaction.atomic
def order_mark_ordered(*, order, actor) -> JointOrder:
    return _transition(
        order,
        actor=actor,
        to_status=S.ORDERED,
        allowed={S.CLOSED},
        stamp="ordered_at",
        subject=lambda: _("Joint order placed with the supplier: %(title)s") % {"title": order.title},
    )


@transaction.atomic
def order_mark_delivered(*, order, actor) -> JointOrder:
    return _transition(
        order,
        actor=actor,
        to_status=S.DELIVERED,
        allowed={S.ORDERED},
        stamp="delivered_at",
        subject=lambda: _("Your boxes have arrived: %(title)s") % {"title": order.title},
        body=lambda: _("Collect them from the cluster's office."),
    )


@transaction.atomic
def order_cancel(*, order, actor, reason) -> JointOrder:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for cancelling: the members will read it."))
    return _transition(
        order,
        actor=actor,
        to_status=S.CANCELLED,
        allowed={S.OPEN, S.CLOSED, S.ORDERED},
        note=reason,
        subject=lambda: _("Joint order cancelled: %(title)s") % {"title": order.title},
        body=reason,
    )


# -- lines (members) -------------------------------------------------------------------------------


def _check_open(order, today):
    if order.status != S.OPEN:
        raise ValidationError(_("This order no longer takes changes."))
    if today > order.deadline:
        raise ValidationError(_("The deadline has passed: quantities can no longer be changed."))


def _tier_moved(order, before, after, *, actor):
    if (before.current and before.current.pk) == (after.current and after.current.pk):
        return
    price = after.unit_price_rial

    def body():
        # The exact total only from five members on (tiers.DISCLOSE_MIN_MEMBERS).
        if after.total_shown:
            return _("The order now has %(total)s boxes in all. Your cost follows the new price.") % {
                "total": num(after.total)
            }
        return _("Your cost follows the new price.")

    _tell(
        _participants(order),
        subject=lambda: _("New unit price in %(title)s: %(price)s a box")
        % {"title": order.title, "price": toman(price)},
        body=body,
        url=order.get_absolute_url(),
    )


@transaction.atomic
def line_set(*, order, member, actor, quantity, licence_id, today=None) -> OrderLine:
    """Adds the member's line or changes its quantity and printed licence number. Only an
    active member with a manufacturing health licence in force today; only until the deadline."""
    today = today or timezone.localdate()
    order = _locked(order)
    _check_open(order, today)
    if not member.is_active_member:
        raise ValidationError(_("Only active members may join a joint order."))
    licence = licence_in_force(member=member, licence_id=licence_id, today=today)
    if licence is None:
        raise ValidationError(
            {
                "licence": _(
                    "Choose a health licence of your business that is in force today: its number is printed on the box."
                )
            }
        )
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise ValidationError({"quantity": _("Enter a whole number of boxes.")}) from None
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError({"quantity": _("Enter between 1 and %(max)s boxes.") % {"max": num(MAX_QUANTITY)}})
    before = _state(order)
    line = OrderLine.objects.filter(order=order, member=member).first()
    if line is None:
        try:
            with transaction.atomic():
                line = OrderLine.objects.create(
                    order=order,
                    member=member,
                    licence=licence,
                    licence_number=licence.number,
                    quantity=quantity,
                    created_by=actor,
                )
        except IntegrityError:
            raise ValidationError(_("Your business is already in this order.")) from None
        audit_record(
            actor=actor,
            action="packaging.line_add",
            instance=line,
            changes={"quantity": [None, quantity], "licence": [None, licence.number]},
        )
    else:
        changes = {}
        if line.quantity != quantity:
            changes["quantity"] = [line.quantity, quantity]
        if line.licence_id != licence.pk:
            changes["licence"] = [line.licence_number, licence.number]
        line.quantity, line.licence, line.licence_number = quantity, licence, licence.number
        line.save(update_fields=["quantity", "licence", "licence_number", "updated_at"])
        if changes:
            audit_record(actor=actor, action="packaging.line_change", instance=line, changes=changes)
    _tier_moved(order, before, _state(order), actor=actor)
    _refresh_dashboards()
    return line


@transaction.atomic
def line_remove(*, order, member, actor, today=None) -> None:
    today = today or timezone.localdate()
    order = _locked(order)
    _check_open(order, today)
    line = OrderLine.objects.filter(order=order, member=member).first()
    if line is None:
        raise ValidationError(_("Your business has no boxes in this order."))
    before = _state(order)
    names = list(line.proofs.values_list("storage_name", flat=True))
    audit_record(
        actor=actor,
        action="packaging.line_remove",
        instance=order,
        changes={"member": member.pk, "quantity": [line.quantity, None]},
    )
    line.delete()
    storage = storages["private"]
    transaction.on_commit(lambda: [storage.delete(name) for name in names], robust=True)
    _tier_moved(order, before, _state(order), actor=actor)
    _refresh_dashboards()


# -- label proofs -----------------------------------------------------------------------------------


@transaction.atomic
def proof_upload(*, line, actor, clean) -> LabelProof:
    """A new version of the line's label artwork (core.uploads' clean file), waiting for the
    staff's check. The file goes to private storage."""
    order = _locked(line.order)
    if not order.takes_proofs:
        raise ValidationError(_("Label proofs are taken only until the order is placed with the supplier."))
    storage = storages["private"]
    name = storage.save(f"packaging/{clean.content.name}", clean.content)
    try:
        proof = LabelProof.objects.create(
            line=line,
            storage_name=name,
            kind=clean.kind,
            content_type=clean.content_type,
            size=clean.size,
            uploaded_by=actor,
        )
        audit_record(actor=actor, action="packaging.proof_upload", instance=proof, changes={"line": line.pk})
    except Exception:
        storage.delete(name)
        raise
    with translation.override(settings.LANGUAGE_CODE):
        notify_staff(
            subject=_("Label proof to check: %(member)s in %(title)s")
            % {"member": line.member.business_name, "title": order.title},
            url=f"/admin/packaging/labelproof/{proof.pk}/change/",
        )
    return proof


@transaction.atomic
def proof_review(*, proof, actor, items: dict, accept: bool, reason="") -> LabelProof:
    """Staff tick the mandatory items they found on the label and accept it (every item
    there) or return it with the reason the member reads. Only the newest proof of a line."""
    proof = LabelProof.objects.select_for_update().select_related("line__member", "line__order").get(pk=proof.pk)
    newest = (
        LabelProof.objects.filter(line=proof.line_id).order_by("-uploaded_at", "-id").values_list("pk", flat=True)[0]
    )
    if newest != proof.pk:
        raise ValidationError(_("A newer version of this label was uploaded: check that one."))
    if proof.status != LabelProof.Status.SUBMITTED:
        raise ValidationError(_("This label proof has already been checked."))
    for name, _label in LABEL_ITEMS:
        setattr(proof, name, bool(items.get(name)))
    reason = (reason or "").strip()
    if accept:
        missing = proof.missing_items
        if missing:
            raise ValidationError(
                _("A label is accepted only with every mandatory item. Missing: %(items)s.")
                % {"items": "، ".join(str(m) for m in missing)}
            )
        proof.status = LabelProof.Status.ACCEPTED
    else:
        if not reason:
            raise ValidationError({"reason": _("Say what the member should change.")})
        proof.status = LabelProof.Status.RETURNED
    proof.reason = reason
    proof.reviewed_by = actor
    proof.reviewed_at = timezone.now()
    proof.save()
    audit_record(
        actor=actor,
        action="packaging.proof_review",
        instance=proof,
        changes={
            "status": [LabelProof.Status.SUBMITTED, proof.status],
            **{n: getattr(proof, n) for n, _l in LABEL_ITEMS},
        },
        note=reason,
    )
    order = proof.line.order
    if accept:
        subject = lambda: _("Your label was accepted: %(title)s") % {"title": order.title}  # noqa: E731
        body = ""
    else:
        subject = lambda: _("Your label was returned for changes: %(title)s") % {"title": order.title}  # noqa: E731
        body = reason
    _tell(_member_users(proof.line.member), subject=subject, body=body, url=order.get_absolute_url() + "#label")
    return proof
