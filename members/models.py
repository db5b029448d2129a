import datetime

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.jalali import format_date
from core.persian import search_key
from core.validators import normalize_mobile, validate_mobile


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, mobile):
        # Every sign-in path (login form, admin, password reset) finds the user by the
        # normalised number, whatever digits or prefix were typed.
        return self.get(mobile=normalize_mobile(mobile))

    def create_user(self, mobile, password=None, **extra):
        mobile = normalize_mobile(mobile)
        validate_mobile(mobile)
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        if extra.get("email"):
            extra["email"] = self.normalize_email(extra["email"])
        user = self.model(mobile=mobile, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, mobile, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self.create_user(mobile, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an Iranian mobile number (stored as 09xxxxxxxxx)."""

    mobile = models.CharField(
        _("mobile number"),
        max_length=11,
        unique=True,
        validators=[validate_mobile],
        error_messages={"unique": _("A user with this mobile number already exists.")},
    )
    full_name = models.CharField(_("full name"), max_length=150)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False, help_text=_("Can sign in to the admin site."))
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Renewed whenever what the user may do could have changed (members.roles): sessions compare
    # it with the stamp they checked the user's roles under.
    privilege_version = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "is_active")

    USERNAME_FIELD = "mobile"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.mobile

    def clean(self):
        super().clean()
        self.mobile = normalize_mobile(self.mobile)

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        user._loaded_privileges = user._privilege_flags()
        return user

    def _privilege_flags(self) -> dict:
        return {name: self.__dict__[name] for name in self.PRIVILEGE_FIELDS if name in self.__dict__}

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if not self._state.adding:
            loaded = getattr(self, "_loaded_privileges", None) or {}
            changed = any(loaded.get(name, value) != value for name, value in self._privilege_flags().items())
            if changed:
                # The staff, superuser or active flag changed: every session of the user checks
                # its roles again on its next request.
                self.privilege_version = models.F("privilege_version") + 1
                if update_fields is not None:
                    kwargs["update_fields"] = {*update_fields, "privilege_version"}
            elif update_fields is None:
                # A full save never writes back a stamp read before a change made elsewhere.
                self.privilege_version = models.F("privilege_version")
        super().save(*args, **kwargs)
        if isinstance(self.privilege_version, models.expressions.Combinable):
            self.refresh_from_db(fields=["privilege_version"])
        self._loaded_privileges = self._privilege_flags()

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.mobile


def directory_search_key(business_name: str, brand: str) -> str:
    return search_key(" ".join(filter(None, [business_name, brand])))[:400]


class County(models.TextChoices):
    QAZVIN = "qazvin", _("Qazvin")
    ALBORZ = "alborz", _("Alborz")
    ABYEK = "abyek", _("Abyek")
    BUIN_ZAHRA = "buin_zahra", _("Buin Zahra")
    TAKESTAN = "takestan", _("Takestan")
    AVAJ = "avaj", _("Avaj")


class Member(models.Model):
    """A producer business in the cluster: a guild workshop/shop or a home-based producer."""

    class Kind(models.TextChoices):
        GUILD = "guild", _("Guild-based")
        HOME = "home", _("Home-based")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Awaiting approval")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        LAPSED = "lapsed", _("Lapsed")
        RESIGNED = "resigned", _("Resigned")
        REJECTED = "rejected", _("Rejected")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    business_name = models.CharField(_("business name"), max_length=150)
    brand = models.CharField(_("brand"), max_length=150, blank=True)
    owner_name = models.CharField(_("owner's full name"), max_length=150)
    owner_national_id = models.CharField(_("owner's national ID"), max_length=10, unique=True)
    legal_entity_id = models.CharField(_("legal entity ID"), max_length=11, blank=True)
    mobile = models.CharField(_("mobile number"), max_length=11, unique=True)
    landline = models.CharField(_("landline"), max_length=15, blank=True)
    county = models.CharField(_("county"), max_length=20, choices=County.choices)
    address = models.TextField(_("address"), blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    guild_licence_number = models.CharField(_("guild licence number"), max_length=30, blank=True)
    membership_number = models.PositiveIntegerField(_("membership number"), null=True, blank=True, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.APPLIED, db_index=True)
    products = models.ManyToManyField(
        "catalogue.Product", blank=True, related_name="members", verbose_name=_("products made")
    )
    monthly_capacity_kg = models.PositiveIntegerField(_("monthly capacity (kg)"), null=True, blank=True)
    workers_count = models.PositiveSmallIntegerField(_("number of workers"), null=True, blank=True)
    logo = models.ImageField(_("logo or photo"), upload_to="members/logos/", blank=True, max_length=200)
    logo_thumbnail = models.ImageField(upload_to="members/logos/thumbs/", blank=True, editable=False, max_length=200)
    website = models.URLField(_("website"), blank=True, max_length=200)
    instagram = models.CharField(_("Instagram page"), max_length=100, blank=True)
    telegram = models.CharField(_("Telegram or Bale channel"), max_length=100, blank=True)
    directory_opt_in = models.BooleanField(
        _("list in the public directory"), default=True, help_text=_("Visitors can find the business and its products.")
    )
    contact_public = models.BooleanField(
        _("show address and phone numbers in the directory"),
        default=False,
        help_text=_("Otherwise the directory shows the county only and visitors write through the portal."),
    )
    staff_notes = models.TextField(_("staff notes"), blank=True, help_text=_("Seen by estates staff only."))
    # Staff search (admin): names, owner, licence number. Never used for what visitors search.
    search_key = models.CharField(max_length=400, blank=True, editable=False, db_index=True)
    # The public directory's search: only what the directory shows (business name, brand).
    directory_key = models.CharField(max_length=400, blank=True, editable=False)
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["business_name", "id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(
                fields=["guild_licence_number"],
                condition=~models.Q(guild_licence_number=""),
                name="member_unique_guild_licence",
            ),
        ]

    def __str__(self):
        return self.business_name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("members:directory_detail", kwargs={"pk": self.pk})

    @property
    def is_active_member(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def identity_locked(self) -> bool:
        """National IDs, licence number and kind change only through a staff-approved request
        once the application has been decided."""
        return self.status != self.Status.APPLIED

    @property
    def shows_contact_publicly(self) -> bool:
        return self.contact_public

    def refresh_search_key(self):
        self.search_key = search_key(
            " ".join(filter(None, [self.business_name, self.brand, self.owner_name, self.guild_licence_number]))
        )[:400]
        self.directory_key = directory_search_key(self.business_name, self.brand)


class MembershipCounter(models.Model):
    """One row holding the last membership number handed out: numbers are taken under a row
    lock, so they are never given twice and never reused (even after a member is deleted)."""

    last_number = models.PositiveIntegerField(default=1000)

    class Meta:
        verbose_name = _("membership number counter")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="membership_counter_single_row")]

    def __str__(self):
        return str(self.last_number)


class MemberStatusChange(models.Model):
    """Every status change of a member: from, to, who, when, why."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("member")
    )
    from_status = models.CharField(_("from"), max_length=10, choices=Member.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=Member.Status.choices)
    changed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status history")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(to_status="rejected") | ~models.Q(reason=""), name="status_rejected_needs_reason"
            ),
        ]

    def __str__(self):
        return f"{self.member}: {self.from_status or '-'} → {self.to_status}"


