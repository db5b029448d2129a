"""Joint packaging orders: staff open an order with a packaging supplier (the box's
specification, a minimum total, unit-price tiers by total quantity, a deadline); licensed
members add their quantities (each box carries the member's manufacturing health licence
number); each member's label artwork is proofed by the staff against the mandatory items."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_QUANTITY = 1_000_000


class JointOrder(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        ORDERED = "ordered", _("Ordered from the supplier")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    class BoxType(models.TextChoices):
        CARDBOARD = "cardboard", _("Printed cardboard box")
        TIN = "tin", _("Tin box")
        WOODEN = "wooden", _("Wooden box")
        PLASTIC = "plastic", _("Clear plastic box")
        GIFT = "gift", _("Gift box with a window")

    title = models.CharField(_("title"), max_length=200)
    supplier_name = models.CharField(_("supplier"), max_length=200)
    supplier_contact = models.CharField(
        _("supplier's contact"), max_length=300, help_text=_("A name, a telephone number or an e-mail address.")
    )
    box_type = models.CharField(_("box type"), max_length=12, choices=BoxType.choices)
    box_size = models.CharField(_("size"), max_length=100, help_text=_("For example 20 × 20 × 6 cm, for 1 kg."))
    print_spec = models.CharField(
        _("print"), max_length=300, help_text=_("Colours, finish and what is printed (the cluster's design).")
    )
    description = models.TextField(_("notes for the members"), max_length=3000, blank=True)
    minimum_total = models.PositiveIntegerField(
        _("minimum total quantity"), help_text=_("The supplier takes the order only from this many boxes in all.")
    )
    deadline = models.DateField(
        _("deadline"), help_text=_("Members may change their quantities until the end of this day.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    ordered_at = models.DateTimeField(_("ordered at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("joint packaging order")
        verbose_name_plural = _("joint packaging orders")
        constraints = [
            models.CheckConstraint(condition=Q(minimum_total__gte=1), name="packaging_order_minimum_positive"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("packaging:detail", args=[self.pk])

    def takes_changes_on(self, day) -> bool:
        return self.status == self.Status.OPEN and day <= self.deadline

    @property
    def takes_changes(self) -> bool:
        return self.takes_changes_on(timezone.localdate())

    @property
    def takes_proofs(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.CLOSED)


class PriceTier(models.Model):
    """From `min_quantity` boxes in all (the whole order), every box costs `unit_price_rial`."""

    order = models.ForeignKey(JointOrder, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("joint order"))
    min_quantity = models.PositiveIntegerField(_("from a total of (boxes)"))
    unit_price_rial = models.BigIntegerField(_("unit price (Rials)"))

    class Meta:
        ordering = ["min_quantity"]
        verbose_name = _("price tier")
        verbose_name_plural = _("price tiers")
        constraints = [
            models.UniqueConstraint(fields=["order", "min_quantity"], name="packaging_tier_once_per_quantity"),
            models.CheckConstraint(condition=Q(min_quantity__gte=1), name="packaging_tier_min_positive"),
            models.CheckConstraint(condition=Q(unit_price_rial__gte=1), name="packaging_tier_price_positive"),
        ]

    def __str__(self):
        return f"≥ {self.min_quantity}"


class OrderLine(models.Model):
    """One member's boxes in a joint order, printed with the licence number it chose."""

    order = models.ForeignKey(JointOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("joint order"))
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="packaging_lines", verbose_name=_("member")
    )
    licence = models.ForeignKey(
        "permits.Permit", on_delete=models.PROTECT, related_name="+", verbose_name=_("health licence")
    )
    licence_number = models.CharField(_("licence number printed"), max_length=60)
    quantity = models.PositiveIntegerField(_("quantity (boxes)"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("member's line")
        verbose_name_plural = _("members' lines")
        constraints = [
            models.UniqueConstraint(fields=["order", "member"], name="packaging_line_once_per_member"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="packaging_line_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.member} · {self.quantity}"


LABEL_ITEMS = (
    ("has_product_name", _("Product name")),
    ("has_producer", _("Producer's name and address")),
    ("has_licence_number", _("Health licence number")),
    ("has_net_weight", _("Net weight")),
    ("has_dates", _("Production and expiry dates")),
    ("has_ingredients", _("Ingredients")),
)


class LabelProof(models.Model):
    """A version of a member's label artwork for its line; the newest is the one that counts."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for the staff's check")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned for changes")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="proofs", verbose_name=_("line"))
    storage_name = models.CharField(max_length=200, editable=False)
    kind = models.CharField(max_length=8, editable=False)
    content_type = models.CharField(max_length=60, editable=False)
    size = models.PositiveIntegerField(editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    has_product_name = models.BooleanField(_("Product name"), default=False)
    has_producer = models.BooleanField(_("Producer's name and address"), default=False)
    has_licence_number = models.BooleanField(_("Health licence number"), default=False)
    has_net_weight = models.BooleanField(_("Net weight"), default=False)
    has_dates = models.BooleanField(_("Production and expiry dates"), default=False)
    has_ingredients = models.BooleanField(_("Ingredients"), default=False)
    reason = models.TextField(_("what to change"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("label proof")
        verbose_name_plural = _("label proofs")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="accepted")
                | Q(
                    has_product_name=True,
                    has_producer=True,
                    has_licence_number=True,
                    has_net_weight=True,
                    has_dates=True,
                    has_ingredients=True,
                ),
                name="packaging_proof_accepted_has_every_item",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(reason=""), name="packaging_proof_returned_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.line.member} · {self.get_status_display()}"

    def get_absolute_url(self):
        return reverse("packaging:proof_file", args=[self.pk])

    @property
    def extension(self) -> str:
        return {"jpeg": "jpg"}.get(self.kind, self.kind)

    def items(self):
        """(label, ticked) for each mandatory label item."""
        return [(label, getattr(self, name)) for name, label in LABEL_ITEMS]

    @property
    def missing_items(self):
        return [label for name, label in LABEL_ITEMS if not getattr(self, name)]
