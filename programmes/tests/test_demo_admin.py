"""The demo data (an open call the demo guild member qualifies for and the home member does
not, with reasons; results published as counts) and the staff's admin pages."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from members.models import Member
from programmes import services
from programmes.demo import LOAN_TITLE
from programmes.models import Application, Call
from programmes.selectors import calls_for_member, published_results
from programmes.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.ALLOW_DEMO_SEED = True
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent


def test_demo_guild_member_qualifies_and_home_member_is_told_why_not(demo):
    loan = Call.objects.get(title=LOAN_TITLE)
    with translation.override("en"):
        guild = {c.pk: c for c in calls_for_member(member=Member.objects.get(mobile="09120000001"))}
        home = {c.pk: c for c in calls_for_member(member=Member.objects.get(mobile="09120000002"))}
    assert guild[loan.pk].eligibility.qualifies is True
    assert home[loan.pk].eligibility.reasons() == [
        "This call is for Guild-based members only; your business is registered as Home-based.",
        "No valid Manufacturing health licence is recorded for your business.",
    ]
    assert Call.objects.count() == 3
    assert [r["call"].title for r in published_results()] == ["غرفه رایگان در بازارچه نوروزی قزوین"]


def test_staff_admin_pages_and_export(actors, client_as):
    call = factories.call()
    factories.apply(call, actors.a, actors.member_a)
    client = client_as("staff")
    for name in ("programmes_call", "programmes_application"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:programmes_call_add")).status_code == 200
    assert client.get(reverse("admin:programmes_call_change", args=[call.pk])).status_code == 200
    response = client.post(
        reverse("admin:programmes_application_changelist"),
        {"action": "export_xlsx", "_selected_action": [Application.objects.get().pk]},
    )
    assert response["Content-Disposition"] == 'attachment; filename="applications.xlsx"'
    assert client_as("member_a").get(reverse("admin:programmes_call_changelist")).status_code == 302


def test_publish_action_in_the_admin(actors, client_as):
    draft = factories.call(status=Call.Status.DRAFT, rules=[factories.LICENCE_RULE])
    client_as("staff").post(
        reverse("admin:programmes_call_changelist"), {"action": "publish", "_selected_action": [draft.pk]}
    )
    draft.refresh_from_db()
    assert draft.status == Call.Status.PUBLISHED
    with pytest.raises(ValidationError):
        services.call_publish(call=draft, actor=actors.staff)
