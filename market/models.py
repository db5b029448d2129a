"""Buyer requests: a hotel, restaurant, souvenir shop or exporter asks the cluster for a product;
staff approve it, the matching members are told and answer with offers; the buyer accepts one
on a private link and only then are contacts exchanged."""

import hashlib

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalogue.models import Unit
from members.models import County


def token_digest(token: str) -> str:
    """What is stored of a buyer's private link: its SHA-256 (the token itself is random,
    32 bytes; a lookup by digest leaks nothing about other tokens)."""
    return hashlib.sha256(token.encode()).hexdigest()


class BuyerRequest(models.Model):
    class BuyerKind(models.TextChoices):
        HOTEL = "hotel", _("Hotel")
        RESTAURANT = "restaurant", _("Restaurant or café")
        SOUVENIR = "souvenir", _("Souvenir shop")
        EXPORTER = "exporter", _("Exporter")
        OTHER = "other", _("Other buyer")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Open for offers")
        REJECTED = "rejected", _("Rejected")
        CLOSED = "closed", _("Closed")

    buyer_kind = models.CharField(_("kind of buyer"), max_length=12, choices=BuyerKind.choices)
    organisation = models.CharField(_("organisation name"), max_length=150)
    contact_name = models.CharField(_("contact name"), max_length=150)
    mobile = models.CharField(_("mobile number"), max_length=11)
    email = models.EmailField(_("e-mail"), blank=True)
    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.PROTECT, related_name="buyer_requests", verbose_name=_("product")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.KG)
    deadline = models.DateField(_("needed by"))
    county = models.CharField(
        _("producers from"),
        max_length=20,
        choices=County.choices,
        blank=True,
        help_text=_("Empty: producers of any county."),
    )
    packaging = models.TextField(_("packaging needs"), blank=True)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("buyer request")
        verbose_name_plural = _("buyer requests")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="market_request_quantity_positive"),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(rejection_reason=""),
                name="market_request_rejected_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.product}"

    def get_absolute_url(self):
        return reverse("market:request_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.APPROVED


class Match(models.Model):
    """A member told about an approved request: only they see it and may offer."""

    request = models.ForeignKey(BuyerRequest, on_delete=models.CASCADE, related_name="matches")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="buyer_matches")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("matched member")
        verbose_name_plural = _("matched members")
        constraints = [models.UniqueConstraint(fields=["request", "member"], name="market_match_unique")]

    def __str__(self):
        return f"{self.request_id} → {self.member}"


class Offer(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Sent")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        ACCEPTED = "accepted", _("Accepted")
        NOT_CHOSEN = "not_chosen", _("Not chosen")

    request = models.ForeignKey(BuyerRequest, on_delete=models.CASCADE, related_name="offers")
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="buyer_offers", verbose_name=_("member")
    )
    quantity = models.PositiveIntegerField(_("quantity offered"))
    unit_price_rial = models.BigIntegerField(_("unit price"))
    delivery_date = models.DateField(_("delivery date"))
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("sent by")
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["unit_price_rial", "id"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            models.UniqueConstraint(fields=["request", "member"], name="market_offer_one_per_member"),
            models.UniqueConstraint(
                fields=["request"], condition=models.Q(status="accepted"), name="market_offer_one_accepted"
            ),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="market_offer_quantity_positive"),
            models.CheckConstraint(condition=models.Q(unit_price_rial__gt=0), name="market_offer_price_positive"),
        ]

    def __str__(self):
        return f"{self.member} → {self.request_id}"

    @property
    def total_rial(self) -> int:
        return self.quantity * self.unit_price_rial
