"""Query counts stay the same for 1 and 50 members (no N+1) in the directory, the admin list and
the dashboard."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.models import Product
from members import selectors
from members.models import Member
from members.tests.factories import active_member, give_logo

pytestmark = pytest.mark.django_db


def _members(n):
    products = list(Product.objects.all()[:3])
    for i in range(n):
        member = active_member(products=products, business_name=f"واحد {i:03d}")
        if i % 5 == 0:
            give_logo(member)


def _count(client, url, data=None):
    client.get(url, data or {})  # warm-up: session and cache set-up are not part of the page
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, data or {})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("n", [1, 50])
def test_directory_query_count_is_constant(n, django_assert_num_queries):
    _members(n)
    with django_assert_num_queries(4):  # count, page of members, their products, filter products
        response = Client().get(reverse("members:directory"))
    assert len(response.context["page"]) == min(n, 12)


def test_directory_counts_for_1_and_50_members_are_equal(db):
    _members(1)
    one = _count(Client(), reverse("members:directory"), {"q": "واحد"})
    _members(49)
    many = _count(Client(), reverse("members:directory"), {"q": "واحد"})
    assert one == many


def test_directory_selector_prefetches_products(db, django_assert_num_queries):
    _members(5)
    with django_assert_num_queries(2):
        members = list(selectors.directory_members())
        assert [len(m.products.all()) for m in members] == [3] * 5


def test_admin_changelist_query_count_is_constant(actors, client_as):
    client = client_as("staff")
    url = reverse("admin:members_member_changelist")
    few = _count(client, url)
    _members(50)
    assert Member.objects.count() == 53
    many = _count(client, url)
    assert few == many
    assert _count(client, url, {"q": "واحد"}) == _count(client, url, {"q": "عضو"})


def test_dashboard_query_count_does_not_grow_with_messages_or_colleagues(actors, client_as):
    from members.models import ContactMessage

    client = client_as("member_a")
    few = _count(client, reverse("members:dashboard"))
    for i in range(8):
        ContactMessage.objects.create(member=actors.a, sender_name=f"خریدار {i}", sender_mobile="09135550000", body="x")
    assert _count(client, reverse("members:dashboard")) == few
