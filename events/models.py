"""Events, their agenda and registrations; Q&A panels (panelists, questions, votes, answers);
and the commitments that a panel's concerns turn into."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

QUESTION_MAX_LENGTH = 500


class Organisation(models.TextChoices):
    ESTATES_COMPANY = "estates", _("Industrial Estates Company")
    INDUSTRY_MINE_TRADE = "imt", _("Industry, Mine and Trade Organization")
    UNION = "union", _("Union")
    HEALTH_NETWORK = "health", _("Health network")
    OTHER = "other", _("Other")


class Topic(models.TextChoices):
    UNIT_PRICE = "unit_price", _("Unit price")
    HEALTH_PERMITS = "health_permits", _("Health permits")
    SWEETS_ESTATE = "sweets_estate", _("Sweets industrial estate")
    SUPPORT_PROGRAMMES = "support", _("Support programmes")
    OTHER = "other", _("Other")


class Event(models.Model):
    class Kind(models.TextChoices):
        CONFERENCE = "conference", _("Conference")
        WORKSHOP = "workshop", _("Workshop")
        PANEL = "panel", _("Panel")
        VISIT = "visit", _("Visit")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")
        FINISHED = "finished", _("Finished")

    class Audience(models.TextChoices):
        PUBLIC = "public", _("Public")
        MEMBERS = "members", _("Members only")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.CONFERENCE)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.CharField(_("venue"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True, help_text=_("Empty: no limit."))
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.PUBLIC)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    qa_open = models.BooleanField(_("questions accepted"), default=True)
    qa_premoderation = models.BooleanField(
        _("questions need approval"), default=True, help_text=_("New questions are shown only after approval.")
    )
    current_question = models.ForeignKey(
        "Question",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("question being answered"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__gte=models.F("registration_opens_at")),
                name="event_registration_window_ordered",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:detail", args=[self.pk])

    @property
    def is_upcoming(self) -> bool:
        return self.ends_at >= timezone.now()

    def registration_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.status != self.Status.PUBLISHED or now >= self.ends_at:
            return False
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        return not (self.registration_closes_at and now > self.registration_closes_at)


class AgendaItem(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="agenda", verbose_name=_("event"))
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("to"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices, blank=True)
    speaker = models.CharField(_("speaker"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="agenda_item_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title


def new_registration_code() -> str:
    # 10 characters without look-alikes (0/O, 1/I): read aloud or typed at the door.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class Registration(models.Model):
    """A place at an event, or a place in its waiting list. When a place frees up, the first
    in line is offered it (status `offered`, held until `offer_expires_at`); confirming makes
    it a registration, an offer left unconfirmed expires and passes to the next in line."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        CANCELLED = "cancelled", _("Cancelled")
        WAITING = "waiting", _("On the waiting list")
        OFFERED = "offered", _("Place offered")
        EXPIRED = "expired", _("Offer expired")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("event"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations", verbose_name=_("user")
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_registrations",
        verbose_name=_("member"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REGISTERED)
    code = models.CharField(_("ticket code"), max_length=12, unique=True, default=new_registration_code)
    search_key = models.CharField(max_length=400, blank=True, editable=False)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    offered_at = models.DateTimeField(_("place offered at"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer open until"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
    )

    class Meta:
        ordering = ["registered_at", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="registration_once_per_event"),
            models.CheckConstraint(
                condition=Q(checked_in_at__isnull=True) | Q(status="registered"),
                name="registration_checked_in_is_registered",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_expires_at__isnull=False),
                name="registration_offer_has_deadline",
            ),
        ]
        indexes = [models.Index(fields=["event", "status"], name="registration_event_status")]

    def __str__(self):
        return f"{self.user} · {self.event}"

    @property
    def holds_place(self) -> bool:
        """Registered, or offered a place that is held for them."""
        return self.status in (self.Status.REGISTERED, self.Status.OFFERED)

    @property
    def on_waiting_list(self) -> bool:
        return self.status in (self.Status.WAITING, self.Status.OFFERED)


PLACE_HOLDING = (Registration.Status.REGISTERED, Registration.Status.OFFERED)


