"""The public directory: its search matches only what it shows the searcher (business name,
brand, products, county), and its cached pages are keyed and linked from the known, normalised
query parameters only (issue: an owner's full name found a home producer; `?utm_x=…` on the
first request after a refresh reached every visitor's links for a minute)."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from catalogue.models import Product
from core import fragment_cache
from members.models import County, Member
from members.tests.factories import active_member
from members.views import DIRECTORY_VERSIONS

pytestmark = pytest.mark.django_db
URL = reverse("members:directory")


def _names(html):
    return re.findall(r'class="stretched-link text-decoration-none" href="[^"]+">([^<]+)</a>', html)


def _search(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return _names(response.content.decode())


@pytest.fixture
def home_producer(db):
    member = active_member(
        business_name="خانه شیرینی مهتاب",
        brand="نان‌برنجی مهتاب",
        kind=Member.Kind.HOME,
        owner_name="زهرا کاظمی‌نژاد",
        guild_licence_number="QZ-778812",
        address="قزوین، کوچه یاس، پلاک ۱۲",
        county=County.TAKESTAN,
    )
    product = Product.objects.create(name_fa="قطاب آزمایشی", name_en="Test ghottab", slug="test-ghottab")
    member.products.add(product)
    return member


@pytest.mark.parametrize(
    "hidden",
    [
        "زهرا کاظمی‌نژاد",  # the owner's full name
        "کاظمي نژاد",  # the same with Arabic letters and a space
        "QZ-778812",  # the licence number
        "778812",
        "کوچه یاس",  # the address the directory keeps private
    ],
)
@pytest.mark.parametrize("role", ["anonymous", "member_b"])
def test_a_search_for_what_the_directory_does_not_show_finds_nothing(home_producer, client_as, role, hidden):
    assert _search(client_as(role), q=hidden) == []


@pytest.mark.parametrize(
    "shown",
    ["مهتاب", "خانه شیرینی", "نان برنجي مهتاب", "قطاب آزمایشی", "test ghottab", "تاکستان", "Takestan"],
)
def test_a_search_for_what_the_directory_shows_finds_the_member(home_producer, shown):
    assert _search(Client(), q=shown) == ["خانه شیرینی مهتاب"]


def test_the_english_page_finds_the_english_product_name(home_producer):
    client = Client()
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        assert _search(client, q="GHOTTAB") == ["خانه شیرینی مهتاب"]


def test_staff_still_find_the_owner_and_licence_in_the_admin(home_producer, client_as):
    client = client_as("staff")
    for term in ("زهرا کاظمی‌نژاد", "QZ-778812"):
        html = client.get(reverse("admin:members_member_changelist"), {"q": term}).content.decode()
        assert "خانه شیرینی مهتاب" in html, term


# --- cached pages come from the known parameters only ----------------------------------------


def _entries():
    """The directory's cache entries stored under the current versions of the member and product
    tables (the local-memory cache, or Redis through django-redis)."""
    tokens = fragment_cache.tokens(*DIRECTORY_VERSIONS)
    keys = cache._cache.keys() if hasattr(cache, "_cache") else cache.keys("directory:*")
    keys = [key[key.index("directory:") :] for key in keys if "directory:" in key]
    return sorted(key for key in keys if (cache.get(key) or (None,))[0] == tokens)


def test_an_extra_parameter_never_reaches_other_visitors_links_nor_makes_cache_entries(actors):
    for i in range(14):  # two pages of results: a "Next" link
        active_member(business_name=f"شیرینی‌پزی نمونه {i:02d}")
    first = Client().get(URL, {"q": "شیرینی", "utm_x": "evil-campaign", "fbclid": "abc"}).content.decode()
    assert "evil-campaign" not in first and "fbclid" not in first  # not even in its own links
    entries = _entries()
    assert len(entries) == 2  # the page and its result list
    for _visitor in range(2):
        html = Client().get(URL, {"q": "شیرینی"}).content.decode()
        assert "evil" not in html and "utm_x" not in html
        next_link = re.search(r'<a class="page-link" href="([^"]+)">بعدی</a>', html).group(1)
        assert next_link == "?q=%D8%B4%DB%8C%D8%B1%DB%8C%D9%86%DB%8C&amp;page=2"
        login = re.search(r'href="/accounts/login/\?next=([^"]+)"', html).group(1)
        assert login == "/members/directory/%3Fq%3D%25D8%25B4%25DB%258C%25D8%25B1%25DB%258C%25D9%2586%25DB%258C"
        assert re.search(r'name="next" type="hidden" value="([^"]+)"', html).group(1) == (
            "/members/directory/?q=%D8%B4%DB%8C%D8%B1%DB%8C%D9%86%DB%8C"
        )
    assert _entries() == entries  # the same two entries served both visitors


def test_the_same_filters_written_differently_share_one_entry(actors):
    for i in range(14):
        active_member(business_name=f"گز نمونه {i:02d}", county=County.QAZVIN)
    variants = [
        "?q=گز&county=qazvin&page=2",
        "?page=۲&county=qazvin&q=%20گز%20%20",
        "?county=qazvin&q=گز&page=02&utm_source=sms",
        "?q=گز&county=qazvin&page=2&product=not-a-number",
    ]
    pages = [Client().get(URL + variant).content.decode() for variant in variants]
    assert len(_entries()) == 2
    for html in pages:
        assert "صفحه ۲ از ۲" in html
        assert 'value="گز"' in html
    # Unknown values are dropped, not kept as keys: an unknown county or a page of 1 is the plain list.
    Client().get(URL + "?county=nowhere&page=1")
    Client().get(URL)
    assert len(_entries()) == 4
