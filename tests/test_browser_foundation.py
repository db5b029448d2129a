import pytest

from conftest import PASSWORD, make_user
from tests.browser import browser, page, screenshot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_with_persian_digits_then_switch_to_english(page, live_server):
    make_user("09121234567", "رضا کریمی")
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "fa"
    page.fill("input[name=username]", "۰۹۱۲۱۲۳۴۵۶۷")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit].btn-primary")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "خوشه شیرینی سنتی قزوین" in page.locator("h1").inner_text()
    # The Persian font is applied.
    assert "Vazirmatn" in page.evaluate("getComputedStyle(document.body).fontFamily")
    screenshot(page, "home-fa-phone")
    # Language switch (in the collapsed phone menu).
    page.click("button.navbar-toggler")
    page.locator("#main-nav.show").wait_for()  # the menu has finished opening
    with page.expect_navigation():
        page.click("[data-testid=lang-switch]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Qazvin Traditional-Sweets Cluster" in page.locator("h1").inner_text()
    screenshot(page, "home-en-phone")
    assert page.console_errors == []  # no CSP violations, no script errors


def test_wrong_password_keeps_the_typed_number(page):
    make_user("09121234567", "رضا کریمی")
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "۰۹۱۲۱۲۳۴۵۶۷")
    page.fill("input[name=password]", "wrong-password")
    with page.expect_navigation():
        page.click("button[type=submit].btn-primary")
    assert page.locator(".alert-danger").inner_text().strip() == "شماره همراه یا گذرواژه درست نیست."
    assert page.input_value("input[name=username]") == "۰۹۱۲۱۲۳۴۵۶۷"
    # Nothing wider than a 360 px phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
