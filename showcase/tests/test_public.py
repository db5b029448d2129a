"""The public showcase: search, filters, pages, a product's page (where to buy, JSON-LD, Open
Graph), the contact relay and the sitemap."""

import json
import re

import pytest
from django.urls import reverse

from members.models import ContactMessage, County, Member
from showcase import services
from showcase.tests import factories
from tests.test_security_sessions import assert_strict_headers

pytestmark = pytest.mark.django_db


def _names(response):
    return [listing.name for listing in response.context["page"]]


def test_list_shows_public_listings_newest_first(actors, client):
    factories.listing(actors.a, actors.member_a, name="باقلوای یک")
    factories.listing(actors.b, actors.member_b, name="نان برنجی دو", slug="rice-cookies")
    response = client.get(reverse("showcase:list"))
    assert response.status_code == 200
    assert _names(response) == ["نان برنجی دو", "باقلوای یک"]
    assert_strict_headers(response, "showcase list")


def test_search_ignores_arabic_letters_and_digit_forms(actors, client):
    factories.listing(actors.a, actors.member_a, name="نان چای ۱۴۰۵ ویژه")
    factories.listing(actors.a, actors.member_a, name="باقلوای پسته")
    for query in ["نان چاي", "نان چاى ١٤٠٥", "نان چای 1405", "ويژه"]:
        assert _names(client.get(reverse("showcase:list"), {"q": query})) == ["نان چای ۱۴۰۵ ویژه"], query
    # the business name and the product type are searched too
    assert len(_names(client.get(reverse("showcase:list"), {"q": "كارگاه عضو الف"}))) == 2
    assert _names(client.get(reverse("showcase:list"), {"q": "Baklava"})) == ["باقلوای پسته", "نان چای ۱۴۰۵ ویژه"]


def test_filters_product_county_kind_and_licence(actors, client):
    actors.b.county = County.TAKESTAN
    actors.b.save()
    baklava = factories.listing(actors.a, actors.member_a, name="باقلوای الف")
    factories.listing(actors.a, actors.member_a, name="نان برنجی الف", slug="rice-cookies")
    factories.listing(actors.b, actors.member_b, name="باقلوای ب")
    factories.licence(actors.a, [baklava.product])
    url = reverse("showcase:list")
    product = factories.product("rice-cookies")
    assert _names(client.get(url, {"product": product.pk})) == ["نان برنجی الف"]
    assert _names(client.get(url, {"county": "takestan"})) == ["باقلوای ب"]
    assert _names(client.get(url, {"kind": "home"})) == ["باقلوای ب"]
    assert _names(client.get(url, {"kind": "guild"})) == ["نان برنجی الف", "باقلوای الف"]
    assert _names(client.get(url, {"licensed": "on"})) == ["باقلوای الف"]
    # bad filter values are ignored, never a 500
    assert client.get(url, {"product": "x", "county": "nowhere", "page": "abc"}).status_code == 200


def test_pages_of_twelve(actors, client):
    for n in range(13):
        factories.listing(actors.a, actors.member_a, name=f"محصول {n}")
    first = client.get(reverse("showcase:list"))
    second = client.get(reverse("showcase:list"), {"page": 2})
    assert (len(first.context["page"]), len(second.context["page"])) == (12, 1)
    assert _names(second) == ["محصول 0"]


def test_only_public_listings_are_shown(actors, client):
    shown = factories.listing(actors.a, actors.member_a, name="نمایش")
    draft = factories.listing(actors.a, actors.member_a, name="پیش‌نویس", is_published=False)
    hidden = factories.listing(actors.a, actors.member_a, name="پنهان")
    services.listing_hide(listing=hidden, actor=actors.staff, reason="عکس نامربوط")
    other = factories.listing(actors.b, actors.member_b, name="عضو ب")
    services.storefront_save(member=actors.b, actor=actors.member_b, data={"is_listed": False})
    assert _names(client.get(reverse("showcase:list"))) == ["نمایش"]
    for listing in (draft, hidden, other):
        assert client.get(reverse("showcase:detail", args=[listing.pk])).status_code == 404
    assert client.get(reverse("showcase:detail", args=[shown.pk])).status_code == 200


@pytest.mark.parametrize("status", [Member.Status.SUSPENDED, Member.Status.LAPSED, Member.Status.RESIGNED])
def test_a_member_that_is_not_active_disappears_at_once(actors, client, status):
    listing = factories.listing(actors.a, actors.member_a)
    assert client.get(reverse("showcase:detail", args=[listing.pk])).status_code == 200
    assert _names(client.get(reverse("showcase:list"))) == [listing.name]
    actors.a.status = status
    actors.a.save()
    assert client.get(reverse("showcase:detail", args=[listing.pk])).status_code == 404
    assert _names(client.get(reverse("showcase:list"))) == []


def test_guild_member_shows_shop_address_and_hours(actors, client):
    services.storefront_save(
        member=actors.a,
        actor=actors.member_a,
        data={"is_listed": True, "shop_address": "قزوین، خیابان پیغمبریه", "opening_hours": "۹ تا ۲۱"},
    )
    listing = factories.listing(actors.a, actors.member_a)
    html = client.get(reverse("showcase:detail", args=[listing.pk])).content.decode()
    assert "قزوین، خیابان پیغمبریه" in html and "۹ تا ۲۱" in html


