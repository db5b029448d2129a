"""The showcase: what active members choose to show travellers and buyers (their listed
products, photos, box sizes, where to buy), and verifiable boxes: printed QR codes that open a
tiny public page saying whether the producer's health licence for the product is valid today.

Whether a listing is public and whether its licence is valid are computed when read (from the
member's status and the permits' dates), never stored: nothing turns stale."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.persian import search_key

MAX_PHOTOS = 8
MAX_PACKAGES = 6
LABELS_PER_SHEET = 24  # 3 × 8 labels of 70 × 37 mm on an A4 sheet
MAX_SHEETS = 10


class Storefront(models.Model):
    """A member's showcase settings: listed or not, and where to buy (guild members' shop)."""

    member = models.OneToOneField(
        "members.Member", on_delete=models.CASCADE, related_name="storefront", verbose_name=_("member")
    )
    is_listed = models.BooleanField(
        _("show my products in the public showcase"),
        default=True,
        help_text=_("Turn it off to take every listing of yours out of the showcase at once."),
    )
    shop_address = models.TextField(
        _("shop address"),
        blank=True,
        max_length=500,
        help_text=_("Guild members: where buyers find your shop. Home producers show their county only."),
    )
    opening_hours = models.CharField(
        _("opening hours"), max_length=200, blank=True, help_text=_("For example: Saturday to Thursday 9–21")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("storefront")
        verbose_name_plural = _("storefronts")

    def __str__(self):
        return str(self.member)


class Listing(models.Model):
    """One product a member shows in the showcase."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="showcase_listings", verbose_name=_("member")
    )
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.PROTECT,
        related_name="showcase_listings",
        verbose_name=_("product type"),
    )
    name = models.CharField(_("product name"), max_length=150)
    description = models.TextField(_("description"), blank=True, max_length=3000)
    shelf_life_days = models.PositiveSmallIntegerField(
        _("shelf life (days)"), validators=[MinValueValidator(1), MaxValueValidator(1095)]
    )
    ingredients = models.TextField(_("ingredients"), max_length=1000)
    allergens = models.CharField(
        _("allergens"),
        max_length=300,
        blank=True,
        help_text=_("For example: wheat (gluten), nuts, eggs, milk, sesame."),
    )
    capacity_kg_per_month = models.PositiveIntegerField(
        _("production capacity (kg a month)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1_000_000)],
        help_text=_("How much of this product you can make in a month: buyers and joint orders use it."),
    )
    is_published = models.BooleanField(_("shown in the showcase"), default=True)
    hidden_at = models.DateTimeField(_("hidden by the staff at"), null=True, blank=True)
    hidden_reason = models.TextField(_("reason for hiding"), blank=True, max_length=1000)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    search_key = models.CharField(max_length=500, blank=True, editable=False, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("showcase listing")
        verbose_name_plural = _("showcase listings")
        constraints = [
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""), name="listing_hidden_needs_reason"
            ),
        ]
        indexes = [models.Index(fields=["member", "product"], name="listing_member_product")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("showcase:detail", args=[self.pk])

    def refresh_search_key(self, *, member=None, product=None):
        member = member or self.member
        product = product or self.product
        words = [self.name, product.name_fa, product.name_en, member.business_name, member.brand]
        self.search_key = search_key(" ".join(filter(None, words)))[:500]


class ListingPackage(models.Model):
    """A box size: its name, net weight and, if the member wishes, its own retail price."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="packages")
    label = models.CharField(_("box"), max_length=80)
    net_grams = models.PositiveIntegerField(
        _("net weight (grams)"), validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    retail_price_rial = models.BigIntegerField(_("your retail price"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("box size")
        verbose_name_plural = _("box sizes")
        constraints = [
            models.CheckConstraint(condition=Q(net_grams__gt=0), name="package_net_grams_positive"),
            models.CheckConstraint(
                condition=Q(retail_price_rial__isnull=True) | Q(retail_price_rial__gt=0),
                name="package_price_positive",
            ),
        ]

    def __str__(self):
        return self.label


class ListingPhoto(models.Model):
    """A photo of a listing, checked and re-encoded (core.uploads), in the member's order."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="showcase/photos/", max_length=200)
    thumbnail = models.ImageField(upload_to="showcase/photos/thumbs/", max_length=200)
    sort_order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        return f"{self.listing_id}/{self.pk}"

    def get_absolute_url(self):
        return reverse("showcase:photo", args=[self.pk, "full"])

    def get_thumbnail_url(self):
        return reverse("showcase:photo", args=[self.pk, "thumb"])


class LabelBatch(models.Model):
    """One print run of QR labels for a listing: each label carries its own code."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="label_batches")
    sheets = models.PositiveSmallIntegerField(_("sheets"), validators=[MinValueValidator(1)])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("label sheet")
        verbose_name_plural = _("label sheets")

    def __str__(self):
        return f"{self.listing} #{self.pk}"


class BoxCode(models.Model):
    """The code printed on one label (secrets.token_urlsafe: 128 random bits). A withdrawn
    code still opens its page, which then says so in red."""

    code = models.CharField(_("code"), max_length=40, unique=True, editable=False)
    batch = models.ForeignKey(LabelBatch, on_delete=models.CASCADE, related_name="codes")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="codes")
    revoked_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("box code")
        verbose_name_plural = _("box codes")

    def __str__(self):
        return f"{self.code[:6]}…"

    def get_absolute_url(self):
        return reverse("verify", args=[self.code])


class ScanCount(models.Model):
    """Scans of a code in a Jalali month (the month's first day, Gregorian), counted by one
    atomic INSERT … ON CONFLICT … DO UPDATE. Nothing about the scanner is stored."""

    code = models.ForeignKey(BoxCode, on_delete=models.CASCADE, related_name="scan_counts")
    month = models.DateField(_("month"))
    count = models.PositiveIntegerField(_("scans"), default=0)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("scans in a month")
        verbose_name_plural = _("scans by month")
        constraints = [models.UniqueConstraint(fields=["code", "month"], name="scan_count_per_code_month")]

    def __str__(self):
        return f"{self.code_id} {self.month}: {self.count}"
