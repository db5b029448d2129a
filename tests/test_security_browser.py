"""Two-step sign-in in a real browser: an estates expert sets up the authenticator on a phone,
saves the recovery codes, signs out and back in with a code; the pages obey the CSP (no console
errors) and fit a 360 px screen."""

import pytest
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD, give_totp_device, make_user, totp_now
from members.roles import ESTATES_STAFF
from tests.browser import browser, login, page, screenshot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_sets_up_two_step_sign_in_on_a_phone_then_signs_in_with_a_code(page, live_server, settings):
    settings.TWO_FACTOR_REQUIRED = True
    Group.objects.get_or_create(name=ESTATES_STAFF)  # transactional tests flush the migration's groups
    staff = make_user("09121110010", "مریم کارشناس", groups=[ESTATES_STAFF], is_staff=True)
    login(page, "۰۹۱۲۱۱۱۰۰۱۰", next="/admin/")
    page.wait_for_url("**/accounts/2fa/setup/**")
    assert page.locator("h1").inner_text() == "راه‌اندازی ورود دومرحله‌ای"
    assert page.locator("img.twofactor-qr").evaluate("img => img.naturalWidth > 0")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "twofactor-setup-fa-phone")
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    code = totp_now(device)
    page.fill("input[name=code]", code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")))
    page.click("button[type=submit].btn-primary")
    page.wait_for_url("**/accounts/2fa/recovery/**")
    codes = page.locator("[data-testid=recovery-codes] bdi").all_inner_texts()
    assert len(codes) == 10
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "twofactor-recovery-fa-phone")
    page.click("text=ذخیره کردم، ادامه")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.console_errors == []
    # Sign out and back in: password, then the code from the app.
    page.context.clear_cookies()
    device.refresh_from_db()
    login(page, "09121110010", otp_device=device, next="/admin/")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.console_errors == []


def test_code_page_on_a_desktop_in_english(browser, live_server, settings):
    settings.TWO_FACTOR_REQUIRED = True
    union_head = make_user("09121110020", "Union head")
    union_head.groups.add(Group.objects.get_or_create(name="union_head")[0])
    device = give_totp_device(union_head)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto("/accounts/login/?next=/notifications/")
    page.fill("input[name=username]", "09121110020")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url("**/accounts/2fa/verify/**")
    assert page.locator("h1").inner_text() == "Two-step sign-in"
    assert page.locator("html").get_attribute("dir") == "ltr"
    page.fill("input[name=code]", "000000")
    page.click("button[type=submit].btn-primary")
    assert "The code is not correct" in page.locator(".invalid-feedback, .alert-danger").first.inner_text()
    screenshot(page, "twofactor-verify-en-desktop")
    device.throttle_reset()
    page.fill("input[name=code]", totp_now(device))
    page.click("button[type=submit].btn-primary")
    page.wait_for_url("**/notifications/")
    assert errors == []
    context.close()
