"""The product catalogue: Qazvin's sweets, kept by the estates staff. Members say which they make,
prices are reported per product, permits cover products; all of them depend on this app, and
it depends on none of them."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

DEFAULT_PUBLISH_STEP_RIAL = 10_000  # 1,000 Toman


class Unit(models.TextChoices):
    KG = "kg", _("kilogram")
    BOX = "box", _("box")
    PIECE = "piece", _("piece")


def product_name(name_fa: str, name_en: str) -> str:
    """A product's name in the active language (English when it has one and English is on)."""
    if (get_language() or "fa").startswith("en") and name_en:
        return name_en
    return name_fa


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
    # Pricing settings of the product (Rials; staff type Toman in the admin). The plausible
    # range asks "Toman or Rial?" outside it; the step rounds every figure shown to readers
    # who may not see individual prices (docs/security.md, "Disclosure control").
    plausible_min_per_kg_rial = models.BigIntegerField(
        _("lowest plausible price per kg"),
        null=True,
        blank=True,
        help_text=_('In Toman. A price per kg below it asks the member "Toman or Rial?". Empty: no lower bound.'),
    )
    plausible_max_per_kg_rial = models.BigIntegerField(
        _("highest plausible price per kg"),
        null=True,
        blank=True,
        help_text=_('In Toman. A price per kg above it asks the member "Toman or Rial?". Empty: no upper bound.'),
    )
    publish_step_rial = models.PositiveBigIntegerField(
        _("rounding step of published prices"),
        default=DEFAULT_PUBLISH_STEP_RIAL,
        help_text=_("In Toman. Every published or shared figure of this product is rounded to it."),
    )

    class Meta:
        # The table was created by the pricing app, where the catalogue began.
        db_table = "pricing_product"
        ordering = ["sort_order", "name_fa"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(condition=models.Q(publish_step_rial__gt=0), name="product_publish_step_positive"),
            models.CheckConstraint(
                condition=models.Q(plausible_min_per_kg_rial__isnull=True)
                | models.Q(plausible_max_per_kg_rial__isnull=True)
                | models.Q(plausible_min_per_kg_rial__lte=models.F("plausible_max_per_kg_rial")),
                name="product_plausible_range_ordered",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return product_name(self.name_fa, self.name_en)

    def rounded(self, rial) -> int | None:
        """A figure as it may be shown to readers who do not see individual prices: rounded
        to the product's step (half up)."""
        if rial is None:
            return None
        step = self.publish_step_rial or DEFAULT_PUBLISH_STEP_RIAL
        return int((int(round(rial)) + step // 2) // step * step)