def test_home_producer_shows_county_only_and_the_contact_relay(actors, client):
    actors.b.address = "تاکستان، کوچه خصوصی، پلاک ۵"
    actors.b.save()
    services.storefront_save(
        member=actors.b, actor=actors.member_b, data={"shop_address": "نشانی خانه", "opening_hours": "همیشه"}
    )
    listing = factories.listing(actors.b, actors.member_b)
    response = client.get(reverse("showcase:detail", args=[listing.pk]))
    html = response.content.decode()
    assert "کوچه خصوصی" not in html and "نشانی خانه" not in html and "همیشه" not in html
    assert response.context["place"] == {"county": "قزوین", "kind": "home", "is_home": True}
    assert actors.b.mobile not in html
    response = client.post(
        reverse("showcase:contact", args=[listing.pk]),
        {"sender_name": "هتل نمونه", "sender_mobile": "۰۹۱۲۳۴۵۶۷۸۹", "body": "۲۰ جعبه می‌خواهیم"},
    )
    assert response.status_code == 302
    message = ContactMessage.objects.get()
    assert (message.member, message.sender_mobile, message.body) == (
        actors.b,
        "09123456789",
        f"درباره «{listing.name}»:\n۲۰ جعبه می‌خواهیم",  # free text keeps its digits as typed
    )


def test_contact_with_bad_input_keeps_what_was_typed(actors, client):
    listing = factories.listing(actors.b, actors.member_b)
    response = client.post(
        reverse("showcase:contact", args=[listing.pk]), {"sender_name": "هتل", "sender_mobile": "123", "body": "سلام"}
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["sender_mobile"]
    assert 'value="هتل"' in response.content.decode()
    assert ContactMessage.objects.count() == 0


def test_product_page_has_json_ld_open_graph_and_own_prices_only(actors, client):
    listing = factories.listing(
        actors.a,
        actors.member_a,
        photos=2,
        name="باقلوای </script><script>alert(1)</script>",
        packages=[
            {"label": "جعبه کوچک", "net_grams": 500, "retail_price_rial": 4_500_000},
            {"label": "جعبه بزرگ", "net_grams": 1000, "retail_price_rial": None},
        ],
    )
    response = client.get(reverse("showcase:detail", args=[listing.pk]))
    html = response.content.decode()
    assert_strict_headers(response, "showcase detail")
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    assert "</script><script>" not in blocks[0]
    data = json.loads(blocks[0])
    photos = list(listing.photos.order_by("sort_order"))
    assert data["@type"] == "Product"
    assert data["name"] == listing.name
    assert data["image"] == [f"http://testserver/showcase/photos/{p.pk}/full/" for p in photos]
    assert data["manufacturer"]["@type"] == "LocalBusiness"
    assert data["offers"] == [
        {
            "@type": "Offer",
            "name": "جعبه کوچک",
            "price": "4500000",
            "priceCurrency": "IRR",
            "availability": "https://schema.org/InStock",
            "seller": {"@type": "LocalBusiness", "name": actors.a.business_name},
        }
    ]
    assert f'<meta property="og:image" content="http://testserver/showcase/photos/{photos[0].pk}/full/">' in html
    assert '<meta property="og:type" content="product">' in html
    assert "۴۵۰٬۰۰۰ تومان" in html


def test_sitemap_lists_public_pages_and_listings(actors, client):
    shown = factories.listing(actors.a, actors.member_a)
    draft = factories.listing(actors.a, actors.member_a, is_published=False)
    xml = client.get("/sitemap.xml").content.decode()
    locations = re.findall(r"<loc>(.*?)</loc>", xml)
    assert locations == [
        "http://testserver/",
        "http://testserver/showcase/",
        "http://testserver/members/directory/",
        "http://testserver/events/",
        "http://testserver/prices/bands/",
        f"http://testserver/showcase/{shown.pk}/",
    ]
    assert f"/showcase/{draft.pk}/" not in xml


def test_photo_of_a_hidden_listing_is_only_for_its_member_and_staff(actors, client_as):
    listing = factories.listing(actors.a, actors.member_a, photos=1)
    photo = listing.photos.get()
    url = reverse("showcase:photo", args=[photo.pk, "full"])
    response = client_as("anonymous").get(url)
    assert (response.status_code, response["Cache-Control"], response["Content-Type"]) == (
        200,
        "public, max-age=3600",
        "image/jpeg",
    )
    services.listing_hide(listing=listing, actor=actors.staff, reason="بررسی")
    got = {role: client_as(role).get(url).status_code for role in ("anonymous", "member_a", "member_b", "staff")}
    assert got == {"anonymous": 404, "member_a": 200, "member_b": 404, "staff": 200}
    assert client_as("member_a").get(url)["Cache-Control"] == "private, no-store"
    assert client_as("anonymous").get(reverse("showcase:photo", args=[photo.pk, "huge"])).status_code == 404


def test_english_page(actors, client):
    factories.listing(actors.a, actors.member_a)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("showcase:list")).content.decode()
    assert '<h1 class="h4">Showcase of Qazvin\'s traditional sweets</h1>' in html
    assert 'dir="ltr"' in html