class ChangeRequest(models.Model):
    """A member asks staff to change an identity field that is locked after approval."""

    class Field(models.TextChoices):
        OWNER_NATIONAL_ID = "owner_national_id", _("owner's national ID")
        LEGAL_ENTITY_ID = "legal_entity_id", _("legal entity ID")
        GUILD_LICENCE_NUMBER = "guild_licence_number", _("guild licence number")
        KIND = "kind", _("kind")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="change_requests", verbose_name=_("member")
    )
    requested_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("requested by")
    )
    field = models.CharField(_("field"), max_length=30, choices=Field.choices)
    old_value = models.CharField(_("current value"), max_length=30, blank=True)
    new_value = models.CharField(_("requested value"), max_length=30)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "field"], condition=models.Q(status="pending"), name="one_pending_change_per_field"
            ),
        ]

    def __str__(self):
        return f"{self.member}: {self.get_field_display()}"


class Invitation(models.Model):
    """An owner invites a colleague by mobile number; the colleague accepts with the link."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("member"))
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by"))
    mobile = models.CharField(_("mobile number"), max_length=11)
    full_name = models.CharField(_("full name"), max_length=150)
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    VALID_DAYS = 14

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.full_name} → {self.member}"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.cancelled_at is None
            and self.created_at >= timezone.now() - datetime.timedelta(days=self.VALID_DAYS)
        )


class ContactMessage(models.Model):
    """A visitor writes to a member through the directory. The member never sees the sender's
    number and the sender never sees the member's; replies are relayed by the portal."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="contact_messages", verbose_name=_("member")
    )
    sender_user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("sender")
    )
    sender_name = models.CharField(_("your name"), max_length=100)
    sender_mobile = models.CharField(_("your mobile number"), max_length=11, blank=True)
    body = models.TextField(_("message"), max_length=2000)
    reply = models.TextField(_("reply"), blank=True, max_length=2000)
    replied_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("replied by")
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("contact message")
        verbose_name_plural = _("contact messages")

    def __str__(self):
        return f"{self.sender_name} → {self.member}"


