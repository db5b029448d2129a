"""The permits journey in Chromium: a home producer opens a case and uploads a PDF, estates
staff record the deficiency notice, the case is issued, and the staff dashboard reflects it.
Screenshots (fa/en, phone/desktop) go to test-artifacts/."""

import jdatetime
import pytest
from django.utils import timezone

from conftest import give_totp_device
from permits.models import CaseDocument, Permit, PermitCase
from permits.tests import factories
from tests.browser import browser, login, page, screenshot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_phone(phone):
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_home_producer_case_to_issued_permit(seed_data, actors, page, browser, live_server, tmp_path):  # noqa: F811
    # -- the home producer (member B) on a phone, in Persian -------------------------------------
    factories.grant_prerequisites(actors.b, "home_business")  # health card and hygiene certificate
    login(page, actors.member_b.mobile)
    page.goto("/permits/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator(".permits-needs [data-type=home_business]").count() == 1
    _fits_phone(page)
    screenshot(page, "permits-home-fa-phone")

    page.goto(f"/permits/?type={factories.permit_type('home_business').pk}#open-case")
    with page.expect_navigation():
        page.click("#open-case button[type=submit]")
    case = PermitCase.objects.get(member=actors.b)
    assert page.url.split("#")[0] == f"{live_server.url}/permits/{case.pk}/"
    assert case.permit_type.code == "home_business"

    pdf = tmp_path / "home-deed.pdf"
    pdf.write_bytes(factories.pdf_bytes("lease of the home"))
    page.fill("#id_title", "اجاره‌نامه منزل")
    page.set_input_files("#id_file", str(pdf))
    with page.expect_navigation():
        page.click("#documents button[type=submit]")
    assert page.locator(".case-documents li").count() == 1
    assert CaseDocument.objects.get().case_id == case.pk

    # tick an item on the checklist (htmx swaps the row)
    first_item = page.locator(".case-checklist .checklist-item").first
    first_item.locator("button").click()
    page.wait_for_selector(".case-checklist .checklist-item button[aria-pressed=true]")

    page.select_option("#id_step", "preparing")
    with page.expect_navigation():
        page.click("#advance button[type=submit]")
    page.select_option("#id_step", "submitted")
    page.fill("#id_tracking_code", "۱۴۰۴-KH-۲۲۰۱۹")
    with page.expect_navigation():
        page.click("#advance button[type=submit]")
    assert page.get_by_test_id("tracking-code").inner_text() == "۱۴۰۴-KH-۲۲۰۱۹"
    _fits_phone(page)
    screenshot(page, "permits-case-fa-phone")
    assert page.console_errors == []

    # -- estates staff on a desktop record the deficiency notice ---------------------------------
    staff_context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    staff_page = staff_context.new_page()
    staff_errors = []
    staff_page.on("console", lambda message: staff_errors.append(message.text) if message.type == "error" else None)
    login(staff_page, actors.staff.mobile, otp_device=give_totp_device(actors.staff))
    staff_page.goto(f"/permits/{case.pk}/")
    staff_page.select_option("#id_step", "deficiency")
    staff_page.fill("#id_note", "تأییدیه جهاد کشاورزی پیوست نشده است.")
    with staff_page.expect_navigation():
        staff_page.click("#advance button[type=submit]")
    assert staff_page.locator(".case-timeline-step.is-current").get_attribute("data-step") == "deficiency"
    screenshot(staff_page, "permits-case-staff-fa-desktop")

    # -- the member answers the notice and records the issued permit ----------------------------
    page.reload()
    assert page.locator(".case-step").first.get_attribute("data-step") == "deficiency"
    # submitted again after the notice: the natural next step, chosen already
    assert page.locator("#id_step").input_value() == "submitted"
    page.fill("#id_note", "تأییدیه جهاد بارگذاری و دوباره ثبت شد.")
    with page.expect_navigation():
        page.click("#advance button[type=submit]")
    assert page.locator(".case-timeline-step.is-current").get_attribute("data-step") == "submitted"

    today = jdatetime.date.fromgregorian(date=timezone.localdate())
    page.fill("#id_number", "KH-1404-0099")
    page.fill("#id_issue_date", f"{today.year}/{today.month:02d}/{today.day:02d}")
    page.press("#id_number", "Enter")  # submits the issue form (the Jalali picker may cover the button)
    page.wait_for_load_state()
    assert page.locator(".issued-permit").count() == 1
    permit = Permit.objects.get(member=actors.b, case=case)
    assert (permit.number, permit.issue_date, permit.expiry_date) == ("KH-1404-0099", timezone.localdate(), None)
    _fits_phone(page)
    screenshot(page, "permits-issued-fa-phone")

    # -- the staff dashboard reflects it --------------------------------------------------------
    staff_page.goto("/permits/dashboard/")
    row = staff_page.locator(".permits-by-type tr[data-type=home_business] td")
    assert row.first.inner_text() == "۱"  # valid
    assert staff_page.get_by_test_id("home-without").inner_text() == "۰"
    screenshot(staff_page, "permits-dashboard-fa-desktop")
    assert staff_errors == []

    # English, on the phone
    page.goto("/permits/")
    page.click("button.navbar-toggler")
    page.locator("#main-nav.show").wait_for()  # the menu has finished opening
    with page.expect_navigation():
        page.click("[data-testid=lang-switch]")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.locator(".permit-card .permit-state").first.inner_text() == "Valid"
    _fits_phone(page)
    screenshot(page, "permits-home-en-phone")
    staff_context.close()


def test_staff_dashboard_on_a_phone_in_english(seed_data, actors, page):  # noqa: F811
    factories.permit(actors.a, "business_licence", number="BL-5", issue_days_ago=400, expiry_in=5)
    login(page, actors.staff.mobile, otp_device=give_totp_device(actors.staff))
    page.goto("/permits/dashboard/")
    page.click("button.navbar-toggler")
    page.locator("#main-nav.show").wait_for()  # the menu has finished opening
    with page.expect_navigation():
        page.click("[data-testid=lang-switch]")
    assert page.get_by_test_id("in-7").inner_text() == "1"
    _fits_phone(page)
    screenshot(page, "permits-dashboard-en-phone")
    assert page.console_errors == []
