"""In Chromium at 360 px, in Persian: the public verification page of a permit (green, then red
once suspended; an unknown code), and the case's next-step form (forward steps only, the natural
next one chosen; moving back is its own form with a reason). Screenshots go to test-artifacts/."""

import pytest
from django.utils import timezone

from permits import services
from permits.models import CaseStep
from permits.tests import factories
from tests.browser import browser, login, page, screenshot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_phone(phone):
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_verification_page_green_then_red_on_a_phone(seed_data, actors, page):  # noqa: F811
    permit = factories.permit(actors.a, "manufacturing_licence", number="FDO-1404-0912", expiry_in=900)
    response = page.goto(permit.get_verify_url())
    assert response.status == 200 and response.headers["cache-control"] == "private, no-store"
    assert page.locator("html").get_attribute("dir") == "rtl"
    verdict = page.get_by_test_id("verdict")
    assert verdict.get_attribute("data-state") == "green"
    assert "مجوز امروز معتبر است" in verdict.inner_text()
    assert page.get_by_test_id("business").inner_text() == actors.a.business_name
    assert page.get_by_test_id("number").inner_text() == "FDO-۱۴۰۴-۰۹۱۲"
    assert not any(ch.isdigit() and ch.isascii() for ch in page.get_by_test_id("valid-until").inner_text())
    _fits_phone(page)
    screenshot(page, "permits-verify-green-fa-phone")

    today = timezone.localdate()
    services.permit_status_set(permit=permit, actor=actors.staff, suspended_from=today, status_note="بازدید")
    page.reload()
    assert verdict.get_attribute("data-state") == "red"
    assert page.get_by_test_id("reason").inner_text() == "مرجع صدور آن را تعلیق کرده است."
    _fits_phone(page)
    screenshot(page, "permits-verify-red-fa-phone")

    response = page.goto("/permits/verify/no-such-code/")
    assert response.status == 404 and verdict.get_attribute("data-state") == "unknown"


def test_next_step_form_forward_by_default_and_back_with_a_reason(seed_data, actors, page):  # noqa: F811
    case = factories.submitted_case(actors.a, actors.member_a, "business_licence")
    login(page, actors.member_a.mobile)
    page.goto(case.get_absolute_url() + "#advance")
    options = page.locator("#id_step option").evaluate_all("els => els.map(e => e.value)")
    assert options == ["inspection", "deficiency", "committee", "rejected", "withdrawn"]
    assert page.locator("#id_step").input_value() == "inspection"
    assert not page.locator("#id_back-step").is_visible()  # folded until asked for
    _fits_phone(page)
    page.locator("#advance").scroll_into_view_if_needed()
    screenshot(page, "permits-next-step-fa-phone")

    page.locator("#back summary").click()
    page.select_option("#id_back-step", "preparing")
    with page.expect_navigation():
        page.click("#back button[type=submit]")
    assert page.locator("#back .invalid-feedback").inner_text() == "بنویسید چرا پرونده به مرحله قبل برمی‌گردد."
    assert page.locator("#id_back-step").input_value() == "preparing"  # nothing chosen is lost
    page.locator("#back").scroll_into_view_if_needed()
    screenshot(page, "permits-move-back-error-fa-phone")
    page.fill("#id_back-reason", "کد رهگیری اشتباه ثبت شده بود")
    with page.expect_navigation():
        page.click("#back button[type=submit]")
    last = CaseStep.objects.filter(case=case).order_by("-entered_at", "-id").first()
    assert (last.step, last.is_backward, last.note) == ("preparing", True, "کد رهگیری اشتباه ثبت شده بود")
    assert page.locator(".case-timeline-step.is-current .badge").inner_text() == "بازگشت به مرحله قبل"
    assert page.locator("#id_step").input_value() == "submitted"  # the natural next step again


def test_dashboard_shows_cases_past_the_legal_response_time_on_a_phone(seed_data, actors, page):  # noqa: F811
    import datetime

    from conftest import give_totp_device
    from permits.models import PermitCase

    case = factories.submitted_case(actors.a, actors.member_a, "business_licence")
    when = timezone.now() - datetime.timedelta(days=22)  # guild union: 15 legal days → 7 late
    CaseStep.objects.filter(case=case).update(entered_at=when - datetime.timedelta(days=1), left_at=when)
    CaseStep.objects.filter(case=case, step="submitted").update(entered_at=when, left_at=None)
    PermitCase.objects.filter(pk=case.pk).update(step_changed_at=when)
    services.case_escalations_send()
    login(page, actors.staff.mobile, otp_device=give_totp_device(actors.staff))
    page.goto("/permits/dashboard/#overdue-heading")
    assert page.get_by_test_id("overdue-count").inner_text() == "۱"
    assert page.locator(f".overdue-cases tr[data-case='{case.pk}'] [data-testid=delay]").inner_text() == "۷"
    _fits_phone(page)
    page.locator("#overdue-heading").scroll_into_view_if_needed()
    screenshot(page, "permits-dashboard-overdue-fa-phone")
    # The whole list, a tap away; the figures above it say when they were computed.
    assert "ساعت" in page.get_by_test_id("figures-as-of").inner_text()
    with page.expect_navigation():
        page.click(".see-all[data-list=overdue]")
    assert page.get_by_test_id("list-total").inner_text() == "در مجموع ۱"
    assert page.locator(f".overdue-cases tr[data-case='{case.pk}'] [data-testid=delay]").inner_text() == "۷"
    _fits_phone(page)
    screenshot(page, "permits-dashboard-overdue-list-fa-phone")
