"""Health permits: the types a member needs, its workers, the cases it runs at outside
authorities (every step kept), the permits issued, their documents and the reminders sent.
The portal tracks permits; it never issues them. A permit's state is computed, never stored
(see selectors.permit_state_expression)."""

import calendar
import datetime
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.validators import validate_national_id


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def new_public_code() -> str:
    """An unguessable identifier for a permit's public verification page (128 random bits)."""
    return secrets.token_urlsafe(16)


def validate_offsets(value):
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise ValidationError(_("Enter the reminder offsets as a list of whole days, e.g. [90, 30, 7, 0]."))
    if any(v < 0 or v > 730 for v in value):
        raise ValidationError(_("Each reminder offset must be between 0 and 730 days."))
    if value != sorted(set(value), reverse=True):
        raise ValidationError(_("List the reminder offsets from the largest to the smallest, without repeats."))


class Issuer(models.TextChoices):
    GUILD_UNION = "guild_union", _("Guild union")
    HEALTH_CENTRE = "health_centre", _("County health centre")
    FOOD_DRUG = "food_drug", _("University food & drug office")
    HYGIENE_SCHOOL = "hygiene_school", _("Guild hygiene school")
    LABOUR_OFFICE = "labour_office", _("Labour office")


class HolderKind(models.TextChoices):
    BUSINESS = "business", _("Business")
    BUSINESS_PRODUCT = "business_product", _("Business, per product")
    WORKER = "worker", _("Worker")
    PERSON = "person", _("Person")


def expiring_soon_days(reminder_offsets) -> int:
    """How many days before its expiry a permit of a type with these reminder offsets is
    "expiring soon": the first reminder's, 30 when the type sends none."""
    return reminder_offsets[0] if reminder_offsets else 30


def permit_type_name(name_fa: str, name_en: str) -> str:
    """A permit type's name in the active language (Persian unless another is on and the type
    has an English name)."""
    if (get_language() or "fa").startswith("fa") or not name_en:
        return name_fa
    return name_en


class PermitType(models.Model):
    """A kind of permit (seeded by a migration; estates staff edit them in the admin)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_fa = models.CharField(_("name (Persian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    issuer = models.CharField(_("issuer"), max_length=20, choices=Issuer.choices)
    holder_kind = models.CharField(_("holder"), max_length=20, choices=HolderKind.choices)
    validity_months = models.PositiveSmallIntegerField(
        _("typical validity (months)"),
        null=True,
        blank=True,
        help_text=_("Leave empty when the permit has no fixed term."),
    )
    validity_note = models.CharField(_("validity note"), max_length=200, blank=True)
    expires = models.BooleanField(_("has an expiry date"), default=True)
    reminder_offsets = models.JSONField(
        _("reminder offsets (days before expiry)"),
        default=list,
        blank=True,
        validators=[validate_offsets],
        help_text=_("Largest first, e.g. [90, 60, 30, 7, 0]. The first one starts “expiring soon”."),
    )
    renew_from_days = models.PositiveSmallIntegerField(
        _("renewal possible from (days before expiry)"), null=True, blank=True
    )
    for_guild = models.BooleanField(_("needed by guild-based members"), default=False)
    for_home = models.BooleanField(_("needed by home-based members"), default=False)
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="needed_for", verbose_name=_("prerequisites")
    )
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("permit type")
        verbose_name_plural = _("permit types")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return permit_type_name(self.name_fa, self.name_en)

    @property
    def validity_text(self) -> str:
        """The staff's note (written in Persian) in fa; a plain statement in other languages."""
        if (get_language() or "fa").startswith("fa") and self.validity_note:
            return self.validity_note
        if self.validity_months:
            return _("typically %(months)s months") % {"months": self.validity_months}
        return _("no fixed term")

    @property
    def expiring_soon_days(self) -> int:
        return expiring_soon_days(self.reminder_offsets)

    @property
    def held_by_worker(self) -> bool:
        return self.holder_kind in (HolderKind.WORKER, HolderKind.PERSON)


