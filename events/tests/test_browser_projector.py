"""The live Q&A on a 360 px phone (the ask form open at the top) and the projector (the
address to join with its QR code, the question being answered large, the answered ones
marked), in Persian, in a real browser."""

import pytest

from conftest import give_totp_device
from events import services
from events.tests.factories import make_event, make_panelist, make_question
from tests.browser import browser, login, page, screenshot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _role_groups(transactional_db):
    """A transactional test's flush also empties the groups the migration created."""
    from django.contrib.auth.models import Group

    from members.roles import ALL_GROUPS

    for name in ALL_GROUPS:
        Group.objects.get_or_create(name=name)


def test_phone_ask_form_is_open_and_the_projector_shows_how_to_join(browser, page, live_server, actors):  # noqa: F811
    event = make_event(title="همایش خوشه شیرینی سنتی قزوین")
    seat = make_panelist(event, actors.panelist, name="رئیس اتحادیه")
    current = make_question(event, actors.member_a, text="قیمت واحد نان برنجی با گرانی روغن چطور اعلام می‌شود؟")
    answered = make_question(event, actors.member_b, text="کارت بهداشت کارکنان چند ماه اعتبار دارد؟")
    make_question(event, actors.member_b, text="زمین شهرک شیرینی کی واگذار می‌شود؟", vote_count=4)
    services.question_answer(question=answered, by=actors.staff, text="یک سال.", panelist=seat)
    services.question_present(event=event, question=current, by=actors.staff)

    # A member on a phone: the ask form is open at the top, nothing to unfold.
    login(page, actors.member_a.mobile)
    page.goto(f"/events/{event.pk}/qa/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    box = page.locator("[data-testid=ask-box] textarea[name=text]")
    assert box.is_visible()
    assert box.bounding_box()["y"] + box.bounding_box()["height"] < 740
    assert page.locator("[data-testid=ask-submit]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "events-qa-ask-open-phone-fa")

    # The projector, on the staff's laptop and (a check on a small screen) at 360 px.
    staff = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url).new_page()
    login(staff, actors.staff.mobile, otp_device=give_totp_device(actors.staff))
    staff.goto(f"/events/{event.pk}/qa/screen/")
    address = staff.locator("[data-testid=join-address]").inner_text()
    assert address == f"{live_server.url.split('://', 1)[1]}/events/{event.pk}/qa/"
    qr = staff.locator(".screen-qr svg")
    assert qr.is_visible() and qr.bounding_box()["width"] >= 200
    current_box = staff.locator("[data-testid=current] .current")
    assert current_box.inner_text() == current.text
    assert float(current_box.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 32
    assert staff.locator("[data-testid=answered-question]").inner_text().startswith("✓")
    screenshot(staff, "events-projector-desktop-fa")
    staff.set_viewport_size({"width": 360, "height": 740})
    assert staff.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(staff, "events-projector-phone-fa")
    assert page.console_errors == []
