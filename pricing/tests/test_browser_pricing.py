"""The main journey in a browser: a member submits «۱۲۵٬۰۰۰» → the union head accepts → the
staff close and publish the round → the member sees its percentile and the band."""

import pytest

from catalogue.models import Product
from conftest import PASSWORD, give_totp_device, make_member, make_user
from members.roles import ESTATES_STAFF, UNION_HEAD
from pricing.models import PriceRound, PriceSubmission
from pricing.tests.factories import make_members, make_open_round, make_submission
from tests.browser import browser, login, page, screenshot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(tab, mobile):
    tab.goto("/accounts/login/")
    tab.fill("input[name=username]", mobile)
    tab.fill("input[name=password]", PASSWORD)
    with tab.expect_navigation():
        tab.click("button[type=submit].btn-primary")


def _new_page(chromium, live_server, *, width=360, height=740):
    context = chromium.new_context(viewport={"width": width, "height": height}, base_url=live_server.url)
    new = context.new_page()
    new.console_errors = []
    new.on("console", lambda message: new.console_errors.append(message.text) if message.type == "error" else None)
    return new


def test_member_submits_union_head_accepts_member_sees_percentile_and_band(page, browser, live_server, settings):  # noqa: F811
    price_round = make_open_round(1405, 8)
    for member, toman in zip(make_members(5), [100_000, 110_000, 120_000, 130_000, 140_000], strict=True):
        make_submission(member=member, price_round=price_round, toman=toman, status="accepted", cost_flour=300_000)
    user = make_user("09121110001", "رضا کریمی")
    member = make_member(user, national_id="0012345679", number=10)
    head_device = give_totp_device(make_user("09121110020", "محمد قزوینی", groups=[UNION_HEAD]))
    staff_device = give_totp_device(make_user("09121110010", "زهرا صالحی", groups=[ESTATES_STAFF], is_staff=True))

    # 1. The member submits «۱۲۵٬۰۰۰» Toman on a phone.
    _login(page, "۰۹۱۲۱۱۱۰۰۰۱")
    page.goto("/prices/submit/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.select_option("select[name=product]", label="باقلوا")
    page.fill("input[name=price]", "۱۲۵٬۰۰۰")
    screenshot(page, "pricing-submit-fa-phone")
    page.click("[data-testid=save-price]")
    page.wait_for_url(f"{live_server.url}/prices/")
    card = page.locator("[data-testid=current-submission]")
    assert card.count() == 1
    assert "۱۲۵٬۰۰۰ تومان" in card.inner_text()
    assert "ثبت‌شده" in card.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "pricing-my-prices-fa-phone")
    submission = PriceSubmission.objects.get(member=member)
    assert submission.price_rial == 1_250_000

    # 2. The union head accepts it.
    head = _new_page(browser, live_server)
    login(head, "09121110020", otp_device=head_device)
    head.goto("/prices/review/")
    assert head.locator("[data-testid=review-row]").count() == 1  # the queue shows submitted prices
    assert head.input_value("#bulk-review select[name=decision]") == ""  # no default decision
    screenshot(head, "pricing-review-fa-phone")
    with head.expect_navigation():
        head.click(f"[data-testid=accept-{submission.pk}]")
    assert "تصمیم برای ۱ قیمت ثبت شد." in head.locator(".alert").first.inner_text()
    assert head.locator("[data-testid=queue-empty]").count() == 1
    submission.refresh_from_db()
    assert submission.status == "accepted"
    assert head.console_errors == []

    # 3. The estates staff close the round and publish its bands (desktop).
    staff = _new_page(browser, live_server, width=1280, height=900)
    login(staff, "09121110010", otp_device=staff_device)
    staff.goto(f"/prices/report/?round={price_round.pk}")
    with staff.expect_navigation():
        staff.click("[data-testid=close-round]")
    assert staff.locator("[data-testid=round-status]").inner_text() == "بسته"
    with staff.expect_navigation():
        staff.click("[data-testid=publish-round]")
    assert staff.locator("[data-testid=round-status]").inner_text() == "منتشرشده"
    assert staff.locator("#history-chart canvas").is_visible()
    staff.wait_for_function("document.querySelector('#history-chart canvas').chart !== undefined")
    screenshot(staff, "pricing-report-fa-desktop")
    assert staff.console_errors == []
    price_round.refresh_from_db()
    assert price_round.status == PriceRound.Status.PUBLISHED

    # 4. The member sees its own price beside the published band (rounded to 1,000 Toman).
    page.goto("/prices/")
    position = page.locator("[data-testid=position]").first.inner_text()
    assert "۱۱۳٬۰۰۰ تومان – ۱۲۹٬۰۰۰ تومان" in position  # Q1 112,500 and Q3 128,750 Toman, rounded
    assert "قیمت شما در نیمه میانی است." in position
    screenshot(page, "pricing-position-fa-phone")
    page.goto("/prices/bands/")
    band = page.locator("[data-testid=band]").first
    assert band.locator("[data-testid=band-median]").inner_text() == "۱۲۳٬۰۰۰ تومان"  # 122,500 rounded
    assert "۱۰۰٬۰۰۰" not in page.content() and "۱۴۰٬۰۰۰" not in page.content()  # never min/max
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "pricing-bands-fa-phone")
    assert page.console_errors == []

    # The same pages in English, on a desktop.
    english = _new_page(browser, live_server, width=1280, height=900)
    _login(english, "09121110001")
    with english.expect_navigation():
        english.click("[data-testid=lang-switch]")
    english.goto("/prices/bands/")
    assert english.locator("html").get_attribute("dir") == "ltr"
    assert english.locator("[data-testid=band-median]").first.inner_text() == "123,000 Toman"
    screenshot(english, "pricing-bands-en-desktop")
    english.goto("/prices/")
    assert "Yours is within the middle half." in english.locator("[data-testid=position]").first.inner_text()
    screenshot(english, "pricing-my-prices-en-desktop")
    english.goto("/prices/submit/")
    screenshot(english, "pricing-submit-en-desktop")
    assert english.console_errors == []


def test_toman_or_rial_question_keeps_what_was_typed(page, live_server, settings):  # noqa: F811
    make_open_round(1405, 8)
    Product.objects.filter(slug="baklava").update(
        plausible_min_per_kg_rial=2_000_000, plausible_max_per_kg_rial=30_000_000
    )
    user = make_user("09121110002", "مریم احمدی")
    make_member(user, national_id="0023456787", number=11)
    _login(page, "09121110002")
    page.goto("/prices/submit/")
    page.select_option("select[name=product]", label="باقلوا")
    page.fill("input[name=price]", "۹٬۰۰۰٬۰۰۰")
    with page.expect_navigation():
        page.click("[data-testid=save-price]")
    assert page.locator("[data-testid=unit-question]").is_visible()
    assert page.input_value("input[name=price]") == "۹٬۰۰۰٬۰۰۰"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "pricing-toman-or-rial-fa-phone")
    page.check("input[name=confirm_unit]")
    page.click("[data-testid=save-price]")
    page.wait_for_url(f"{live_server.url}/prices/")
    assert PriceSubmission.objects.get(member__mobile="09121110002").price_rial == 90_000_000
