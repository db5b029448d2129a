"""Competition law (docs/security.md): what a member reads of a joint order must not move with
another member's quantity until five members have joined (total minus one's own quantity would
be a competitor's volume). The tier reached may move: it sets the member's own price."""

import re

import pytest
from django.urls import reverse

from core.models import Notification
from packaging.models import OrderLine

from . import factories
from .test_pages import _members

pytestmark = pytest.mark.django_db


def _pages(client, order):
    pages = []
    for url in (reverse("packaging:list"), order.get_absolute_url(), reverse("members:dashboard")):
        response = client.get(url)
        assert response.status_code == 200
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        pages.append(re.sub(r'"X-CSRFToken": "[^"]+"', "", body))
    return pages


def test_a_members_pages_do_not_move_with_another_members_quantity_under_five_members(actors, client_as):
    order = factories.order(tiers=((300, 950_000), (600, 800_000), (1000, 700_000)))
    factories.join(order, actors.a, actors.member_a, 320, permit=factories.licence(actors.a))
    permit_b = factories.licence(actors.b)
    factories.join(order, actors.b, actors.member_b, 100, permit=permit_b)
    client = client_as("member_a")
    before = _pages(client, order)
    factories.join(order, actors.b, actors.member_b, 130, permit=permit_b)  # same tier (300)
    assert _pages(client, order) == before
    page = before[1]
    assert "۴۲۰" not in page and "۴۵۰" not in page  # the total
    assert "۱۰۰" not in page and "۱۳۰" not in page  # B's boxes
    assert "از پیوستن پنج عضو به بعد نشان داده می‌شود" in page
    assert "هر جعبه ۸۰٬۰۰۰ تومان، از ۶۰۰ جعبه در مجموع" in page


def _tier_notes(user):
    return list(
        Notification.objects.filter(user=user, subject__contains="قیمت واحد")
        .order_by("pk")
        .values_list("body", flat=True)
    )


def test_the_total_is_shown_from_five_members_and_told_with_a_new_tier(actors, client_as):
    order = factories.order(tiers=((300, 950_000), (600, 800_000), (1000, 700_000)))
    factories.join(order, actors.a, actors.member_a, 200, permit=factories.licence(actors.a))
    factories.join(order, actors.b, actors.member_b, 150)  # 350 boxes, two members: the 300 tier
    assert _tier_notes(actors.member_a) == ["هزینه شما با قیمت تازه حساب می‌شود."]
    for member, user in _members(3):
        factories.join(order, member, user, 50)  # 500 boxes, five members
    assert OrderLine.objects.filter(order=order).count() == 5
    page = client_as("member_a").get(order.get_absolute_url()).content.decode()
    assert 'data-testid="total">۵۰۰ جعبه<' in page
    assert "هر جعبه ۸۰٬۰۰۰ تومان، ۱۰۰ جعبه مانده" in page
    member, user = _members(1, start=3)[0]
    factories.join(order, member, user, 100)  # 600 boxes: the 600 tier
    assert _tier_notes(actors.member_a)[-1] == (
        "سفارش اکنون در مجموع ۶۰۰ جعبه دارد. هزینه شما با قیمت تازه حساب می‌شود."
    )
