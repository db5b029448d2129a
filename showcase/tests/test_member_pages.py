"""A member's own showcase pages: settings, adding and editing a product with photos and box
sizes, photo order, QR label sheets, withdrawing codes; every change audited."""

import re

import pytest
from django.urls import reverse
from PIL import Image

from core.models import AuditEntry
from showcase.models import BoxCode, Listing, ListingPhoto, Storefront
from showcase.tests import factories

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {
        "product": factories.product().pk,
        "name": "باقلوای ویژه",
        "description": "با مغز پسته",
        "shelf_life_days": "۴۵",
        "ingredients": "آرد برنج، پسته",
        "allergens": "پسته",
        "capacity_kg_per_month": "۱٬۲۰۰",
        "is_published": "on",
        "box-TOTAL_FORMS": "2",
        "box-INITIAL_FORMS": "0",
        "box-MIN_NUM_FORMS": "0",
        "box-MAX_NUM_FORMS": "6",
        "box-0-label": "جعبه کوچک",
        "box-0-net_grams": "۵۰۰",
        "box-0-retail_price": "۴۵۰٬۰۰۰",
        "box-1-label": "",
        "box-1-net_grams": "",
        "box-1-retail_price": "",
    }
    data.update(overrides)
    return data


def test_member_adds_a_product_with_photos(actors, client_as):
    client = client_as("member_a")
    form_page = client.get(reverse("showcase:listing_create"))
    assert "Publishing your own price is lawful" not in form_page.content.decode()  # Persian page
    assert "اعلام قیمت خودتان قانونی است" in form_page.content.decode()
    response = client.post(
        reverse("showcase:listing_create"),
        {
            **_form(),
            "photos": [factories.jpeg_upload("a.jpg", exif=True), factories.jpeg_upload("b.png", colour=(1, 2, 3))],
        },
    )
    listing = Listing.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("showcase:listing_edit", args=[listing.pk])
    assert (listing.member, listing.shelf_life_days, listing.capacity_kg_per_month) == (actors.a, 45, 1200)
    assert list(listing.packages.values_list("label", "net_grams", "retail_price_rial")) == [
        ("جعبه کوچک", 500, 4_500_000)
    ]
    photos = list(listing.photos.order_by("sort_order"))
    assert [p.sort_order for p in photos] == [0, 1]
    for photo in photos:
        assert re.fullmatch(r"showcase/photos/[0-9a-f]{32}\.jpg", photo.image.name)
        with Image.open(photo.image.path) as image:
            assert image.getexif() == {}  # EXIF (GPS, camera) stripped
        with Image.open(photo.thumbnail.path) as thumb:
            assert max(thumb.size) <= 480
    assert Storefront.objects.get(member=actors.a).is_listed is True
    entry = AuditEntry.objects.get(action="showcase.listing_create")
    assert (entry.actor, entry.changes["photos"], entry.changes["packages"]) == (
        actors.member_a,
        2,
        [["جعبه کوچک", 500, 4_500_000]],
    )


