"""Support programmes: calls staff publish (loans, training, booths, subsidies, equipment), the
eligibility rules each call sets over live data (eligibility.py evaluates them), applications
with their documents, the score sheet and every status change."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import County, Member


class Call(models.Model):
    """A call for applications to one support programme."""

    class Kind(models.TextChoices):
        LOAN = "loan", _("Loan or facility")
        TRAINING = "training", _("Training course")
        BOOTH = "booth", _("Exhibition or bazaar booth")
        SUBSIDY = "subsidy", _("Packaging and marketing subsidy")
        EQUIPMENT = "equipment", _("Equipment")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("what the programme offers"), max_length=4000)
    provider = models.CharField(_("offered by"), max_length=200, blank=True)
    deadline = models.DateField(_("deadline"), help_text=_("Applications are accepted until the end of this day."))
    capacity = models.PositiveIntegerField(_("places"), help_text=_("How many applications can be accepted."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    results_published_at = models.DateTimeField(
        _("results published at"),
        null=True,
        blank=True,
        help_text=_("Once set, the numbers applied and accepted (never names) are public."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="programme_call_capacity_positive"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False), name="programme_call_published_at"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("programmes:detail", args=[self.pk])

    def is_open_on(self, day) -> bool:
        return self.status == self.Status.PUBLISHED and day <= self.deadline

    @property
    def is_open(self) -> bool:
        return self.is_open_on(timezone.localdate())


class RequiredDocument(models.Model):
    """A named document every applicant attaches (e.g. «پیش‌فاکتور تجهیزات»)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="documents_required", verbose_name=_("call"))
    name = models.CharField(_("document"), max_length=150)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("required document")
        verbose_name_plural = _("documents required")

    def __str__(self):
        return self.name


class RuleKind(models.TextChoices):
    MEMBERSHIP_MONTHS = "membership_months", _("Active member for at least N months")
    HEALTH_LICENCE = "health_licence", _("Holds a valid licence of the chosen types")
    PRICE_REPORTS = "price_reports", _("Reported prices in at least K of the last 6 rounds")
    MEMBER_KIND = "member_kind", _("Member kind (guild or home)")
    COUNTY = "county", _("County in the chosen set")
    NO_OVERDUE = "no_overdue", _("No overdue obligations")


class EligibilityRule(models.Model):
    """One rule of a call, from the fixed set, with its parameters:
    membership_months → number (N); price_reports → number (K, 1–6); health_licence →
    permit_types; member_kind → member_kind; county → counties; no_overdue → nothing."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="rules", verbose_name=_("call"))
    kind = models.CharField(_("rule"), max_length=20, choices=RuleKind.choices)
    number = models.PositiveSmallIntegerField(
        _("N months / K rounds"), null=True, blank=True, help_text=_("For the months and price-report rules.")
    )
    member_kind = models.CharField(_("member kind"), max_length=10, choices=Member.Kind.choices, blank=True)
    counties = models.JSONField(_("counties"), default=list, blank=True)
    permit_types = models.ManyToManyField(
        "permits.PermitType", blank=True, related_name="+", verbose_name=_("licence types")
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")
        constraints = [
            models.UniqueConstraint(fields=["call", "kind"], name="programme_rule_once_per_call"),
            models.CheckConstraint(
                condition=~Q(kind__in=["membership_months", "price_reports"]) | Q(number__isnull=False),
                name="programme_rule_number_needed",
            ),
            models.CheckConstraint(
                condition=~Q(kind="price_reports") | Q(number__gte=1, number__lte=6),
                name="programme_rule_reports_1_6",
            ),
            models.CheckConstraint(
                condition=~Q(kind="member_kind") | ~Q(member_kind=""), name="programme_rule_member_kind_needed"
            ),
        ]

    def __str__(self):
        return self.get_kind_display()

    def clean(self):
        errors = {}
        if self.kind in (RuleKind.MEMBERSHIP_MONTHS, RuleKind.PRICE_REPORTS) and self.number is None:
            errors["number"] = _("Enter the number this rule needs.")
        if self.kind == RuleKind.PRICE_REPORTS and self.number is not None and not 1 <= self.number <= 6:
            errors["number"] = _("Between 1 and 6 rounds.")
        if self.kind == RuleKind.MEMBER_KIND and not self.member_kind:
            errors["member_kind"] = _("Choose the member kind.")
        if self.kind == RuleKind.COUNTY:
            valid = set(County.values)
            if not self.counties or not all(c in valid for c in self.counties):
                errors["counties"] = _("Choose at least one county.")
        if errors:
            raise ValidationError(errors)


class Criterion(models.Model):
    """A line of the call's score sheet: each application gets 0–10 points on it; the total is
    the weighted mean (0–10)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("call"))
    name = models.CharField(_("criterion"), max_length=150)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("score criterion")
        verbose_name_plural = _("score sheet")
        constraints = [models.CheckConstraint(condition=Q(weight__gte=1), name="programme_criterion_weight_positive")]

    def __str__(self):
        return self.name


class Application(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        ACCEPTED = "accepted", _("Accepted")
        WAITLISTED = "waitlisted", _("Waiting list")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications", verbose_name=_("call"))
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="programme_applications", verbose_name=_("member")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    motivation = models.TextField(_("what you would do with it"), max_length=3000, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # Filled while the member no longer meets the call's rules (checked at review and daily).
    eligibility_lost_reasons = models.JSONField(_("eligibility lost"), default=list, blank=True)
    eligibility_checked_at = models.DateTimeField(_("eligibility checked at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "member"], condition=~Q(status="withdrawn"), name="programme_one_application_per_call"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(decision_reason=""), name="programme_rejection_needs_reason"
            ),
        ]

    def __str__(self):
        return f"{self.call} · {self.member}"

    def get_absolute_url(self):
        return reverse("programmes:application", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.SUBMITTED, self.Status.UNDER_REVIEW)

    @property
    def is_flagged(self) -> bool:
        return bool(self.eligibility_lost_reasons)


class ApplicationStatusChange(models.Model):
    """Every status an application went through: from, to, who, when, why (the member's
    timeline and the as-of counts of selectors.programme_counts)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("application")
    )
    from_status = models.CharField(_("from"), max_length=12, choices=Application.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Application.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("application status change")
        verbose_name_plural = _("application history")

    def __str__(self):
        return f"{self.application_id}: {self.from_status or '-'} → {self.to_status}"


class ApplicationDocument(models.Model):
    """A file attached to an application, kept in the private storage under a made-up name and
    served only by programmes:document (the member's users and estates staff)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="documents", verbose_name=_("application")
    )
    required = models.ForeignKey(
        RequiredDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="uploads",
        verbose_name=_("for"),
    )
    title = models.CharField(_("title"), max_length=150)
    storage_name = models.CharField(max_length=200, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("programmes:document", args=[self.pk])

    @property
    def extension(self) -> str:
        return {"pdf": "pdf", "jpeg": "jpg", "png": "png"}.get(self.kind, "bin")


class Score(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="scores", verbose_name=_("application")
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    points = models.PositiveSmallIntegerField(_("points (0–10)"))
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["application", "criterion"], name="programme_score_once"),
            models.CheckConstraint(condition=Q(points__lte=10), name="programme_score_0_10"),
        ]

    def __str__(self):
        return f"{self.application_id}: {self.criterion_id} = {self.points}"
