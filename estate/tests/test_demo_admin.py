"""The estate's demo data and the staff's admin pages."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from estate.models import Milestone, Ranking
from estate.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.ALLOW_DEMO_SEED = True
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent


def test_demo_estate_has_past_and_future_milestones_and_a_published_ranking(demo):
    today = timezone.localdate()
    dates = list(Milestone.objects.values_list("planned_date", flat=True))
    assert min(dates) < today < max(dates)
    ranking = Ranking.objects.get(published_at__isnull=False)
    assert ranking.entries.count() == 6
    assert ranking.entries.get(rank=1).member.mobile == "09120000001"


def test_staff_admin_pages(actors, client_as):
    milestone = factories.milestone()
    allocation = factories.allocation(actor=actors.staff)
    client = client_as("staff")
    for name in ("milestone", "milestonechange", "demandregistration", "allocation", "ranking"):
        assert client.get(reverse(f"admin:estate_{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:estate_milestone_change", args=[milestone.pk])).status_code == 200
    assert client.get(reverse("admin:estate_allocation_change", args=[allocation.pk])).status_code == 200
    response = client.post(
        reverse("admin:estate_allocation_changelist"), {"action": "compute", "_selected_action": [allocation.pk]}
    )
    assert (response.status_code, Ranking.objects.filter(allocation=allocation).count()) == (302, 1)
