# ruff: noqa: F811 (pytest fixtures imported from tests.browser are parameters here)
"""The membership journey in a real browser at phone width: a home producer applies with
Persian digits, the estates staff approve in the admin, the member signs in and sees the
dashboard; then the directory in fa and en."""

import io
import re

import pytest
from PIL import Image

from catalogue.models import Product
from conftest import give_totp_device, make_user
from core import sms
from members.models import Member
from members.roles import ESTATES_STAFF
from members.tests.factories import active_member, give_logo
from tests.browser import browser, login, page, screenshot  # noqa: F401 (fixtures)

# serialized_rollback: the flush after a transactional test must not take away the rows data
# migrations made (groups, products) from the tests that run after this one.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Shirini-1405-nastaran"


def _product(slug, name_fa, name_en, order):
    # Transactional tests empty the tables between tests: data migrations' rows may be gone.
    product, _ = Product.objects.get_or_create(
        slug=slug, defaults={"name_fa": name_fa, "name_en": name_en, "sort_order": order}
    )
    return product


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 400), "#c08a3e").save(buffer, "PNG")
    return buffer.getvalue()


def _new_page(browser, live_server, width=360, height=740):
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=live_server.url)
    new = context.new_page()
    errors = []
    new.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    new.console_errors = errors
    return new


