"""The showcase journey in Chromium: a member adds a product with a photo, prints a sheet of QR
labels, the scan page is green; the health licence expires and the same page is red. Then a
visitor browses the showcase on a desktop in English. Screenshots go to test-artifacts/."""

import datetime

import pytest
from django.utils import timezone

from showcase.models import BoxCode, Listing
from showcase.tests import factories
from tests.browser import browser, login, page, screenshot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_phone(phone):
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def _weight(phone, path):
    """Bytes the page and everything it loads take (uncompressed)."""
    sizes = {}
    phone.on("requestfinished", lambda request: sizes.__setitem__(request.url, len(request.response().body())))
    phone.goto(path)
    phone.wait_for_load_state("networkidle")
    return sizes


def test_label_scan_turns_red_on_expiry(seed_data, actors, page, browser, live_server, tmp_path):  # noqa: F811
    licence = factories.licence(actors.a, [factories.product()], number="FDO-1404-9911", expiry_in=40)
    photo = tmp_path / "baklava.jpg"
    photo.write_bytes(factories.jpeg_upload(exif=True).read())

    # -- member A on a phone, in Persian: a new product with a photo --------------------------------
    login(page, actors.member_a.mobile)
    page.goto("/showcase/mine/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    with page.expect_navigation():
        page.get_by_test_id("new-listing").click()
    page.select_option("#id_product", str(factories.product().pk))
    page.fill("#id_name", "باقلوای پسته‌ای")
    page.fill("#id_description", "باقلوای تازه با مغز پسته")
    page.fill("#id_shelf_life_days", "۴۵")
    page.fill("#id_ingredients", "آرد برنج، پسته، شکر")
    page.fill("#id_capacity_kg_per_month", "۳۰۰")
    page.set_input_files("#id_photos", str(photo))
    page.fill("#id_box-0-label", "جعبه کوچک")
    page.fill("#id_box-0-net_grams", "۵۰۰")
    page.fill("#id_box-0-retail_price", "۴۵۰٬۰۰۰")
    _fits_phone(page)
    screenshot(page, "showcase-new-listing-fa-phone")
    with page.expect_navigation():
        page.get_by_test_id("save-listing").click()
    listing = Listing.objects.get()
    assert page.url == f"{live_server.url}/showcase/mine/{listing.pk}/"
    assert listing.photos.count() == 1
    assert page.locator("#photos img").count() == 1

    # -- a sheet of labels --------------------------------------------------------------------------
    with page.expect_navigation():
        page.get_by_test_id("labels-link").first.click()
    page.fill("#id_sheets", "۱")
    with page.expect_navigation():
        page.get_by_test_id("print-labels").click()
    assert page.locator("[data-testid=label] svg").count() == 24
    screenshot(page, "showcase-labels-fa-phone")
    code = BoxCode.objects.filter(listing=listing).order_by("id").first()
    assert page.locator(f"text={code.code}").count() == 1

    # -- the scan page: green, then red once the licence expires -------------------------------------
    sizes = _weight(page, f"/v/{code.code}/")
    verdict = page.get_by_test_id("verdict")
    assert verdict.get_attribute("data-state") == "green"
    assert page.get_by_test_id("licence").inner_text() == "FDO-۱۴۰۴-۹۹۱۱"
    assert sum(sizes.values()) <= 30 * 1024, sizes
    assert sorted(url.split("/", 3)[-1] for url in sizes) == ["static/css/verify.css", f"v/{code.code}/"]
    _fits_phone(page)
    screenshot(page, "showcase-scan-green-fa-phone")

    licence.expiry_date = timezone.localdate() - datetime.timedelta(days=1)
    licence.save()
    page.reload()
    assert page.get_by_test_id("verdict").get_attribute("data-state") == "red"
    screenshot(page, "showcase-scan-red-fa-phone")

    # the product is in the showcase, and no longer under "licence valid today"
    page.goto("/showcase/")
    assert page.get_by_test_id("showcase-card").count() == 1
    _fits_phone(page)
    screenshot(page, "showcase-list-fa-phone")
    page.goto("/showcase/?licensed=on")
    assert page.get_by_test_id("showcase-card").count() == 0
    assert page.console_errors == []


def test_visitor_on_a_desktop_in_english(seed_data, actors, browser, live_server):  # noqa: F811
    listing = factories.listing(actors.a, actors.member_a, photos=3, name="Qazvin baklava")
    factories.licence(actors.a, [listing.product])
    factories.listing(actors.b, actors.member_b, photos=1, name="Home chickpea cookies")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    desktop = context.new_page()
    desktop.goto("/showcase/")
    assert desktop.locator("html").get_attribute("dir") == "ltr"
    assert desktop.get_by_test_id("showcase-card").count() == 2
    screenshot(desktop, "showcase-list-en-desktop")
    with desktop.expect_navigation():
        desktop.get_by_role("link", name="Qazvin baklava").click()
    assert desktop.get_by_test_id("licence-state").inner_text().startswith("A manufacturing health licence")
    assert desktop.locator("[data-testid=gallery] img").count() == 3
    screenshot(desktop, "showcase-detail-en-desktop")
    code = factories.batch(listing, actors.member_a).codes.first()
    desktop.context.clear_cookies()
    response = desktop.goto(f"/v/{code.code}/")
    assert desktop.get_by_test_id("verdict").get_attribute("data-state") == "green"
    assert "set-cookie" not in response.headers and desktop.context.cookies() == []
    screenshot(desktop, "showcase-scan-green-en-desktop")
    context.close()