def test_bad_input_keeps_what_was_typed(actors, client_as):
    client = client_as("member_a")
    response = client.post(
        reverse("showcase:listing_create"),
        _form(**{"shelf_life_days": "هیچ", "box-0-net_grams": "", "box-0-label": "جعبه کوچک"}),
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["shelf_life_days"]
    assert response.context["formset"].forms[0].errors == {"net_grams": ["وزن خالص را به گرم بنویسید."]}
    html = response.content.decode()
    assert 'value="باقلوای ویژه"' in html and 'value="جعبه کوچک"' in html
    assert Listing.objects.count() == 0


def test_a_product_needs_a_box_size(actors, client_as):
    response = client_as("member_a").post(
        reverse("showcase:listing_create"),
        _form(**{"box-0-label": "", "box-0-net_grams": "", "box-0-retail_price": ""}),
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["دست‌کم یک اندازه جعبه با وزن خالص آن وارد کنید."]


def test_member_edits_the_product_and_its_boxes(actors, client_as):
    listing = factories.listing(actors.a, actors.member_a)
    client = client_as("member_a")
    data = _form(
        name="باقلوای تازه",
        **{
            "box-TOTAL_FORMS": "2",
            "box-INITIAL_FORMS": "1",
            "box-0-label": "جعبه یک کیلویی",
            "box-0-net_grams": "1000",
            "box-0-retail_price": "",
            "box-1-label": "جعبه هدیه",
            "box-1-net_grams": "250",
        },
    )
    data.pop("is_published")
    response = client.post(reverse("showcase:listing_edit", args=[listing.pk]), data)
    assert response.status_code == 302
    listing.refresh_from_db()
    assert (listing.name, listing.is_published) == ("باقلوای تازه", False)
    assert list(listing.packages.values_list("label", "net_grams", "retail_price_rial")) == [
        ("جعبه یک کیلویی", 1000, None),
        ("جعبه هدیه", 250, None),
    ]
    assert AuditEntry.objects.get(action="showcase.listing_update").changes["name"] == ["باقلوای ممتاز", "باقلوای تازه"]
    assert client_as("anonymous").get(reverse("showcase:detail", args=[listing.pk])).status_code == 404


def test_photos_are_added_reordered_and_removed(actors, client_as):
    listing = factories.listing(actors.a, actors.member_a, photos=2)
    client = client_as("member_a")
    first, second = listing.photos.order_by("sort_order")
    client.post(reverse("showcase:photos_add", args=[listing.pk]), {"photos": [factories.jpeg_upload()]})
    third = ListingPhoto.objects.latest("id")
    client.post(reverse("showcase:photo_move", args=[listing.pk, third.pk]), {"direction": "up"})
    order = list(listing.photos.order_by("sort_order", "id").values_list("pk", flat=True))
    assert order == [first.pk, third.pk, second.pk]
    client.post(reverse("showcase:photo_move", args=[listing.pk, first.pk]), {"direction": "up"})  # already first
    client.post(reverse("showcase:photo_delete", args=[listing.pk, first.pk]))
    assert list(listing.photos.order_by("sort_order", "id").values_list("pk", flat=True)) == [third.pk, second.pk]


def test_at_most_eight_photos(actors, client_as):
    listing = factories.listing(actors.a, actors.member_a, photos=8)
    response = client_as("member_a").post(
        reverse("showcase:photos_add", args=[listing.pk]), {"photos": [factories.jpeg_upload()]}, follow=True
    )
    assert "حداکثر ۸ عکس برای هر محصول." in response.content.decode() or "حداکثر 8 عکس" in response.content.decode()
    assert listing.photos.count() == 8


def test_home_producer_settings_keep_the_address_private(actors, client_as):
    response = client_as("member_b").post(
        reverse("showcase:mine"), {"is_listed": "on", "shop_address": "کوچه", "opening_hours": "۹"}
    )
    assert response.status_code == 302
    storefront = Storefront.objects.get(member=actors.b)
    assert (storefront.is_listed, storefront.shop_address, storefront.opening_hours) == (True, "", "")


def test_labels_sheet_prints_24_qr_codes(actors, client_as):
    listing = factories.listing(actors.a, actors.member_a)
    client = client_as("member_a")
    response = client.post(reverse("showcase:labels", args=[listing.pk]), {"sheets": "۱"})
    batch = listing.label_batches.get()
    assert response["Location"] == reverse("showcase:batch_print", args=[batch.pk])
    html = client.get(response["Location"]).content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 24
    assert html.count('data-testid="label"') == 24
    for code in batch.codes.all()[:3]:
        assert f'<bdi dir="ltr" class="code">{code.code}</bdi>' in html
    assert 'href="/static/css/labels.css"' in html
    too_many = client.post(reverse("showcase:labels", args=[listing.pk]), {"sheets": "11"})
    assert too_many.status_code == 400
    assert list(too_many.context["form"].errors) == ["sheets"]


def test_withdrawn_codes_are_not_printed_again(actors, client_as):
    listing = factories.listing(actors.a, actors.member_a)
    batch = factories.batch(listing, actors.member_a)
    code = batch.codes.first()
    client = client_as("member_a")
    client.post(reverse("showcase:code_revoke", args=[code.pk]))
    html = client.get(reverse("showcase:batch_print", args=[batch.pk])).content.decode()
    assert html.count('data-testid="label"') == 23 and code.code not in html
    client.post(reverse("showcase:batch_revoke", args=[batch.pk]))
    assert BoxCode.objects.filter(batch=batch, revoked_at__isnull=True).count() == 0
    assert AuditEntry.objects.filter(action="showcase.codes_revoke").count() == 2
    # the audit trail never holds the printed codes themselves
    assert all(code.code not in str(entry.changes) for entry in AuditEntry.objects.all())


def test_dashboard_shows_the_showcase_section(actors, client_as):
    factories.listing(actors.a, actors.member_a, name="باقلوای داشبورد")
    html = client_as("member_a").get(reverse("members:dashboard")).content.decode()
    assert 'data-testid="showcase-section"' in html and "باقلوای داشبورد" in html


def test_the_dashboard_section_is_one_query_for_one_listing_or_many_and_says_what_the_orm_selector_says(
    actors, django_assert_num_queries
):
    """The section reads its listings in one hand-written statement; they must be
    member_listings_brief's: the newest five, the licence in force today for the listing's
    product (not expired, replaced, suspended, revoked, of another product or member), this
    Jalali month's scans of all its codes."""
    import datetime

    from django.utils import timezone

    from permits.models import Permit
    from showcase.dashboard import member_dashboard_section
    from showcase.models import ScanCount
    from showcase.selectors import member_dashboard_listings, member_listings_brief, month_start

    def section(member):
        return member_dashboard_section(request=None, member=member)["context"]["listings"]

    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    with django_assert_num_queries(1):
        rows = section(actors.a)
    assert rows == [] == member_listings_brief(member=actors.a)
    first = factories.listing(actors.a, actors.member_a, name="اول")
    with django_assert_num_queries(1):
        rows = section(actors.a)
    assert rows == member_listings_brief(member=actors.a)
    assert rows == [{"pk": first.pk, "name": "اول", "licence_valid": False, "scans_this_month": 0}]
    # Licences in every case, scans this month and last month, other members' listings.
    slugs = ["baklava", "rice-cookies", "chickpea-cookies", "walnut-cookies", "almond-cookies", "qazvini-tea-bread"]
    listings = [factories.listing(actors.a, actors.member_a, name=f"فهرست {slug}", slug=slug) for slug in slugs]
    factories.licence(actors.a, [factories.product("baklava")])  # in force
    factories.licence(actors.a, [factories.product("rice-cookies")], expiry_in=-1)  # expired
    factories.licence(actors.b, [factories.product("chickpea-cookies")])  # another member's
    suspended = factories.licence(actors.a, [factories.product("walnut-cookies")])
    Permit.objects.filter(pk=suspended.pk).update(suspended_from=today - day, status_note="بازدید")
    revoked_later = factories.licence(actors.a, [factories.product("almond-cookies")])
    Permit.objects.filter(pk=revoked_later.pk).update(revoked_on=today + day, status_note="بازدید")
    old = factories.licence(actors.a, [factories.product("qazvini-tea-bread")])
    Permit.objects.filter(pk=old.pk).update(replaced_by=factories.licence(actors.a, [], number="NEW"))
    for listing, counts in ((first, (4, 7)), (listings[0], (2, 0)), (listings[5], (0, 9))):
        codes = list(factories.batch(listing, actors.member_a).codes.all()[:2])
        ScanCount.objects.create(code=codes[0], month=month_start(today), count=counts[0])
        ScanCount.objects.create(code=codes[1], month=month_start(today), count=counts[1])
        ScanCount.objects.create(code=codes[1], month=month_start(today - 40 * day), count=100)
    factories.listing(actors.b, actors.member_b, name="باقلوای ب")
    with django_assert_num_queries(1):
        rows = section(actors.a)
    assert rows == member_listings_brief(member=actors.a)
    assert len(rows) == 5  # the newest five of seven
    assert [(row["name"], row["licence_valid"], row["scans_this_month"]) for row in rows] == [
        ("فهرست qazvini-tea-bread", False, 9),  # its licence was replaced by one covering nothing
        ("فهرست almond-cookies", True, 0),  # revoked only from tomorrow
        ("فهرست walnut-cookies", False, 0),  # suspended
        ("فهرست chickpea-cookies", False, 0),  # B's licence is not A's
        ("فهرست rice-cookies", False, 0),  # expired
    ]
    Listing.objects.filter(pk__in=[listings[1].pk, listings[2].pk, listings[3].pk]).delete()
    rows = section(actors.a)
    assert rows == member_listings_brief(member=actors.a)
    assert [(row["name"], row["licence_valid"], row["scans_this_month"]) for row in rows][-2:] == [
        ("فهرست baklava", True, 2),
        ("اول", True, 11),  # baklava too
    ]
    for later in (today + day, today - 40 * day):
        assert member_dashboard_listings(member=actors.a, today=later) == member_listings_brief(
            member=actors.a, today=later
        )
    assert section(actors.b) == member_listings_brief(member=actors.b)