def _no_wider_than_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_apply_approve_and_see_the_dashboard(page, browser, live_server):
    _product("baklava", "باقلوا", "Baklava", 10)
    _product("rice-cookies", "نان برنجی", "Rice cookies", 20)
    staff = make_user("09120000010", "زهرا صالحی", groups=[ESTATES_STAFF], is_staff=True)
    device = give_totp_device(staff)

    # 1. A visitor applies as a home producer, typing Persian digits.
    page.goto("/members/join/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.check("#id_kind_1")  # home-based
    page.fill("#id_business_name", "شیرینی خانگی نسترن")
    page.fill("#id_owner_name", "نسترن احمدی")
    page.fill("#id_owner_national_id", "۰۰۱۲۳۴۵۶۷۹")
    page.fill("#id_mobile", "۰۹۱۲ ۱۱۱ ۲۲۳۳")
    page.select_option("#id_county", "takestan")
    page.fill("#id_address", "تاکستان، کوچه نسترن، پلاک ۸")
    page.fill("#id_postal_code", "۳۴۸۱۷۴۶۳۱۹")
    page.get_by_label("باقلوا").check()
    page.fill("#id_monthly_capacity_kg", "۸۰")
    page.fill("#id_workers_count", "۲")
    page.set_input_files("#id_logo", files=[{"name": "logo.png", "mimeType": "image/png", "buffer": _png()}])
    page.fill("#id_full_name", "نسترن احمدی")
    page.fill("#id_user_mobile", "۰۹۱۲۱۱۱۲۲۳۳")
    page.fill("#id_password1", "wrong")  # a mismatch first: nothing typed is lost
    page.fill("#id_password2", PASSWORD)
    _no_wider_than_the_phone(page)
    screenshot(page, "members-join-fa-phone")
    with page.expect_navigation():
        page.click("[data-testid=join-form] button[type=submit]")
    assert page.locator("[data-testid=form-errors]").is_visible()
    assert page.input_value("#id_business_name") == "شیرینی خانگی نسترن"
    assert page.input_value("#id_owner_national_id") == "۰۰۱۲۳۴۵۶۷۹"
    screenshot(page, "members-join-error-fa-phone")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    # The logo was kept when the form came back (it need not be chosen again).
    assert "نشان شما نگه داشته شده است." in page.locator("#id_logo_helptext").inner_text()
    with page.expect_navigation():
        page.click("[data-testid=join-form] button[type=submit]")
    page.wait_for_url("**/members/join/verify/")
    # The applicant's number gets its code by SMS (the locmem backend's outbox here).
    code = re.findall(r"\b(\d{6})\b", [m["text"] for m in sms.outbox if m["to"] == "09121112233"][-1])[0]
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.click("[data-testid=code-submit]")
    page.wait_for_url("**/members/me/")
    assert "در انتظار تأیید" in page.locator("[data-testid=awaiting-approval]").inner_text()
    screenshot(page, "members-awaiting-fa-phone")
    member = Member.objects.get(owner_national_id="0012345679")
    assert (member.mobile, member.postal_code, member.status) == ("09121112233", "3481746319", "applied")

    # 2. The estates staff approve it in the admin.
    admin = _new_page(browser, live_server, width=1280, height=900)
    login(admin, "09120000010", otp_device=device, next="/admin/")
    admin.goto("/admin/members/member/?status__exact=applied")
    admin.check(f"input[name=_selected_action][value='{member.pk}']")
    admin.select_option("select[name=action]", "approve")
    with admin.expect_navigation():
        admin.click("button[name=index]")
    assert admin.locator(".messagelist").inner_text().strip() == "۱ عضو تأیید شد."  # Persian digits in the admin
    screenshot(admin, "members-admin-approved-desktop")
    member.refresh_from_db()
    assert (member.status, member.membership_number) == ("active", 1001)
    admin.context.close()

    # 3. The member signs in and sees the dashboard.
    member_page = _new_page(browser, live_server)
    login(member_page, "۰۹۱۲۱۱۱۲۲۳۳", PASSWORD)
    member_page.goto("/members/me/")
    assert member_page.locator("[data-testid=member-status]").first.inner_text() == "فعال"
    assert member_page.locator("[data-testid=membership-number]").inner_text() == "۱۰۰۱"
    assert "درخواست عضویت شما تأیید شد" in member_page.locator("[data-testid=dashboard-notifications]").inner_text()
    _no_wider_than_the_phone(member_page)
    screenshot(member_page, "members-dashboard-fa-phone")
    member_page.click("button.navbar-toggler")
    member_page.locator("#main-nav.show").wait_for()  # the menu has finished opening
    with member_page.expect_navigation():
        member_page.click("[data-testid=lang-switch]")
    assert member_page.locator("[data-testid=member-status]").first.inner_text() == "Active"
    assert member_page.locator("[data-testid=membership-number]").inner_text() == "1001"
    _no_wider_than_the_phone(member_page)
    screenshot(member_page, "members-dashboard-en-phone")
    with member_page.expect_navigation():
        member_page.click("text=Edit profile")
    member_page.wait_for_url("**/members/me/edit/")
    assert member_page.locator("#id_owner_national_id").is_disabled()
    member_page.fill("#id_workers_count", "3")
    with member_page.expect_navigation():
        member_page.click("[data-testid=profile-form] button[type=submit]")
    member_page.wait_for_url("**/members/me/")
    member.refresh_from_db()
    assert member.workers_count == 3
    member_page.goto("/members/me/edit/")
    _no_wider_than_the_phone(member_page)
    screenshot(member_page, "members-edit-en-phone")
    assert member_page.console_errors == []
    assert page.console_errors == []
    member_page.context.close()


def test_directory_in_both_languages_at_phone_width(page):
    baklava = _product("baklava", "باقلوا", "Baklava", 10)
    rice = _product("rice-cookies", "نان برنجی", "Rice cookies", 20)
    give_logo(active_member(business_name="شیرینی‌سرای کریمی", products=[baklava, rice], n=9001))
    active_member(
        business_name="شیرینی خانگی مریم",
        kind="home",
        guild_licence_number="",
        contact_public=False,
        address="نشانی محرمانه",
        products=[baklava],
        county="takestan",
        n=9002,
    )
    page.goto("/members/directory/")
    assert page.locator("[data-testid=directory-list] article").count() == 2
    _no_wider_than_the_phone(page)
    screenshot(page, "members-directory-fa-phone")
    page.fill("input[name=q]", "مريم")  # Arabic ي
    with page.expect_navigation():
        page.click("[data-testid=directory-filters] button[type=submit]")
    assert page.locator("[data-testid=directory-list] article").count() == 1
    with page.expect_navigation():
        page.click("[data-testid=directory-list] article a")
    assert "نشانی محرمانه" not in page.content()
    assert "تاکستان" in page.locator("[data-testid=directory-contact]").inner_text()
    _no_wider_than_the_phone(page)
    screenshot(page, "members-directory-detail-fa-phone")
    page.fill("#id_sender_name", "خریدار")
    page.fill("#id_sender_mobile", "۰۹۱۳۵۵۵۰۰۰۰")
    page.fill("#id_body", "برای نوروز ۱۰ کیلو باقلوا می‌خواهم.")
    with page.expect_navigation():
        page.click("[data-testid=contact-form] button[type=submit]")
    assert "پیام شما فرستاده شد" in page.locator(".alert").first.inner_text()
    page.goto("/members/directory/")
    page.click("button.navbar-toggler")
    page.locator("#main-nav.show").wait_for()  # the menu has finished opening
    with page.expect_navigation():
        page.click("[data-testid=lang-switch]")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert "Directory of members" in page.locator("h1").inner_text()
    _no_wider_than_the_phone(page)
    screenshot(page, "members-directory-en-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "members-directory-en-desktop")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/members/join/")
    screenshot(page, "members-join-en-phone")
    _no_wider_than_the_phone(page)
    assert page.console_errors == []
