from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .validators import mask_identifier


class Notification(models.Model):
    """What the portal told a user; listed on their notifications page."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_read")]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.subject


class Delivery(models.Model):
    """One e-mail or SMS on its way to one address: what a background worker sends, with its
    state. `key` is the idempotency key (one per notification and channel): a worker claims the
    row with a conditional update before it calls the provider, so a task run twice, or re-run
    after a worker was killed mid-send, never sends the message twice."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        UNKNOWN = "unknown", _("interrupted (outcome unknown)")

    key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("notification"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    channel = models.CharField(pgettext_lazy("delivery", "channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    text = models.TextField(_("message"), blank=True)
    # A private message (a password-reset or invitation link) is never shown in the
    # administration, and its text is erased once it has been sent or given up.
    private = models.BooleanField(_("private"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)
    next_try_at = models.DateTimeField(_("next try at"), default=timezone.now)
    last_try_at = models.DateTimeField(_("last try at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.CharField(_("reason of the last failure"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_try_at"], name="delivery_status_due")]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self):
        return f"{self.get_channel_display()} → {self.masked_address}"

    @property
    def masked_address(self) -> str:
        """Enough to tell deliveries apart, not the whole number or address."""
        if self.channel == self.Channel.EMAIL and "@" in self.address:
            name, domain = self.address.split("@", 1)
            return f"{name[:2]}***@{domain}"
        return mask_identifier(self.address)


class AuditEntry(models.Model):
    """Who changed what and when (old → new values). Written by services through
    core.audit.audit_record; read-only in the admin."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=60)
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, verbose_name=_("kind"))
    object_id = models.CharField(_("object"), max_length=40, db_index=True)
    object_repr = models.CharField(_("object"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_object")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")

    def __str__(self):
        return f"{self.action}: {self.object_repr}"


class PhoneCode(models.Model):
    """A one-time code sent by SMS to prove that someone holds a mobile number (signing in,
    verifying an applicant's or a buyer's number). Only a keyed hash of the code is kept; one
    live code per purpose and number (a new one replaces it); used by
    core.phone_codes, never directly."""

    purpose = models.CharField(_("purpose"), max_length=30)
    mobile = models.CharField(_("mobile number"), max_length=16)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    tries = models.PositiveSmallIntegerField(_("wrong tries"), default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["purpose", "mobile"], name="phonecode_one_per_number")]
        verbose_name = _("SMS code")
        verbose_name_plural = _("SMS codes")

    def __str__(self):
        return f"{self.purpose}: {self.mobile[:4]}****{self.mobile[-3:]}"
