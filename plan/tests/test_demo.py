"""The plan's demo data: an endorsed plan with actions linked to the demo commitments, and one
stored quarter of indicators."""

import pytest
from django.core.management import call_command

from plan import indicators
from plan.models import Action, ActionPlan, IndicatorSnapshot
from plan.quarters import current

pytestmark = pytest.mark.django_db


def test_demo_plan_and_a_stored_quarter(settings):
    settings.ALLOW_DEMO_SEED = True
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    plan = ActionPlan.objects.get()
    assert plan.endorsed_on is not None and plan.objectives.count() == 3
    assert Action.objects.filter(objective__plan=plan).count() == 7
    linked = Action.objects.get(commitment__isnull=False)
    assert linked.effective_status == linked.commitment.status == "in_progress"
    previous = current().previous()
    stored = IndicatorSnapshot.objects.filter(year=previous.year, quarter=previous.number)
    assert sorted(stored.values_list("indicator", flat=True)) == sorted(i.id for i in indicators.INDICATORS)
    assert IndicatorSnapshot.objects.count() == len(indicators.INDICATORS)
