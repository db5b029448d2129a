"""The product catalogue: Qazvin's sweets, kept by the estates staff. Members say which they make,
prices are reported per product, permits cover products; all of them depend on this app, and
it depends on none of them."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    KG = "kg", _("kilogram")
    BOX = "box", _("box")
    PIECE = "piece", _("piece")


class Product(models.Model):
    """A product in the cluster's catalogue (Qazvin's sweets; staff add more)."""

    name_fa = models.CharField(_("name (Persian)"), max_length=100, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    default_unit = models.CharField(_("default unit"), max_length=10, choices=Unit.choices, default=Unit.KG)
    default_net_grams = models.PositiveIntegerField(
        _("net grams per box/piece"),
        null=True,
        blank=True,
        help_text=_("Only for products sold by the box or piece."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        # The table was created by the pricing app, where the catalogue began.
        db_table = "pricing_product"
        ordering = ["sort_order", "name_fa"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "fa").startswith("en") and self.name_en:
            return self.name_en
        return self.name_fa
