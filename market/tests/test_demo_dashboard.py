import io

import pytest
from django.core.management import call_command

from core.audit import audit_entries_for
from market.models import BuyerRequest, Offer
from members.models import User
from members.tests.test_views import fa_client

from . import factories

pytestmark = pytest.mark.django_db


def test_demo_has_an_approved_request_matched_to_the_demo_workshop_with_an_offer(db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    hotel = BuyerRequest.objects.get(organisation="هتل نمونه قزوین")
    assert hotel.status == BuyerRequest.Status.APPROVED
    [offer] = Offer.objects.filter(request=hotel)
    assert offer.member.user_links.get().user.mobile == "09120000001"
    assert BuyerRequest.objects.filter(status=BuyerRequest.Status.PENDING).count() == 1
    assert "market: buyer link of هتل نمونه قزوین: http://127.0.0.1:8000/market/b/" in out.getvalue()
    assert [e.action for e in audit_entries_for(hotel)] == ["market.request_approve", "market.request_create"]
    page = fa_client(User.objects.get(mobile="09120000001")).get("/members/me/").content.decode()
    assert 'data-testid="market-section"' in page and "درخواست‌های خرید برای شما" in page


def test_dashboard_section_lists_open_requests_for_the_member_only(actors, django_assert_max_num_queries):
    factories.matching_member(actors.a, actors.member_a)
    req, _ = factories.approved_request(actors.staff)
    page_a = fa_client(actors.member_a).get("/members/me/").content.decode()
    page_b = fa_client(actors.member_b).get("/members/me/").content.decode()
    assert req.get_absolute_url() in page_a
    assert req.get_absolute_url() not in page_b and 'data-testid="market-section"' in page_b
