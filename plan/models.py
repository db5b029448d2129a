"""The cluster's action plan (objectives → actions, endorsed by a date) and the stored
quarterly figures of its indicators (so published numbers never move)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ActionPlan(models.Model):
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True, max_length=4000)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    endorsed_on = models.DateField(
        _("endorsed on"), null=True, blank=True, help_text=_("The plan is public once it has an endorsement date.")
    )
    endorsed_by = models.CharField(_("endorsed by"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-endorsed_on", "-id"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gt=models.F("period_start")), name="plan_period_order"),
            models.CheckConstraint(
                condition=Q(endorsed_on__isnull=True) | ~Q(endorsed_by=""), name="plan_endorsed_by_whom"
            ),
        ]

    def __str__(self):
        return self.title


class Objective(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="objectives", verbose_name=_("plan"))
    title = models.CharField(_("objective"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self):
        return self.title


class ActionStatus(models.TextChoices):
    """The same statuses as an events commitment, so a linked action takes the commitment's."""

    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class Action(models.Model):
    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="actions", verbose_name=_("objective")
    )
    title = models.CharField(_("action"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    owner_name = models.CharField(
        _("owner"), max_length=200, blank=True, help_text=_("The organisation or person responsible, as shown.")
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_actions",
        verbose_name=_("owner's account"),
    )
    commitment = models.ForeignKey(
        "events.Commitment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_actions",
        verbose_name=_("commitment"),
        help_text=_("A linked action takes its status (and, if left empty, its due date) from the commitment."),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.CheckConstraint(
                condition=Q(due_date__isnull=False) | Q(commitment__isnull=False), name="plan_action_due_date"
            ),
            models.CheckConstraint(
                condition=~Q(owner_name="") | Q(owner_user__isnull=False), name="plan_action_has_owner"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def effective_status(self) -> str:
        return self.commitment.status if self.commitment_id else self.status

    @property
    def effective_due_date(self):
        return self.due_date or (self.commitment.due_date if self.commitment_id else None)

    @property
    def owner_label(self) -> str:
        if self.owner_name:
            return self.owner_name
        return self.owner_user.full_name if self.owner_user_id else ""

    def get_effective_status_display(self) -> str:
        return ActionStatus(self.effective_status).label

    @property
    def is_closed(self) -> bool:
        return self.effective_status in (ActionStatus.DONE, ActionStatus.DROPPED)

    @property
    def is_overdue(self) -> bool:
        due = self.effective_due_date
        return not self.is_closed and due is not None and due < timezone.localdate()


class IndicatorSnapshot(models.Model):
    """One indicator's figures for one Jalali quarter, stored once the quarter is over. Never
    changed afterwards: the published number stays what it was."""

    year = models.PositiveSmallIntegerField(_("Jalali year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    indicator = models.CharField(_("indicator"), max_length=40)
    as_of = models.DateField(_("as of"))
    data = models.JSONField(_("figures"))
    computed_at = models.DateTimeField(_("stored at"), default=timezone.now)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-year", "-quarter", "indicator"]
        verbose_name = _("stored indicator")
        verbose_name_plural = _("stored indicators")
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter", "indicator"], name="plan_snapshot_once"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="plan_snapshot_quarter"),
        ]

    def __str__(self):
        return f"{self.indicator} {self.year}-{self.quarter}"
