"""The sweets industrial estate: the project's milestones (public), who follows them and the
notices each follower got, the members' demand register, and the allocation: criteria and
weights set before the call (frozen once published) and the rankings computed from them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Member


class Milestone(models.Model):
    class Phase(models.TextChoices):
        LAND = "land", _("Land")
        PERMITS = "permits", _("Permits")
        INFRASTRUCTURE = "infrastructure", _("Infrastructure")
        CONSTRUCTION = "construction", _("Construction")
        ALLOCATION = "allocation", _("Allocation")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DELAYED = "delayed", _("Delayed")

    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    title = models.CharField(_("title"), max_length=200)
    planned_date = models.DateField(_("planned date"))
    actual_date = models.DateField(_("actual date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    progress_note = models.TextField(_("progress note"), blank=True, max_length=4000)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["sort_order", "planned_date", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(actual_date__isnull=False), name="estate_milestone_done_has_date"
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_late(self) -> bool:
        return self.status != self.Status.DONE and self.planned_date < timezone.localdate()


class MilestoneChange(models.Model):
    """A move of a milestone (planned date, actual date or status), kept forever; followers are
    told about each one once (MilestoneNotice)."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="changes")
    old_planned_date = models.DateField(null=True, blank=True)
    new_planned_date = models.DateField(null=True, blank=True)
    old_actual_date = models.DateField(null=True, blank=True)
    new_actual_date = models.DateField(null=True, blank=True)
    old_status = models.CharField(max_length=12, choices=Milestone.Status.choices, blank=True)
    new_status = models.CharField(max_length=12, choices=Milestone.Status.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    announced_at = models.DateTimeField(_("followers told at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("milestone change")
        verbose_name_plural = _("milestone changes")

    def __str__(self):
        return f"{self.milestone}: {self.created_at:%Y-%m-%d}"


class EstateFollower(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="estate_follow", verbose_name=_("user")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")

    def __str__(self):
        return str(self.user)


class MilestoneNotice(models.Model):
    """One follower told about one change: the unique constraint is what stops a second notice,
    even when the announcement runs twice or on two servers at once (the row goes in first)."""

    change = models.ForeignKey(MilestoneChange, on_delete=models.CASCADE, related_name="notices")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("milestone notice")
        verbose_name_plural = _("milestone notices")
        constraints = [models.UniqueConstraint(fields=["change", "user"], name="estate_notice_once")]

    def __str__(self):
        return f"{self.change_id} → {self.user_id}"


class Readiness(models.TextChoices):
    NOW = "now", _("Funds ready now")
    SIX_MONTHS = "six_months", _("Within 6 months")
    YEAR = "year", _("Within a year")
    NOT_YET = "not_yet", _("Not yet")


class DemandRegistration(models.Model):
    """A member's interest in a plot at the estate (one per member; withdrawn ones are kept)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Registered")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    member = models.OneToOneField(
        Member, on_delete=models.CASCADE, related_name="estate_demand", verbose_name=_("member")
    )
    plot_size_m2 = models.PositiveIntegerField(_("plot size (m²)"))
    workers = models.PositiveSmallIntegerField(_("workers you would employ there"))
    readiness = models.CharField(_("investment readiness"), max_length=12, choices=Readiness.choices)
    investment_rial = models.BigIntegerField(_("investment you can make (Rial)"), null=True, blank=True)
    products = models.ManyToManyField("catalogue.Product", blank=True, related_name="+", verbose_name=_("products"))
    note = models.TextField(_("note"), blank=True, max_length=2000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    registered_at = models.DateTimeField(_("registered at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["registered_at", "id"]
        verbose_name = _("demand registration")
        verbose_name_plural = _("demand register")
        constraints = [
            models.CheckConstraint(
                condition=Q(plot_size_m2__gte=50, plot_size_m2__lte=20000), name="estate_plot_size_range"
            ),
            models.CheckConstraint(condition=Q(workers__lte=500), name="estate_workers_range"),
        ]

    def __str__(self):
        return str(self.member)


class CriterionKind(models.TextChoices):
    MEMBERSHIP_AGE = "membership_age", _("Membership age (months, up to 60)")
    VALID_LICENCE = "valid_licence", _("Valid manufacturing health licence")
    WORKERS = "workers", _("Workers (up to 20)")
    READINESS = "readiness", _("Investment readiness")
    PRICE_REPORTS = "price_reports", _("Price reports in the last 6 rounds")


class Allocation(models.Model):
    """An allocation call: its criteria and weights are set while it is a draft and frozen once
    it is published; rankings are then computed from the register and live data."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")

    def __str__(self):
        return self.title


class AllocationCriterion(models.Model):
    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="criteria")
    kind = models.CharField(_("criterion"), max_length=20, choices=CriterionKind.choices)
    weight = models.PositiveSmallIntegerField(_("weight (points at most)"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria and weights")
        constraints = [
            models.UniqueConstraint(fields=["allocation", "kind"], name="estate_criterion_once"),
            models.CheckConstraint(condition=Q(weight__gte=1, weight__lte=100), name="estate_weight_1_100"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} × {self.weight}"


class Ranking(models.Model):
    """One computation of an allocation's ranking: the inputs it read (a snapshot, so anyone can
    recompute it), its digest, and the ordered entries. The newest published one is shown."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="rankings")
    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    as_of = models.DateField(_("data as of"))
    criteria = models.JSONField(_("criteria and weights"))
    inputs = models.JSONField(_("inputs"))
    inputs_digest = models.CharField(_("inputs digest (SHA-256)"), max_length=64)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["-computed_at", "-id"]
        verbose_name = _("ranking")
        verbose_name_plural = _("rankings")

    def __str__(self):
        return f"{self.allocation} · {self.computed_at:%Y-%m-%d %H:%M}"


class RankingEntry(models.Model):
    ranking = models.ForeignKey(Ranking, on_delete=models.CASCADE, related_name="entries")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveIntegerField(_("rank"))
    total = models.DecimalField(_("points"), max_digits=8, decimal_places=2)
    points = models.JSONField(_("points per criterion"))

    class Meta:
        ordering = ["rank"]
        verbose_name = _("ranking entry")
        verbose_name_plural = _("ranking entries")
        constraints = [
            models.UniqueConstraint(fields=["ranking", "rank"], name="estate_rank_once"),
            models.UniqueConstraint(fields=["ranking", "member"], name="estate_member_once_per_ranking"),
        ]

    def __str__(self):
        return f"{self.rank}. {self.member_id}"
