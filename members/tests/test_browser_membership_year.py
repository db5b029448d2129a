# ruff: noqa: F811 (pytest fixtures imported from tests.browser are parameters here)
"""The membership year in a real browser: a member whose year ends in six days is reminded, sees
the days left and how to renew on the phone; the estates staff record the renewal in the admin
with the receipt's number; the dashboard then shows the next year and the history."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import give_totp_device, make_user
from members.models import MembershipYear
from members.roles import ESTATES_STAFF
from members.tests.factories import active_member
from tests.browser import browser, login, page, screenshot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_reminded_renewed_and_the_history_on_the_phone(page, browser, live_server):
    staff = make_user("09120000010", "زهرا صالحی", groups=[ESTATES_STAFF], is_staff=True)
    device = give_totp_device(staff)
    member = active_member(actor=staff, business_name="شیرینی خانگی نسترن", mobile="09121112233")
    today = timezone.localdate()
    MembershipYear.objects.filter(member=member).update(
        starts_on=today - datetime.timedelta(days=358), ends_on=today + datetime.timedelta(days=6)
    )
    call_command("check_membership_years")

    login(page, "09121112233", "test-pass-1405")
    page.goto("/members/me/")
    section = page.locator("[data-testid=membership-year]")
    assert section.get_attribute("data-state") == "soon"
    assert page.locator("[data-testid=membership-days-left]").inner_text().split() == ["۶", "روز", "مانده"]
    assert page.locator("[data-testid=renew-guidance]").is_visible()
    assert "عضویت شما ۶ روز دیگر به پایان می‌رسد" in page.locator("[data-testid=dashboard-notifications]").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    section.scroll_into_view_if_needed()
    screenshot(page, "members-year-reminded-fa-phone")

    admin = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url).new_page()
    login(admin, "09120000010", otp_device=device, next="/admin/")
    admin.goto("/admin/members/member/")
    admin.check(f"input[name=_selected_action][value='{member.pk}']")
    admin.select_option("select[name=action]", "renew")
    admin.click("button[name=index]")
    admin.fill("#id_fee_reference", "۸۸۲۴۵۱۰۹")
    admin.fill("#id_note", "واریز به حساب خوشه")
    screenshot(admin, "members-year-renew-admin-desktop")
    with admin.expect_navigation():
        admin.click("input[type=submit]")
    assert admin.locator(".messagelist").inner_text().strip() == "عضویت ۱ عضو تمدید شد."
    admin.context.close()

    page.goto("/members/me/")
    assert section.get_attribute("data-state") == "renewed"
    rows = page.locator("[data-testid=membership-history] tbody tr")
    assert rows.count() == 2
    assert "۸۸۲۴۵۱۰۹" in rows.first.inner_text()
    assert "عضویت شما تمدید شد" in page.locator("[data-testid=dashboard-notifications]").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    section.scroll_into_view_if_needed()
    screenshot(page, "members-year-renewed-fa-phone")
