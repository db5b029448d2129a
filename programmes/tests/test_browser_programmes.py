"""The programmes journey in Chromium: a member sees a call and is told why it does not qualify
(its manufacturing licence expired), the licence is renewed (through the permits services, as
staff would record it), the member qualifies, applies with a document, estates staff score
and accept it, and the member sees "accepted". Screenshots go to test-artifacts/."""

import datetime

import pytest
from django.utils import timezone

from catalogue.models import Product
from conftest import give_totp_device
from permits import services as permit_services
from permits.models import CaseStepKind
from permits.tests import factories as permit_factories
from programmes.models import Application
from programmes.tests import factories
from tests.browser import browser, login, page, screenshot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_phone(phone):
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def _renew(expired, staff):
    """What estates staff record when the authority renews the licence."""
    case = permit_services.permit_case_open(
        member=expired.member,
        actor=staff,
        permit_type=expired.permit_type,
        renewal_of=expired,
        product=Product.objects.get_or_create(slug="baklava", defaults={"name_fa": "باقلوا", "name_en": "Baklava"})[0],
    )
    permit_services.permit_case_advance(case=case, actor=staff, step=CaseStepKind.PREPARING)
    permit_services.permit_case_advance(case=case, actor=staff, step=CaseStepKind.SUBMITTED, tracking_code="FDO-R-77")
    today = timezone.localdate()
    return permit_services.permit_issue(
        case=case,
        actor=staff,
        number="FDO-1405-0912",
        issuer="معاونت غذا و دارو",
        issue_date=today,
        expiry_date=today + datetime.timedelta(days=5 * 365),
    )


def test_member_fixes_the_reason_applies_and_is_accepted(seed_data, actors, page, browser, live_server, tmp_path):  # noqa: F811
    expired = permit_factories.permit(
        actors.a, "manufacturing_licence", number="FDO-1399-7781", issue_days_ago=1830, expiry_in=-3
    )
    permit_factories.permit(actors.a, "business_licence", expiry_in=300)
    permit_factories.grant_prerequisites(actors.a, "manufacturing_licence")  # a renewal needs them in force
    call = factories.call(title="وام نوسازی تجهیزات کارگاه", rules=[factories.LICENCE_RULE], capacity=3)

    # -- the member, on a phone in Persian, is told why not ------------------------------------
    login(page, actors.member_a.mobile)
    page.goto("/programmes/")
    card = page.locator(f".programme-call[data-call='{call.pk}']")
    assert card.get_by_test_id("eligibility").get_attribute("data-qualifies") == "no"
    reason = card.locator("[data-rule=health_licence] .reason").inner_text()
    assert "پروانه بهداشتی ساخت" in reason and "منقضی" in reason
    _fits_phone(page)
    screenshot(page, "programmes-not-qualified-fa-phone")

    # -- the licence is renewed; the member now qualifies and applies with a document ---------
    _renew(expired, actors.staff)
    page.reload()
    assert card.get_by_test_id("eligibility").get_attribute("data-qualifies") == "yes"
    with page.expect_navigation():
        card.locator("a.btn-primary").click()
    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(factories.pdf_upload().read())
    page.fill("#id_motivation", "خرید فر دوار و همزن صنعتی")
    page.set_input_files(f"#id_doc_{call.documents_required.get().pk}", str(pdf))
    screenshot(page, "programmes-apply-fa-phone")
    with page.expect_navigation():
        page.get_by_test_id("apply-form").locator("button[type=submit]").click()
    application = Application.objects.get(call=call, member=actors.a)
    assert page.url == f"{live_server.url}/programmes/applications/{application.pk}/"
    assert page.get_by_test_id("application-status").get_attribute("data-status") == "submitted"
    _fits_phone(page)
    assert page.console_errors == []

    # -- estates staff on a desktop score and accept it ---------------------------------------
    staff_context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    staff_page = staff_context.new_page()
    login(staff_page, actors.staff.mobile, otp_device=give_totp_device(actors.staff))
    staff_page.goto(f"/programmes/{call.pk}/review/")
    assert staff_page.locator(f"tr[data-application='{application.pk}']").count() == 1
    with staff_page.expect_navigation():
        staff_page.locator(f"tr[data-application='{application.pk}'] a").first.click()
    plan, jobs = call.criteria.order_by("sort_order")
    staff_page.fill(f"#id_c_{plan.pk}", "۸")
    staff_page.fill(f"#id_c_{jobs.pk}", "6")
    with staff_page.expect_navigation():
        staff_page.locator("#score button[type=submit]").click()
    assert staff_page.get_by_test_id("total-score").inner_text() == "۷٫۵۰"  # (8×3 + 6×1) / 4
    staff_page.check("input[name=decision][value=accepted]")
    staff_page.fill("#id_reason", "طرح توجیهی کامل و اشتغال‌زا")
    with staff_page.expect_navigation():
        staff_page.get_by_test_id("decision-form").locator("button[type=submit]").click()
    assert staff_page.get_by_test_id("application-status").get_attribute("data-status") == "accepted"
    screenshot(staff_page, "programmes-staff-accepted-fa-desktop")
    staff_context.close()

    # -- the member sees "accepted" ------------------------------------------------------------
    page.goto(f"/programmes/applications/{application.pk}/")
    assert page.get_by_test_id("application-status").get_attribute("data-status") == "accepted"
    assert "طرح توجیهی کامل" in page.get_by_test_id("decision-reason").inner_text()
    _fits_phone(page)
    screenshot(page, "programmes-accepted-fa-phone")
    page.goto("/notifications/")
    assert "درخواست شما پذیرفته شد" in page.content()
    assert page.console_errors == []
