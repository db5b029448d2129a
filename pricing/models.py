from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.models import Product, Unit
from core.jalali import jalali_month_label


class Channel(models.TextChoices):
    WHOLESALE = "wholesale", _("Wholesale")
    RETAIL = "retail", _("Own retail")


# Optional cost lines, each in Rials per kg of product (typed in Toman).
COST_LINES = (
    ("cost_flour", _("Flour")),
    ("cost_sugar", _("Sugar")),
    ("cost_oil", _("Oil / ghee")),
    ("cost_nuts", _("Nuts")),
    ("cost_eggs", _("Eggs")),
    ("cost_energy", _("Energy")),
    ("cost_labour", _("Labour")),
    ("cost_packaging", _("Packaging")),
    ("cost_overhead", _("Overhead")),
)
COST_FIELDS = tuple(name for name, _label in COST_LINES)


class PriceRound(models.Model):
    """A monthly price round: one Jalali month. open → closed → published."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Not opened yet")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        PUBLISHED = "published", _("Published")

    year = models.PositiveSmallIntegerField(_("Jalali year"))
    month = models.PositiveSmallIntegerField(_("Jalali month"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    close_reminder_sent_at = models.DateTimeField(_("closing reminder sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "-month"]
        verbose_name = _("price round")
        verbose_name_plural = _("price rounds")
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="price_round_unique_month"),
            models.UniqueConstraint(fields=["status"], condition=models.Q(status="open"), name="price_round_one_open"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="price_round_month_1_12"),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return jalali_month_label(self.year, self.month)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.CLOSED, self.Status.PUBLISHED)

    @property
    def sort_key(self) -> int:
        return self.year * 100 + self.month


class PriceSubmission(models.Model):
    """One version of a member's price for a product × channel in a round. Editing before the
    round closes adds a new version and keeps the earlier ones (is_current=False)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        NEEDS_INFO = "needs_info", _("Needs info")
        REJECTED = "rejected", _("Rejected")

    price_round = models.ForeignKey(
        PriceRound, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("price round")
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="price_submissions", verbose_name=_("member")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("product")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.KG)
    net_grams = models.PositiveIntegerField(_("net grams"), null=True, blank=True)
    price_rial = models.BigIntegerField(_("price (Rial)"))
    price_per_kg_rial = models.BigIntegerField(_("price per kg (Rial)"))
    cost_flour = models.BigIntegerField(_("Flour"), null=True, blank=True)
    cost_sugar = models.BigIntegerField(_("Sugar"), null=True, blank=True)
    cost_oil = models.BigIntegerField(_("Oil / ghee"), null=True, blank=True)
    cost_nuts = models.BigIntegerField(_("Nuts"), null=True, blank=True)
    cost_eggs = models.BigIntegerField(_("Eggs"), null=True, blank=True)
    cost_energy = models.BigIntegerField(_("Energy"), null=True, blank=True)
    cost_labour = models.BigIntegerField(_("Labour"), null=True, blank=True)
    cost_packaging = models.BigIntegerField(_("Packaging"), null=True, blank=True)
    cost_overhead = models.BigIntegerField(_("Overhead"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    reviewer_message = models.TextField(_("reviewer's message"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    superseded_at = models.DateTimeField(_("replaced at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("price submission")
        verbose_name_plural = _("price submissions")
        permissions = [("view_individual_prices", _("Can see individual prices"))]
        constraints = [
            models.UniqueConstraint(
                fields=["price_round", "member", "product", "channel"],
                condition=models.Q(is_current=True),
                name="price_submission_one_current",
            ),
            models.UniqueConstraint(
                fields=["price_round", "member", "product", "channel", "version"],
                name="price_submission_unique_version",
            ),
            models.CheckConstraint(condition=models.Q(price_rial__gt=0), name="price_submission_price_positive"),
            models.CheckConstraint(
                condition=models.Q(price_per_kg_rial__gt=0), name="price_submission_per_kg_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(unit="kg") | models.Q(net_grams__gt=0),
                name="price_submission_grams_for_box_piece",
            ),
        ]
        indexes = [
            # The report's statistics: one round's counted prices in cell and price order, so
            # the statistics query reads them from the index without sorting.
            models.Index(
                fields=["price_round", "product", "channel", "price_per_kg_rial"],
                condition=models.Q(is_current=True, status__in=["submitted", "accepted"]),
                name="price_sub_counted_cell",
            ),
            models.Index(fields=["member", "product", "channel", "-created_at"], name="price_sub_member_history"),
            models.Index(fields=["price_round", "status"], condition=models.Q(is_current=True), name="price_sub_queue"),
            # The admin change list's order (Meta.ordering): its first page is read from the
            # index instead of sorting every submission.
            models.Index(fields=["-created_at", "-id"], name="price_sub_newest"),
        ]

    def __str__(self):
        return f"{self.member} · {self.product} · {self.get_channel_display()} · {self.price_round}"

    @property
    def cost_total_rial(self) -> int | None:
        values = [getattr(self, name) for name in COST_FIELDS if getattr(self, name) is not None]
        return sum(values) if values else None

    @property
    def cost_lines(self) -> list[tuple[str, int]]:
        return [(label, getattr(self, name)) for name, label in COST_LINES if getattr(self, name) is not None]


def price_per_kg(*, unit: str, price_rial: int, net_grams: int | None) -> int:
    """The comparable price: per kg for every unit (box and piece carry net grams)."""
    if unit == Unit.KG:
        return int(price_rial)
    return int(round(int(price_rial) * 1000 / int(net_grams)))


class PriceReview(models.Model):
    """One decision of the union head's on a submission: the full history is kept."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        NEEDS_INFO = "needs_info", _("Needs info")
        REJECTED = "rejected", _("Rejected")

    submission = models.ForeignKey(
        PriceSubmission, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("price submission")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("reviewer")
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("price review")
        verbose_name_plural = _("price reviews")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="rejected") | ~models.Q(message=""), name="price_review_reject_reason"
            ),
        ]

    def __str__(self):
        return f"{self.get_decision_display()} · {self.submission_id}"


class PriceCellStat(models.Model):
    """Aggregates of one product × channel in a finished round, stored when the round is closed
    or published (the history chart and the public bands read these, never the prices)."""

    price_round = models.ForeignKey(PriceRound, on_delete=models.CASCADE, related_name="cell_stats")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    members = models.PositiveIntegerField()
    median = models.BigIntegerField()
    q1 = models.BigIntegerField()
    q3 = models.BigIntegerField()
    trimmed_mean = models.BigIntegerField()
    minimum = models.BigIntegerField()
    maximum = models.BigIntegerField()
    outliers = models.PositiveIntegerField(default=0)
    # Average of each cost line (Rials per kg) over the cell's submissions that gave it, and how
    # many submissions gave any cost line: the report's cost composition of a finished round.
    costs = models.JSONField(default=dict, blank=True)
    cost_reporters = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("cell statistics")
        verbose_name_plural = _("cell statistics")
        constraints = [
            models.UniqueConstraint(fields=["price_round", "product", "channel"], name="price_cell_stat_unique"),
        ]

    def __str__(self):
        return f"{self.price_round} · {self.product} · {self.get_channel_display()}"
