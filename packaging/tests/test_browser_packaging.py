"""The joint-order journey in Chromium: three licensed members join a joint order on their
phones in Persian, the running total reaches the first and then the second price tier (each
member's page follows), estates staff close the order in the administration and download the
summary per member as XLSX. Screenshots go to test-artifacts/."""

import openpyxl
import pytest

from conftest import give_totp_device, make_member, make_user
from packaging.models import JointOrder
from packaging.tests import factories
from tests.browser import browser, login, page, screenshot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_phone(phone):
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def _join(chromium, live_server, user, order, quantity, shot):
    context = chromium.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url)
    phone = context.new_page()
    errors = []
    phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(phone, user.mobile)
    phone.goto("/packaging/")
    _fits_phone(phone)
    screenshot(phone, f"{shot}-list")
    with phone.expect_navigation():
        phone.locator(f".packaging-order[data-order='{order.pk}'] h3 a").click()
    phone.fill("#id_quantity", quantity)
    with phone.expect_navigation():
        phone.get_by_test_id("line-form").locator("button[type=submit]").click()
    standing = {key: phone.get_by_test_id(key).inner_text() for key in ("total", "tier", "next-tier", "my-cost")}
    _fits_phone(phone)
    screenshot(phone, shot)
    assert errors == []
    return context, phone, standing


def test_three_members_join_staff_close_and_download(seed_data, actors, page, browser, live_server, tmp_path):  # noqa: F811
    order = factories.order(title="جعبه مقوایی چاپی ۱ کیلویی")
    user_c = make_user("09130000004", "عضو ج")
    member_c = make_member(user_c, national_id="0034567895", number=3, business_name="قنادی ج")
    for member, number in ((actors.a, "FDO-1401-1111"), (actors.b, "FDO-1402-2222"), (member_c, "FDO-1403-3333")):
        factories.licence(member, number=number)

    context_a, phone_a, first = _join(browser, live_server, actors.member_a, order, "۲۵۰", "packaging-joined-fa-phone")
    assert first == {
        "total": "از پیوستن پنج عضو به بعد نشان داده می‌شود",  # fewer than five members: no total (test_disclosure)
        "tier": "هنوز هیچ",
        "next-tier": "هر جعبه ۹۵٬۰۰۰ تومان، از ۳۰۰ جعبه در مجموع",
        "my-cost": "۲۳٬۷۵۰٬۰۰۰ تومان\n۲۵۰ جعبه × ۹۵٬۰۰۰ تومان",
    }
    assert phone_a.get_by_test_id("to-minimum").inner_text() == "هنوز نرسیده"

    context_b, _phone_b, second = _join(
        browser, live_server, actors.member_b, order, "200", "packaging-tier-one-fa-phone"
    )
    assert second["total"] == "از پیوستن پنج عضو به بعد نشان داده می‌شود"
    assert second["tier"] == "از ۳۰۰ جعبه: هر جعبه ۹۵٬۰۰۰ تومان"
    assert second["next-tier"] == "هر جعبه ۸۰٬۰۰۰ تومان، از ۶۰۰ جعبه در مجموع"
    context_b.close()

    context_c, phone_c, third = _join(browser, live_server, user_c, order, "۲۰۰", "packaging-tier-two-fa-phone")
    assert third["total"] == "از پیوستن پنج عضو به بعد نشان داده می‌شود"
    assert third["tier"] == "از ۶۰۰ جعبه: هر جعبه ۸۰٬۰۰۰ تومان"
    assert third["next-tier"] == "هر جعبه ۷۰٬۰۰۰ تومان، از ۱٬۰۰۰ جعبه در مجموع"
    assert third["my-cost"].startswith("۱۶٬۰۰۰٬۰۰۰ تومان")
    assert phone_c.get_by_test_id("current-tier").inner_text().startswith("از ۶۰۰")
    context_c.close()

    # member A's cost followed the total without A doing anything; A was told of the new price
    phone_a.reload()
    assert phone_a.get_by_test_id("my-cost").inner_text().startswith("۲۰٬۰۰۰٬۰۰۰ تومان")
    phone_a.goto("/notifications/")
    assert "هر جعبه ۸۰٬۰۰۰ تومان" in phone_a.content()

    # -- estates staff close the order in the administration and download the summary ----------
    login(page, actors.staff.mobile, otp_device=give_totp_device(actors.staff))
    page.goto("/admin/packaging/jointorder/")
    page.check(f"input[name=_selected_action][value='{order.pk}']")
    page.select_option("select[name=action]", "close")
    with page.expect_navigation():
        page.locator("button[name=index]").click()
    order.refresh_from_db()
    assert order.status == JointOrder.Status.CLOSED
    screenshot(page, "packaging-admin-closed-fa-phone")
    page.goto(f"/packaging/{order.pk}/")
    assert page.get_by_test_id("order-status").get_attribute("data-status") == "closed"
    assert page.get_by_test_id("lines").locator("tbody tr").count() == 3
    _fits_phone(page)
    screenshot(page, "packaging-staff-order-fa-phone")
    with page.expect_download() as info:
        page.get_by_test_id("summary-xlsx").click()
    path = tmp_path / "summary.xlsx"
    info.value.save_as(path)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert [(r[0], r[3], r[5], r[7]) for r in rows[1:]] == [
        (actors.a.business_name, "FDO-1401-1111", 250, 20_000_000),
        (actors.b.business_name, "FDO-1402-2222", 200, 16_000_000),
        ("قنادی ج", "FDO-1403-3333", 200, 16_000_000),
        ("جمع", None, 650, 52_000_000),
    ]

    # the member's page now says closed, no more form
    phone_a.goto(f"/packaging/{order.pk}/")
    assert phone_a.get_by_test_id("line-form").count() == 0
    assert "دیگر تغییر نمی‌پذیرد" in phone_a.get_by_test_id("why-not").inner_text()
    screenshot(phone_a, "packaging-closed-member-fa-phone")
    context_a.close()
    assert page.console_errors == []