class ReminderSent(models.Model):
    """One row per reminder sent: the reminder command never sends the same one twice."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("registration")
    )
    kind = models.CharField(_("kind"), max_length=20, default="day_before")
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [models.UniqueConstraint(fields=["registration", "kind"], name="reminder_once")]

    def __str__(self):
        return f"{self.registration} · {self.kind}"


class Panel(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="panels", verbose_name=_("event"))
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("panel")
        verbose_name_plural = _("panels")

    def __str__(self):
        return self.title


class Panelist(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="panelists", verbose_name=_("panel"))
    name = models.CharField(_("name"), max_length=150)
    title = models.CharField(_("position"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=10, choices=Organisation.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="panel_seats",
        verbose_name=_("user account"),
        help_text=_("The account this panelist signs in with, to see and answer questions."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("panelist")
        verbose_name_plural = _("panelists")
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "user"], condition=Q(user__isnull=False), name="panelist_user_once_per_panel"
            ),
        ]

    def __str__(self):
        return self.name


class Question(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        ANSWERED = "answered", _("Answered")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        MERGED = "merged", _("Merged")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions", verbose_name=_("event"))
    panel = models.ForeignKey(
        Panel, on_delete=models.SET_NULL, null=True, blank=True, related_name="questions", verbose_name=_("panel")
    )
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="event_questions", verbose_name=_("asked by")
    )
    text = models.TextField(_("question"), max_length=QUESTION_MAX_LENGTH)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    addressed_panelist = models.ForeignKey(
        Panelist,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("addressed to (panelist)"),
    )
    addressed_organisation = models.CharField(
        _("addressed to (organisation)"), max_length=10, choices=Organisation.choices, blank=True
    )
    anonymous = models.BooleanField(
        _("anonymous towards officials"),
        default=False,
        help_text=_("Panelists and other members do not see your name; the estates staff still do."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    rejection_reason = models.CharField(_("reason for rejection"), max_length=300, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("merged into"),
    )
    commitment = models.ForeignKey(
        "Commitment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("commitment"),
    )
    routed_to = models.ForeignKey(
        Panelist,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="routed_questions",
        verbose_name=_("routed to"),
        help_text=_("The official or panelist (with an account) who is to answer it."),
    )
    routed_at = models.DateTimeField(_("routed at"), null=True, blank=True)
    answer_due = models.DateField(_("answer due"), null=True, blank=True)
    vote_count = models.PositiveIntegerField(_("votes"), default=0)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""), name="question_rejected_has_reason"
            ),
            models.CheckConstraint(
                condition=(Q(status="merged") & Q(merged_into__isnull=False))
                | (~Q(status="merged") & Q(merged_into__isnull=True)),
                name="question_merged_iff_target",
            ),
            models.CheckConstraint(condition=~Q(merged_into=models.F("pk")), name="question_not_merged_into_itself"),
        ]
        indexes = [
            models.Index(fields=["event", "status", "-vote_count"], name="question_event_votes"),
            models.Index(fields=["event", "asker"], name="question_event_asker"),
            models.Index(fields=["answer_due"], condition=Q(routed_to__isnull=False), name="question_routed_due"),
        ]

    def __str__(self):
        return self.text[:80]

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.APPROVED)

    @property
    def answer_overdue(self) -> bool:
        """Routed to someone, not answered, and past its due date."""
        return bool(
            self.routed_to_id
            and self.answer_due
            and self.status in (self.Status.PENDING, self.Status.APPROVED)
            and self.answer_due < timezone.localdate()
        )

    @property
    def addressed_label(self) -> str:
        if self.addressed_panelist_id:
            return str(self.addressed_panelist)
        return self.get_addressed_organisation_display()


class Vote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes", verbose_name=_("question"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="question_votes", verbose_name=_("user")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [models.UniqueConstraint(fields=["question", "user"], name="vote_once_per_question")]
        indexes = [models.Index(fields=["user", "question"], name="vote_user_question")]

    def __str__(self):
        return f"{self.user} → {self.question_id}"


class Answer(models.Model):
    question = models.OneToOneField(
        Question, on_delete=models.CASCADE, related_name="answer", verbose_name=_("question")
    )
    text = models.TextField(_("answer"), max_length=3000)
    panelist = models.ForeignKey(
        Panelist,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("answered by"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self):
        return self.text[:80]


class Commitment(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("event"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner_organisation = models.CharField(_("owner organisation"), max_length=10, choices=Organisation.choices)
    responsible_person = models.CharField(_("responsible person"), max_length=150)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_commitments",
        verbose_name=_("owner account"),
        help_text=_("The account that is reminded before and after the due date."),
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:commitment_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.DROPPED)

    @property
    def is_overdue(self) -> bool:
        return not self.is_closed and self.due_date < timezone.localdate()


class CommitmentNote(models.Model):
    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="notes", verbose_name=_("commitment")
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    text = models.TextField(_("progress note"))
    status_from = models.CharField(_("status before"), max_length=12, choices=Commitment.Status.choices, blank=True)
    status_to = models.CharField(_("status after"), max_length=12, choices=Commitment.Status.choices, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")

    def __str__(self):
        return self.text[:80]


class CommitmentReminder(models.Model):
    """One row per reminder to a commitment's owner (before and after the due date): a second
    run of the reminder task sends nothing."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Before the due date")
        AFTER = "after", _("After the due date")

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("commitment")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    due_date = models.DateField(_("due date"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("commitment reminder")
        verbose_name_plural = _("commitment reminders")
        constraints = [
            models.UniqueConstraint(fields=["commitment", "kind", "due_date"], name="commitment_reminder_once")
        ]

    def __str__(self):
        return f"{self.commitment} · {self.kind}"


class CommitmentDigest(models.Model):
    """One weekly digest per follower and week (the week starting on `week_start`, a
    Saturday): a second run of the digest task sends nothing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    week_start = models.DateField(_("week starting"))
    changes = models.PositiveIntegerField(_("changes"), default=0)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("commitment digest")
        verbose_name_plural = _("commitment digests")
        constraints = [models.UniqueConstraint(fields=["user", "week_start"], name="commitment_digest_once")]

    def __str__(self):
        return f"{self.user} · {self.week_start}"
