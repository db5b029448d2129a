"""The cluster's page and its indicators on a phone (360 px, Persian): the endorsed plan with
its status badges and Jalali due dates; the indicators of a stored past quarter with their
charts (RTL, Persian digits) and tables; the union head sees the staff-only ones and the export."""

import pytest

from conftest import give_totp_device
from plan import services
from plan.quarters import Quarter
from plan.tests import factories as f
from plan.tests.test_indicators import _members
from tests.browser import browser, login, page, screenshot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUMMER = Quarter(1404, 2)


def _fits_phone(phone):
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_plan_and_indicators_on_a_phone(actors, page, browser, live_server):  # noqa: F811
    commitment = f.commitment(f.event(), due=f.day(1405, 10, 1), created=f.at(1405, 1, 1))
    f.plan_with_actions(commitment=commitment)
    _members()
    ev = f.event()
    f.question(ev, actors.member_a, asked=f.at(1404, 4, 2), answered_at=f.at(1404, 4, 2))
    f.question(ev, actors.member_a, asked=f.at(1404, 4, 3))
    f.commitment(ev, due=f.day(1404, 5, 1), created=f.at(1404, 1, 1), done_at=f.at(1404, 4, 20))
    services.quarter_store(quarter=SUMMER)

    page.goto("/cluster/")
    assert page.get_by_test_id("endorsed").inner_text() == "تصویب‌شده در ۱۰ اردیبهشت ۱۴۰۵ توسط شورای خوشه"
    assert "عقب‌افتاده" in page.locator(".plan-action").first.inner_text()
    _fits_phone(page)
    screenshot(page, "plan-home-fa-phone")

    page.get_by_test_id("indicators-link").click()
    page.select_option("#id_q", SUMMER.key)
    with page.expect_navigation():
        page.get_by_role("button", name="نمایش").click()
    assert page.get_by_test_id("as-of").inner_text().startswith("تابستان ۱۴۰۴، تا آخرین روز آن، ۳۱ شهریور ۱۴۰۴.")
    assert page.get_by_test_id("indicator-price_reporting").count() == 0
    members = page.get_by_test_id("indicator-members")
    assert members.locator("tbody tr").last.inner_text().split() == ["همه", "۱", "۱", "۱", "۰", "۰"]
    assert page.locator("canvas.js-plan-chart").count() >= 2
    page.wait_for_function("Chart.getChart(document.getElementById('chart-members')) !== undefined")
    ticks = page.evaluate(
        "(() => { const c = Chart.getChart(document.getElementById('chart-members'));"
        " return c.scales.y.ticks.map(t => t.label); })()"
    )
    assert ticks and all(not any(ch in "0123456789" for ch in str(t)) for t in ticks)
    _fits_phone(page)
    screenshot(page, "plan-indicators-fa-phone")
    assert page.console_errors == []

    # the union head sees every indicator and the export
    login(page, actors.union_head.mobile, otp_device=give_totp_device(actors.union_head))
    page.goto(f"/cluster/indicators/?q={SUMMER.key}")
    assert page.get_by_test_id("indicator-price_reporting").count() == 1
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    assert download.value.suggested_filename == "cluster-indicators-1404-2.xlsx"
    _fits_phone(page)
    screenshot(page, "plan-indicators-union-head-fa-phone")
    # the same page on a desktop
    desktop = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    wide = desktop.new_page()
    wide.goto(f"/cluster/indicators/?q={SUMMER.key}")
    screenshot(wide, "plan-indicators-fa-desktop")
    desktop.close()
