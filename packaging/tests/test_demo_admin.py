"""The demo data (an open joint order with tiers and two licensed demo members' lines, a label
waiting for the check) and the staff's admin pages over it."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from packaging.demo import OPEN_TITLE
from packaging.models import JointOrder, LabelProof
from packaging.selectors import order_with_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.ALLOW_DEMO_SEED = True
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent


def test_demo_has_an_open_order_with_tiers_and_two_members_lines(demo):
    order = order_with_state(JointOrder.objects.get(title=OPEN_TITLE))
    assert order.status == JointOrder.Status.OPEN
    assert [t.min_quantity for t in order.state.tiers] == [300, 600, 1000]
    lines = {line.member.mobile: line.quantity for line in order.lines.select_related("member")}
    assert lines == {"09120000001": 250, "09121000001": 180}
    assert order.state.total == 430 and order.state.current.min_quantity == 300
    assert LabelProof.objects.filter(line__order=order, status=LabelProof.Status.SUBMITTED).count() == 1
    assert JointOrder.objects.count() == 2


def test_staff_admin_pages_and_the_member_dashboard(demo, client):
    from conftest import login_verified
    from members.models import User

    order = JointOrder.objects.get(title=OPEN_TITLE)
    proof = LabelProof.objects.get(line__order=order)
    login_verified(client, User.objects.get(mobile="09120000010"))
    for url in (
        reverse("admin:packaging_jointorder_changelist"),
        reverse("admin:packaging_jointorder_add"),
        reverse("admin:packaging_jointorder_change", args=[order.pk]),
        reverse("admin:packaging_labelproof_changelist"),
        reverse("admin:packaging_labelproof_change", args=[proof.pk]),
        reverse("packaging:list"),
        reverse("packaging:detail", args=[order.pk]),
    ):
        assert (url, client.get(url).status_code) == (url, 200)
    member_client = client.__class__()
    member_client.force_login(User.objects.get(mobile="09120000001"))
    page = member_client.get(reverse("members:dashboard")).content.decode()
    assert 'data-testid="packaging-section"' in page
    assert "۲۵۰ جعبه، ۲۳٬۷۵۰٬۰۰۰ تومان" in page