class ChecklistItem(models.Model):
    """A document the authority asks for, ticked off on each case."""

    permit_type = models.ForeignKey(
        PermitType, on_delete=models.CASCADE, related_name="checklist_items", verbose_name=_("permit type")
    )
    label_fa = models.CharField(_("label (Persian)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        if (get_language() or "fa").startswith("fa") or not self.label_en:
            return self.label_fa
        return self.label_en


class Worker(models.Model):
    """A person working for a member; health cards and hygiene certificates are theirs."""

    class Role(models.TextChoices):
        PRODUCTION = "production", _("Production")
        SALES = "sales", _("Sales")
        PACKAGING = "packaging", _("Packaging")
        TECHNICAL_OFFICER = "technical_officer", _("Technical officer")
        OWNER = "owner", _("Owner")
        OTHER = "other", _("Other")

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="workers", verbose_name=_("member")
    )
    full_name = models.CharField(_("full name"), max_length=150)
    national_id = models.CharField(_("national ID"), max_length=10, validators=[validate_national_id])
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PRODUCTION)
    is_active = models.BooleanField(_("still working here"), default=True)
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["full_name", "id"]
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        constraints = [
            models.UniqueConstraint(fields=["member", "national_id"], name="worker_unique_national_id_per_member")
        ]

    def __str__(self):
        return self.full_name


class CaseStepKind(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    PREPARING = "preparing", _("Preparing documents")
    SUBMITTED = "submitted", _("Submitted")
    DEFICIENCY = "deficiency", _("Deficiency notice")
    INSPECTION = "inspection", _("Inspection scheduled")
    COMMITTEE = "committee", _("Committee review")
    ISSUED = "issued", _("Issued")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


STEP_ORDER = {step: index for index, step in enumerate(CaseStepKind.values)}
OPEN_STEPS = (
    CaseStepKind.NOT_STARTED,
    CaseStepKind.PREPARING,
    CaseStepKind.SUBMITTED,
    CaseStepKind.DEFICIENCY,
    CaseStepKind.INSPECTION,
    CaseStepKind.COMMITTEE,
)
CLOSED_STEPS = (CaseStepKind.ISSUED, CaseStepKind.REJECTED, CaseStepKind.WITHDRAWN)
NEEDS_TRACKING_CODE = (
    CaseStepKind.SUBMITTED,
    CaseStepKind.DEFICIENCY,
    CaseStepKind.INSPECTION,
    CaseStepKind.COMMITTEE,
    CaseStepKind.ISSUED,
)

# The steps that may follow each open step, the natural next one first (the form's default).
# "Issued" is reached only by recording the permit. Anything else earlier is a move back, its own
# action with a reason (FORWARD_STEPS / back_steps).
FORWARD_STEPS = {
    CaseStepKind.NOT_STARTED: (CaseStepKind.PREPARING, CaseStepKind.WITHDRAWN),
    CaseStepKind.PREPARING: (CaseStepKind.SUBMITTED, CaseStepKind.WITHDRAWN),
    CaseStepKind.SUBMITTED: (
        CaseStepKind.INSPECTION,
        CaseStepKind.DEFICIENCY,
        CaseStepKind.COMMITTEE,
        CaseStepKind.REJECTED,
        CaseStepKind.WITHDRAWN,
    ),
    # The missing papers are handed in: the case is submitted again.
    CaseStepKind.DEFICIENCY: (CaseStepKind.SUBMITTED, CaseStepKind.REJECTED, CaseStepKind.WITHDRAWN),
    CaseStepKind.INSPECTION: (
        CaseStepKind.COMMITTEE,
        CaseStepKind.DEFICIENCY,
        CaseStepKind.REJECTED,
        CaseStepKind.WITHDRAWN,
    ),
    CaseStepKind.COMMITTEE: (
        CaseStepKind.DEFICIENCY,
        CaseStepKind.INSPECTION,
        CaseStepKind.REJECTED,
        CaseStepKind.WITHDRAWN,
    ),
}


def forward_steps(step) -> list[str]:
    return [str(s) for s in FORWARD_STEPS.get(step, ())]


def back_steps(step) -> list[str]:
    """The earlier open steps a case may be moved back to (a correction, with a reason)."""
    if step not in FORWARD_STEPS:
        return []
    ahead = set(FORWARD_STEPS[step])
    return [str(s) for s in OPEN_STEPS if STEP_ORDER[s] < STEP_ORDER[step] and s not in ahead]


class StepDeadline(models.Model):
    """The legal response time of an issuer at one step (calendar days from entering it). A case
    still at that step afterwards is escalated to estates staff once (services.
    case_escalations_send)."""

    issuer = models.CharField(_("issuer"), max_length=20, choices=Issuer.choices)
    step = models.CharField(_("step"), max_length=20, choices=[(s, CaseStepKind(s).label) for s in OPEN_STEPS])
    days = models.PositiveSmallIntegerField(_("legal response time (days)"))
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        ordering = ["issuer", "step"]
        verbose_name = _("legal response time")
        verbose_name_plural = _("legal response times")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "step"], name="step_deadline_once_per_issuer_step"),
            models.CheckConstraint(condition=Q(days__gte=1), name="step_deadline_at_least_one_day"),
        ]

    def __str__(self):
        return f"{self.get_issuer_display()} · {self.get_step_display()}"


