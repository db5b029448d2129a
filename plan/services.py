"""Writes of the plan app: the action plan's parts (from the admin, each with an audit entry)
and the quarterly snapshots of the indicators (stored once, never changed)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record, diff, snapshot

from . import indicators
from .models import Action, ActionPlan, IndicatorSnapshot, Objective
from .quarters import Quarter

PLAN_FIELDS = ["title", "summary", "period_start", "period_end", "endorsed_on", "endorsed_by"]
OBJECTIVE_FIELDS = ["plan_id", "title", "description", "sort_order"]
ACTION_FIELDS = [
    "objective_id",
    "title",
    "description",
    "owner_name",
    "owner_user_id",
    "commitment_id",
    "due_date",
    "status",
    "sort_order",
]


def _save(instance, *, fields, actor, action):
    before = snapshot(type(instance).objects.get(pk=instance.pk), fields) if instance.pk else {}
    created = instance.pk is None
    instance.full_clean()
    instance.save()
    changes = diff(before, snapshot(instance, fields)) if not created else snapshot(instance, fields)
    audit_record(
        actor=actor, action=f"{action}.{'create' if created else 'update'}", instance=instance, changes=changes
    )
    return instance


@transaction.atomic
def plan_save(*, plan: ActionPlan, actor) -> ActionPlan:
    return _save(plan, fields=PLAN_FIELDS, actor=actor, action="plan")


@transaction.atomic
def objective_save(*, objective: Objective, actor) -> Objective:
    return _save(objective, fields=OBJECTIVE_FIELDS, actor=actor, action="plan.objective")


@transaction.atomic
def action_save(*, action: Action, actor) -> Action:
    """A linked action's own status is not used (it follows the commitment's)."""
    return _save(action, fields=ACTION_FIELDS, actor=actor, action="plan.action")


@transaction.atomic
def quarter_store(*, quarter: Quarter, actor=None, today: datetime.date | None = None) -> list[IndicatorSnapshot]:
    """Store every indicator's figures for a quarter that is over, as of its last day. What is
    stored already stays as it was (a second run stores only what is missing): the published
    figures never move. Returns the snapshots made now."""
    today = today or timezone.localdate()
    if not quarter.is_over(today):
        raise ValidationError(_("A quarter can be stored only once it is over."), code="running")
    stored = set(
        IndicatorSnapshot.objects.filter(year=quarter.year, quarter=quarter.number).values_list("indicator", flat=True)
    )
    made = []
    for indicator in indicators.INDICATORS:
        if indicator.id in stored:
            continue
        data = indicators.compute(indicator, quarter, quarter.end)
        try:
            with transaction.atomic():
                made.append(
                    IndicatorSnapshot.objects.create(
                        year=quarter.year,
                        quarter=quarter.number,
                        indicator=indicator.id,
                        as_of=quarter.end,
                        data=data,
                        computed_by=actor if getattr(actor, "is_authenticated", False) else None,
                    )
                )
        except IntegrityError:  # stored by a concurrent run meanwhile: keep that one
            continue
    for item in made:
        audit_record(actor=actor, action="plan.indicators.store", instance=item, changes={"as_of": str(item.as_of)})
    return made
