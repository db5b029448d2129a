import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from core.audit import audit_entries_for
from market import services
from market.dashboard import member_dashboard_section
from market.models import BuyerRequest, Offer
from market.selectors import open_requests_for_member
from members.models import User
from members.tests.test_views import fa_client
from showcase.tests import factories as showcase

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


def _from_the_selector(member):
    """What `open_requests_for_member` says, in the section's terms."""
    return [
        {
            "url": r.get_absolute_url(),
            "product": str(r.product),
            "quantity": r.quantity,
            "unit_label": r.get_unit_display(),
            "deadline": r.deadline,
            "my_offer_status": r.my_offer_status,
        }
        for r in open_requests_for_member(member)
    ]


def _section(member):
    items = member_dashboard_section(request=None, member=member)["context"]["items"]
    return [{**item, "unit_label": str(item["unit_label"])} for item in items]


def test_dashboard_section_is_one_query_for_one_request_or_many_and_says_what_the_selector_says(
    actors, django_assert_num_queries
):
    factories.matching_member(actors.a, actors.member_a)
    first, _ = factories.approved_request(actors.staff, deadline=timezone.localdate() + datetime.timedelta(days=20))
    with django_assert_num_queries(1):
        section = _section(actors.a)
    assert section == _from_the_selector(actors.a)
    assert [(item["url"], item["my_offer_status"]) for item in section] == [(first.get_absolute_url(), None)]
    # More requests: offered on, offer withdrawn, by the box, closed, pending, matched to B only.
    factories.matching_member(actors.b, actors.member_b, slug="qazvini-tea-bread")
    factories.offer(first, actors.a, actors.member_a)
    withdrawn, _ = factories.approved_request(actors.staff, deadline=timezone.localdate() + datetime.timedelta(days=5))
    services.offer_withdraw(offer=factories.offer(withdrawn, actors.a, actors.member_a), actor=actors.member_a)
    factories.matching_member(actors.a, actors.member_a, slug="qazvini-tea-bread")
    boxes, _ = factories.approved_request(actors.staff, product=showcase.product("qazvini-tea-bread"), unit="box")
    closed, _ = factories.approved_request(actors.staff)
    factories.offer(closed, actors.a, actors.member_a)
    services.buyer_request_close(buyer_request=closed, actor=actors.staff)
    factories.buyer_request()  # pending: matched to no one yet
    for _i in range(4):
        factories.approved_request(actors.staff, deadline=timezone.localdate() + datetime.timedelta(days=60))
    with django_assert_num_queries(1):
        section = _section(actors.a)
    assert section == _from_the_selector(actors.a)
    assert len(section) == 5  # the five soonest of seven open ones
    assert [item["my_offer_status"] for item in section[:2]] == ["withdrawn", "active"]
    assert section[2]["url"] == boxes.get_absolute_url() and section[2]["unit_label"] == "جعبه"
    with translation.override("en"):
        assert _section(actors.a) == _from_the_selector(actors.a)
        assert _section(actors.a)[0]["product"] == "Baklava"
    assert _section(actors.b) == _from_the_selector(actors.b)
    assert [item["url"] for item in _section(actors.b)] == [boxes.get_absolute_url()]