class MemberUser(models.Model):
    """A user acting for a member business; one user acts for at most one member."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        COLLEAGUE = "colleague", _("Colleague")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="user_links", verbose_name=_("member"))
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="member_link", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.COLLEAGUE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("member user")
        verbose_name_plural = _("member users")

    def __str__(self):
        return f"{self.user} → {self.member}"


class MembershipYear(models.Model):
    """One year of a member's membership (start and end day, both included). The first starts
    when the application is approved; each renewal adds the next one. The member's current
    year is the one that ends last."""

    class Kind(models.TextChoices):
        FIRST = "first", _("First year (approval)")
        RENEWAL = "renewal", _("Renewal")
        RECORDED = "recorded", _("Recorded from the approval date")

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="membership_years", verbose_name=_("member")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.RENEWAL)
    renewed_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    renewed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    fee_reference = models.CharField(
        _("fee payment reference"), max_length=60, blank=True, help_text=_("E.g. the bank receipt's tracking number.")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Set when this year's grace period ran out and the member lapsed by itself: the automatic
    # lapse happens once per year, so staff reinstating the member is never undone overnight.
    lapsed_at = models.DateTimeField(_("lapsed automatically at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("membership year")
        verbose_name_plural = _("membership years")
        constraints = [
            models.UniqueConstraint(fields=["member", "starts_on"], name="membership_year_unique_start"),
            models.CheckConstraint(condition=models.Q(ends_on__gt=models.F("starts_on")), name="membership_year_order"),
        ]
        indexes = [models.Index(fields=["ends_on"], name="membership_year_ends_on")]

    def __str__(self):
        return f"{self.member}: {format_date(self.starts_on)} – {format_date(self.ends_on)}"


class MembershipReminder(models.Model):
    """A renewal reminder that went out for a membership year; the unique constraint is what
    stops a second one, even from two workers at once (inserted before anything is sent)."""

    year = models.ForeignKey(
        MembershipYear, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("membership year")
    )
    days_before = models.PositiveSmallIntegerField(_("days before the end"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("renewal reminder")
        verbose_name_plural = _("renewal reminders")
        constraints = [
            models.UniqueConstraint(fields=["year", "days_before"], name="membership_reminder_once"),
        ]

    def __str__(self):
        return f"{self.year} −{self.days_before}"
