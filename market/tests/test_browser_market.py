"""The buyer-request journey in Chromium, on phones in Persian: a hotel posts a request (the
code read from the SMS outbox) → staff approve it in the admin → the matching member (not the
non-matching one) is told → offers → the buyer accepts → both see each other's contacts.
Screenshots (360 px) go to test-artifacts/."""

import re

import jdatetime
import pytest
from django.utils import timezone

from conftest import give_totp_device
from core import sms
from core.models import Notification
from market.models import BuyerRequest, Offer
from tests.browser import browser, date_picker_closed, login, page, screenshot  # noqa: F401 (fixtures)

from . import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FA = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def _fits_phone(phone):
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def _phone(browser, live_server):  # noqa: F811
    return browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url).new_page()


def _jalali(days):
    return (
        jdatetime.date.fromgregorian(date=timezone.localdate() + timezone.timedelta(days=days))
        .strftime("%Y/%m/%d")
        .translate(FA)
    )


def test_buyer_request_to_accepted_offer(seed_data, actors, page, browser, live_server):  # noqa: F811
    factories.matching_member(actors.a, actors.member_a)  # lists baklava, licence valid
    factories.matching_member(actors.b, actors.member_b, slug="rice-cookies")  # another product
    sms.outbox.clear()

    # -- the buyer, no account: the form, then the SMS code -----------------------------------------
    page.goto("/market/buy/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.select_option("#id_buyer_kind", "hotel")
    page.fill("#id_organisation", "هتل الماس قزوین")
    page.fill("#id_contact_name", "مریم احمدی")
    page.fill("#id_mobile", "۰۹۱۲۷۷۷۶۶۵۵")
    page.select_option("#id_product", label="باقلوا")
    page.fill("#id_quantity", "۸۰")
    page.fill("#id_deadline", _jalali(20))
    page.fill("#id_packaging", "جعبه ۲۵۰ گرمی با نام هتل")
    _fits_phone(page)
    screenshot(page, "market-buyer-form-fa-phone")
    date_picker_closed(page)
    with page.expect_navigation():
        page.get_by_test_id("send-request").click()
    assert page.url.endswith("/market/buy/verify/")
    code = re.findall(r"\b(\d{6})\b", [m["text"] for m in sms.outbox if m["to"] == "09127776655"][-1])[0]
    page.fill("input[name=code]", code.translate(FA))
    screenshot(page, "market-buyer-code-fa-phone")
    with page.expect_navigation():
        page.get_by_test_id("code-submit").click()
    req = BuyerRequest.objects.get()
    assert re.search(r"/market/b/[\w-]{40,}/$", page.url)
    buyer_url = page.url
    link_sms = [m["text"] for m in sms.outbox if m["to"] == "09127776655" and "/market/b/" in m["text"]]
    assert len(link_sms) == 1 and buyer_url in link_sms[0]
    assert page.get_by_test_id("request-status").inner_text() == "در انتظار بررسی"
    _fits_phone(page)
    screenshot(page, "market-buyer-pending-fa-phone")

    # -- staff approve it in the admin ---------------------------------------------------------------
    staff = _phone(browser, live_server)
    login(staff, actors.staff.mobile, otp_device=give_totp_device(actors.staff))
    staff.goto("/admin/market/buyerrequest/")
    staff.check(f"input[name=_selected_action][value='{req.pk}']")
    staff.select_option("select[name=action]", "approve")
    with staff.expect_navigation():
        staff.click("button[name=index]")
    req.refresh_from_db()
    assert req.status == BuyerRequest.Status.APPROVED
    screenshot(staff, "market-admin-approved-fa-phone")

    # -- only the matching member is told --------------------------------------------------------------
    assert Notification.objects.filter(user=actors.member_a, url=req.get_absolute_url()).count() == 1
    assert not Notification.objects.filter(user=actors.member_b).exists()
    other = _phone(browser, live_server)
    login(other, actors.member_b.mobile)
    other.goto("/market/requests/")
    assert other.get_by_test_id("no-requests").is_visible()
    assert other.goto(f"/market/requests/{req.pk}/").status == 404

    member = _phone(browser, live_server)
    login(member, actors.member_a.mobile)
    member.goto("/notifications/")
    with member.expect_navigation():
        member.get_by_text("یک خریدار باقلوا می‌خواهد").first.click()
    assert member.url.endswith(req.get_absolute_url())
    assert "هتل الماس قزوین" not in member.content() and "۰۹۱۲۷۷۷۶۶۵۵" not in member.content()
    member.fill("#id_quantity", "۸۰")
    member.fill("#id_unit_price_rial", "۴۲۰٬۰۰۰")
    member.fill("#id_delivery_date", _jalali(10))
    member.fill("#id_note", "نمونه رایگان پیش از سفارش")
    _fits_phone(member)
    screenshot(member, "market-member-offer-fa-phone")
    date_picker_closed(member)
    with member.expect_navigation():
        member.get_by_test_id("offer-form").locator("button[type=submit]").click()
    offer = Offer.objects.get()
    assert (offer.unit_price_rial, offer.quantity) == (4_200_000, 80)

    # -- the buyer sees the offer (no contacts) and accepts it -----------------------------------------
    page.goto(buyer_url)
    card = page.get_by_test_id("offer")
    assert actors.a.business_name in card.inner_text() and "۴۲۰٬۰۰۰ تومان" in card.inner_text()
    assert actors.a.mobile.translate(FA) not in page.content()
    screenshot(page, "market-buyer-offers-fa-phone")
    with page.expect_navigation():
        page.get_by_test_id("accept-offer").click()
    contacts = page.get_by_test_id("producer-contacts").inner_text()
    assert actors.a.business_name in contacts and actors.a.mobile.translate(FA) in contacts
    _fits_phone(page)
    screenshot(page, "market-buyer-accepted-fa-phone")

    # -- the member is told and sees the buyer's contacts ----------------------------------------------
    assert Notification.objects.filter(user=actors.member_a, subject__contains="پذیرفت").count() == 1
    member.goto(req.get_absolute_url())
    buyer = member.get_by_test_id("buyer-contacts").inner_text()
    assert "هتل الماس قزوین" in buyer and "مریم احمدی" in buyer and "۰۹۱۲۷۷۷۶۶۵۵" in buyer
    _fits_phone(member)
    screenshot(member, "market-member-accepted-fa-phone")
    assert page.console_errors == []
    # Members never open a buyer's page, even with the link; a wrong link is a 404.
    assert member.goto(buyer_url).status == 404
    assert page.goto(buyer_url[:-3] + "abc/").status == 404