class PermitCase(models.Model):
    """An application at an outside authority, for the member itself, a product or a worker."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="permit_cases", verbose_name=_("member")
    )
    permit_type = models.ForeignKey(
        PermitType, on_delete=models.PROTECT, related_name="cases", verbose_name=_("permit type")
    )
    worker = models.ForeignKey(
        Worker, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("worker")
    )
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="permit_cases",
        verbose_name=_("product"),
    )
    renewal_of = models.ForeignKey(
        "Permit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewal_cases",
        verbose_name=_("renewal of"),
    )
    step = models.CharField(
        _("step"), max_length=20, choices=CaseStepKind.choices, default=CaseStepKind.NOT_STARTED, db_index=True
    )
    tracking_code = models.CharField(_("authority's tracking code"), max_length=60, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    step_changed_at = models.DateTimeField(_("step changed at"))
    updated_at = models.DateTimeField(_("last update"))

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("permit case")
        verbose_name_plural = _("permit cases")
        indexes = [
            # The staff dashboard's open cases, longest without an update first.
            models.Index(
                fields=["updated_at", "id"], condition=Q(step__in=OPEN_STEPS), name="permit_case_open_by_update"
            ),
            # The staff dashboard's cases past their legal response time: at each step, those
            # that entered it first (selectors.staff_overdue_rows walks it, ten per step).
            models.Index(fields=["step", "step_changed_at", "id"], name="permit_case_by_step_change"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(step__in=NEEDS_TRACKING_CODE) | ~Q(tracking_code=""),
                name="permit_case_tracking_code_once_submitted",
            ),
            # One open renewal per permit.
            models.UniqueConstraint(
                fields=["renewal_of"],
                condition=Q(step__in=OPEN_STEPS),
                name="permit_case_one_open_renewal",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.permit_type}"

    def get_absolute_url(self):
        return reverse("permits:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.step in OPEN_STEPS

    @property
    def subject(self) -> str:
        """Whom or what the case is for: the worker, the product or the business."""
        if self.worker_id:
            return str(self.worker)
        if self.product_id:
            return str(self.product)
        return str(self.member)


class CaseStep(models.Model):
    """One step a case went through, dated; kept forever (never edited or deleted)."""

    case = models.ForeignKey(PermitCase, on_delete=models.CASCADE, related_name="steps", verbose_name=_("case"))
    step = models.CharField(_("step"), max_length=20, choices=CaseStepKind.choices)
    entered_at = models.DateTimeField(_("entered at"))
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    is_backward = models.BooleanField(_("moved back"), default=False)

    class Meta:
        ordering = ["entered_at", "id"]
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        constraints = [
            models.CheckConstraint(condition=~Q(is_backward=True) | ~Q(note=""), name="case_step_back_needs_reason"),
            models.CheckConstraint(
                condition=Q(left_at__isnull=True) | Q(left_at__gte=models.F("entered_at")),
                name="case_step_left_after_entered",
            ),
        ]

    def __str__(self):
        return f"{self.case_id}: {self.get_step_display()}"


class CaseEscalation(models.Model):
    """A case that stayed at an issuer's step past its legal response time, told to estates
    staff. One per step entered (the unique step is what stops a second message, even from two
    workers at once)."""

    case = models.ForeignKey(PermitCase, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("case"))
    case_step = models.OneToOneField(
        CaseStep, on_delete=models.CASCADE, related_name="escalation", verbose_name=_("step")
    )
    step = models.CharField(_("step"), max_length=20, choices=CaseStepKind.choices)
    days_allowed = models.PositiveSmallIntegerField(_("legal response time (days)"))
    due_on = models.DateField(_("due on"))
    escalated_at = models.DateTimeField(_("escalated at"), auto_now_add=True)
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)

    class Meta:
        ordering = ["-escalated_at", "-id"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")

    def __str__(self):
        return f"{self.case_id}: {self.get_step_display()}"


class ChecklistTick(models.Model):
    case = models.ForeignKey(PermitCase, on_delete=models.CASCADE, related_name="ticks")
    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="ticks")
    ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ticked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("checklist tick")
        verbose_name_plural = _("checklist ticks")
        constraints = [models.UniqueConstraint(fields=["case", "item"], name="checklist_tick_once")]

    def __str__(self):
        return f"{self.case_id}: {self.item_id}"


class CaseDocument(models.Model):
    """A file attached to a case, stored in the private storage under a made-up name and
    served only by the authorised view (permits:document)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(PermitCase, on_delete=models.CASCADE, related_name="documents", verbose_name=_("case"))
    checklist_item = models.ForeignKey(
        ChecklistItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("for checklist item"),
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
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("permits:document", args=[self.pk])

    @property
    def extension(self) -> str:
        return {"pdf": "pdf", "jpeg": "jpg", "png": "png"}.get(self.kind, "bin")


class Permit(models.Model):
    """A permit an authority issued, recorded when a case is issued (or by staff)."""

    permit_type = models.ForeignKey(
        PermitType, on_delete=models.PROTECT, related_name="permits", verbose_name=_("permit type")
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="permits", verbose_name=_("member")
    )
    worker = models.ForeignKey(
        Worker, on_delete=models.PROTECT, null=True, blank=True, related_name="permits", verbose_name=_("holder")
    )
    products = models.ManyToManyField(
        "catalogue.Product", blank=True, related_name="permits", verbose_name=_("products")
    )
    case = models.OneToOneField(
        PermitCase,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="issued_permit",
        verbose_name=_("case"),
    )
    number = models.CharField(_("permit number"), max_length=60)
    issuer = models.CharField(_("issuing office"), max_length=150)
    issue_date = models.DateField(_("issue date"))
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True, db_index=True)
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )
    public_code = models.CharField(
        _("public verification code"), max_length=40, unique=True, default=new_public_code, editable=False
    )
    suspended_from = models.DateField(_("suspended from"), null=True, blank=True)
    suspended_until = models.DateField(
        _("suspended until"), null=True, blank=True, help_text=_("Leave empty while the suspension has no end date.")
    )
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    status_note = models.CharField(_("reason for the suspension or revocation"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["expiry_date", "id"]
        verbose_name = _("permit")
        verbose_name_plural = _("permits")
        indexes = [
            # The staff dashboard: the latest expired permits (walked back from today) and, by
            # type, who holds one (health cards expired, home producers without their permit).
            models.Index(
                fields=["-expiry_date", "id"],
                condition=Q(replaced_by__isnull=True),
                name="permit_live_by_expiry_desc",
            ),
            models.Index(
                fields=["permit_type", "member", "expiry_date"],
                condition=Q(replaced_by__isnull=True),
                name="permit_live_by_type_member",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["permit_type", "number"], name="permit_unique_number_per_type"),
            models.CheckConstraint(
                condition=Q(expiry_date__isnull=True) | Q(expiry_date__gt=models.F("issue_date")),
                name="permit_expiry_after_issue",
            ),
            models.CheckConstraint(
                condition=Q(suspended_until__isnull=True)
                | (Q(suspended_from__isnull=False) & Q(suspended_until__gte=models.F("suspended_from"))),
                name="permit_suspension_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=(Q(suspended_from__isnull=True) & Q(revoked_on__isnull=True)) | ~Q(status_note=""),
                name="permit_suspension_or_revocation_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.permit_type} {self.number}"

    @property
    def holder(self) -> str:
        return str(self.worker) if self.worker_id else str(self.member)

    def get_verify_url(self):
        return reverse("permits:verify", args=[self.public_code])


class PermitState(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRING_SOON = "expiring_soon", _("Expiring soon")
    EXPIRED = "expired", _("Expired")
    RENEWAL = "renewal", _("Renewal in progress")
    REPLACED = "replaced", _("Replaced")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")


class ReminderSent(models.Model):
    """A reminder that went out; the unique constraint is what stops a second one, even from
    two servers at once (the row is inserted before anything is sent)."""

    class Audience(models.TextChoices):
        MEMBER = "member", _("Member")
        STAFF = "staff", _("Estates staff")

    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("permit"))
    offset = models.PositiveSmallIntegerField(_("days before expiry"))
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.MEMBER)
    expiry_date = models.DateField(_("expiry date"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["permit", "offset", "audience", "expiry_date"], name="reminder_sent_once")
        ]

    def __str__(self):
        return f"{self.permit} −{self.offset}"


class StaffDashboardSummary(models.Model):
    """The staff dashboard's figures that scan whole tables (permits by type and state, the
    expiry windows and months, open cases by step and age, the step medians, how many cases
    are past their legal response time and their median delay, how many members each list
    holds), computed at `computed_at` for the day `computed_for` under the permits tables'
    version `tables_token` (selectors.staff_dashboard_summary). One row. Counts and medians
    only: no name, nothing about one member that estates staff could not see in the admin."""

    computed_for = models.DateField(_("figures for the day"))
    computed_at = models.DateTimeField(_("computed at"))
    tables_token = models.TextField(blank=True)
    figures = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("staff dashboard summary")
        verbose_name_plural = _("staff dashboard summaries")

    def __str__(self):
        return f"{self.computed_for} {self.computed_at:%H:%M}"
