from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cluster_portal.persian import search_key
from cluster_portal.validators import normalize_mobile, validate_mobile


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

    objects = UserManager()

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

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.mobile


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
        "pricing.Product", blank=True, related_name="members", verbose_name=_("products made")
    )
    search_key = models.CharField(max_length=400, blank=True, editable=False, db_index=True)
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

    @property
    def is_active_member(self) -> bool:
        return self.status == self.Status.ACTIVE

    def refresh_search_key(self):
        self.search_key = search_key(" ".join(filter(None, [self.business_name, self.brand, self.owner_name])))[:400]


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
