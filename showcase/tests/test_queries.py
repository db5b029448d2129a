"""Constant query counts: the same number of queries for one listing or many, one photo or
many (pages are measured on their first, uncached rendering)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from showcase import page_cache
from showcase.tests import factories

pytestmark = pytest.mark.django_db


def _count(client, url):
    page_cache.bump()  # a fresh rendering (the shared cache also holds sessions: never cleared)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_showcase_list_is_constant(actors, client):
    factories.listing(actors.a, actors.member_a, photos=1)
    one = _count(client, reverse("showcase:list"))
    for n in range(6):
        factories.listing(actors.b if n % 2 else actors.a, actors.member_b if n % 2 else actors.member_a, photos=2)
        factories.licence(actors.a, [factories.product()], number=f"L-{n}")
    many = _count(client, reverse("showcase:list"))
    assert (one, many) == (3, 3)  # the product filter's choices, the count, the rows


def test_product_page_is_constant(actors, client):
    few = factories.listing(actors.a, actors.member_a, photos=1)
    many = factories.listing(
        actors.a,
        actors.member_a,
        photos=5,
        packages=[{"label": f"جعبه {n}", "net_grams": 100 * (n + 1), "retail_price_rial": None} for n in range(5)],
    )
    counts = [_count(client, reverse("showcase:detail", args=[item.pk])) for item in (few, many)]
    assert counts == [3, 3]  # the listing with member, storefront, product; photos; box sizes


def test_member_pages_are_constant(actors, client_as):
    client = client_as("member_a")
    listing = factories.listing(actors.a, actors.member_a, photos=1)
    batch = factories.batch(listing, actors.member_a)
    client.get(reverse("showcase:mine"))  # the session's first request (sign-in bookkeeping)
    first = [
        _count(client, reverse("showcase:mine")),
        _count(client, reverse("showcase:labels", args=[listing.pk])),
        _count(client, reverse("showcase:batch_detail", args=[batch.pk])),
    ]
    for n in range(4):
        more = factories.listing(actors.a, actors.member_a, photos=2, name=f"محصول {n}")
        factories.batch(more, actors.member_a)
        factories.batch(listing, actors.member_a, sheets=2)
    # The new rows renewed what is cached for the member (the navigation's state): read once
    # more, as `first` was, so both counts start from the same cache.
    client.get(reverse("showcase:mine"))
    second = [
        _count(client, reverse("showcase:mine")),
        _count(client, reverse("showcase:labels", args=[listing.pk])),
        _count(client, reverse("showcase:batch_detail", args=[batch.pk])),
    ]
    assert first == second
