# ruff: noqa: F811 (pytest fixtures imported from tests.browser are parameters here)
"""Sign-in by SMS code and the application's number check in a real browser at 360 px, on the
locmem SMS backend (the code is read from its outbox): the countdown, a wrong code, the right
one, the authenticator still asked of staff, the lockout warning, and the pages without
JavaScript. Screenshots in test-artifacts/."""

import re
import secrets

import pytest

from conftest import PASSWORD, give_totp_device, make_user, totp_unused
from core import sms
from members.models import Member, User
from members.roles import ESTATES_STAFF
from members.tests.test_browser_members import _png, _product
from tests.browser import browser, page, screenshot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MOBILE = "09121234567"


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def code_for(mobile):
    texts = [message["text"] for message in sms.outbox if message["to"] == mobile]
    assert texts, f"no SMS to {mobile}"
    return re.findall(r"\b(\d{6})\b", texts[-1])[0]


def no_wider_than_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def click_and_wait(page, selector):
    with page.expect_navigation():
        page.click(selector)


def test_member_signs_in_by_sms_code_on_a_phone(page):
    mobile = f"0912{secrets.randbelow(10**7):07d}"  # its own: django-axes' counts may live in a shared Redis
    persian = mobile.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    user = make_user(mobile, "رضا کریمی")
    page.goto("/accounts/login/")
    page.fill("input[name=username]", f"{persian[:4]} {persian[4:7]} {persian[7:]}")
    screenshot(page, "sms-login-page-fa-phone")
    click_and_wait(page, "[data-testid=send-code]")
    page.wait_for_url("**/accounts/login/code/verify/")
    step = page.locator("[data-testid=code-step]")
    assert persian in step.inner_text()
    # The countdown runs (Persian digits) and the resend button waits for it.
    assert page.locator("[data-resend]").is_disabled()
    assert re.fullmatch(r"[۰-۹]:[۰-۹]{2}", page.locator("[data-countdown]").inner_text())
    assert page.locator("input[name=code]").get_attribute("autocomplete") == "one-time-code"
    no_wider_than_the_phone(page)
    screenshot(page, "sms-login-code-fa-phone")
    code = code_for(mobile)
    page.fill("input[name=code]", f"{(int(code) + 1) % 10**6:06d}")
    click_and_wait(page, "[data-testid=code-submit]")
    assert page.locator(".invalid-feedback").inner_text() == "کد درست نیست. ۴ بار دیگر می‌توانید امتحان کنید."
    screenshot(page, "sms-login-wrong-code-fa-phone")
    page.fill("input[name=code]", code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")))
    click_and_wait(page, "[data-testid=code-submit]")
    page.wait_for_url(lambda url: url.endswith("/"))
    assert page.context.cookies() and User.objects.get(pk=user.pk).last_login is not None
    page.goto("/notifications/")
    assert page.url.endswith("/notifications/")
    assert page.console_errors == []


def test_staff_signed_in_by_code_still_gives_the_authenticator(page):
    staff = make_user("09120000010", "زهرا صالحی", groups=[ESTATES_STAFF], is_staff=True)
    device = give_totp_device(staff)
    page.goto("/accounts/login/code/?next=/admin/")
    page.fill("input[name=username]", "09120000010")
    click_and_wait(page, "[data-testid=send-code]")
    page.fill("input[name=code]", code_for("09120000010"))
    click_and_wait(page, "[data-testid=code-submit]")
    page.wait_for_url("**/accounts/2fa/verify/**")
    screenshot(page, "sms-login-staff-2fa-fa-phone")
    page.fill("input[name=code]", totp_unused(device))
    click_and_wait(page, "button[type=submit].btn-primary")
    page.wait_for_url("**/admin/")
    assert page.console_errors == []


def test_login_page_warns_from_the_third_failure(page):
    # A number of its own: a shared Redis keeps django-axes' counts across runs (same address).
    mobile = f"0912{secrets.randbelow(10**7):07d}"
    make_user(mobile, "رضا کریمی")
    page.goto("/accounts/login/")
    for _ in range(3):
        page.fill("input[name=username]", mobile)
        page.fill("input[name=password]", "wrong-password")
        click_and_wait(page, "button[type=submit].btn-primary")
    warning = page.locator("[data-testid=attempts-left]")
    assert warning.inner_text() == (
        "۲ بار دیگر می‌توانید امتحان کنید؛ پس از آن ورود با این شماره از اتصال شما ۱۵ دقیقه قفل می‌شود."
    )
    no_wider_than_the_phone(page)
    screenshot(page, "login-attempts-left-fa-phone")


def test_code_pages_work_without_javascript(browser, live_server):
    make_user(MOBILE, "رضا کریمی")
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/accounts/login/code/")
    page.fill("input[name=username]", MOBILE)
    click_and_wait(page, "[data-testid=send-code]")
    # Without the countdown script the button is there and the server says how long to wait.
    assert page.locator("[data-resend]").is_enabled()
    click_and_wait(page, "[data-resend]")
    assert "ثانیه دیگر می‌توانید بخواهید" in page.locator(".alert").first.inner_text()
    page.fill("input[name=code]", code_for(MOBILE))
    click_and_wait(page, "[data-testid=code-submit]")
    assert page.url == live_server.url + "/"
    screenshot(page, "sms-login-no-js-home-fa-phone")
    context.close()


def test_code_page_in_english(page):
    make_user(MOBILE, "Reza Karimi")
    page.goto("/accounts/login/code/")
    page.click("button.navbar-toggler")
    page.locator("#main-nav.show").wait_for()  # the menu has finished opening
    click_and_wait(page, "[data-testid=lang-switch]")
    page.fill("input[name=username]", MOBILE)
    click_and_wait(page, "[data-testid=send-code]")
    assert (
        "We sent a 6-digit verification code by SMS to 09121234567."
        in page.locator("[data-testid=code-step]").inner_text()
    )
    assert re.fullmatch(r"\d:\d{2}", page.locator("[data-countdown]").inner_text())
    no_wider_than_the_phone(page)
    screenshot(page, "sms-login-code-en-phone")
    assert page.console_errors == []


def test_application_waits_for_the_code_and_keeps_everything(page):
    _product("baklava", "باقلوا", "Baklava", 10)
    page.goto("/members/join/")
    page.check("#id_kind_1")
    page.fill("#id_business_name", "شیرینی خانگی یاس")
    page.fill("#id_owner_name", "یاسمن کریمی")
    page.fill("#id_owner_national_id", "۰۰۱۲۳۴۵۶۷۹")
    page.fill("#id_mobile", "۰۹۱۲ ۳۴۵ ۶۷۸۹")
    page.select_option("#id_county", "takestan")
    page.fill("#id_address", "تاکستان، کوچه یاس، پلاک ۴")
    page.get_by_label("باقلوا").check()
    page.set_input_files("#id_logo", files=[{"name": "logo.png", "mimeType": "image/png", "buffer": _png()}])
    page.fill("#id_full_name", "یاسمن کریمی")
    page.fill("#id_user_mobile", "۰۹۱۲۰۰۰۱۱۱۱")  # a typo: the code goes to the wrong phone
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    click_and_wait(page, "[data-testid=join-form] button[type=submit]")
    page.wait_for_url("**/members/join/verify/")
    assert "۰۹۱۲۰۰۰۱۱۱۱" in page.locator("[data-testid=code-step]").inner_text()
    no_wider_than_the_phone(page)
    screenshot(page, "join-verify-fa-phone")
    # Back to the form: everything typed is there, the logo and password are kept.
    click_and_wait(page, "[data-testid=change-number]")
    assert page.input_value("#id_business_name") == "شیرینی خانگی یاس"
    assert page.input_value("#id_owner_national_id") == "۰۰۱۲۳۴۵۶۷۹"
    assert page.input_value("#id_address") == "تاکستان، کوچه یاس، پلاک ۴"
    assert page.get_by_label("باقلوا").is_checked()
    assert "نشان شما نگه داشته شده است." in page.locator("#id_logo_helptext").inner_text()
    assert "گذرواژه‌ای که انتخاب کردید نگه داشته شده است." in page.locator("#id_password1_helptext").inner_text()
    screenshot(page, "join-back-to-form-fa-phone")
    page.fill("#id_user_mobile", "۰۹۱۲۳۴۵۶۷۸۹")
    click_and_wait(page, "[data-testid=join-form] button[type=submit]")
    page.wait_for_url("**/members/join/verify/")
    page.fill("input[name=code]", code_for("09123456789"))
    click_and_wait(page, "[data-testid=code-submit]")
    page.wait_for_url("**/members/me/")
    member = Member.objects.get(owner_national_id="0012345679")
    assert member.logo and User.objects.get(mobile="09123456789").check_password(PASSWORD)
    screenshot(page, "join-sent-fa-phone")
    assert page.console_errors == []
