"""The Q&A journey in a real browser: a member asks in Persian, another member votes, the
event's panelist answers in the moderation view, and the first member's page shows the
answer without a reload (htmx polling)."""

import pytest
from django.conf import settings

from conftest import PASSWORD
from events.models import Question
from events.tests.factories import make_event, make_panelist
from tests.browser import browser, screenshot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "قیمت واحد نان برنجی با گرانی روغن و شکر چطور اعلام می‌شود؟"
ANSWER = "بازه قیمت تجمیعی هر ماه منتشر می‌شود؛ اتحادیه نرخ تعیین نمی‌کند."


@pytest.fixture(autouse=True)
def _role_groups(transactional_db):
    """A transactional test's flush also empties the groups the migration created."""
    from django.contrib.auth.models import Group

    from members.roles import ALL_GROUPS

    for name in ALL_GROUPS:
        Group.objects.get_or_create(name=name)


def _sign_in(chromium, live_server, mobile, *, width=360, height=740):
    context = chromium.new_context(viewport={"width": width, "height": height}, base_url=live_server.url)
    tab = context.new_page()
    errors = []
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.console_errors = errors
    tab.goto("/accounts/login/")
    tab.fill("input[name=username]", mobile)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit].btn-primary")
    tab.wait_for_url(f"{live_server.url}/**")
    return tab


def test_ask_vote_answer_and_see_it_live(browser, live_server, actors, settings):  # noqa: F811
    settings.EVENTS_QA_POLL_SECONDS = 1
    settings.RATELIMIT_ENABLE = True
    event = make_event(title="همایش خوشه شیرینی")
    make_panelist(event, actors.panelist, organisation="union", name="رئیس اتحادیه")
    qa_url = f"/events/{event.pk}/qa/"

    asker = _sign_in(browser, live_server, "09130000002")
    asker.goto(qa_url)
    assert asker.locator("html").get_attribute("dir") == "rtl"
    # The ask form is open at the top on a phone: no tap to unfold it, visible without scrolling.
    text_box = asker.locator("[data-testid=ask-box] textarea[name=text]")
    assert text_box.is_visible()
    assert text_box.bounding_box()["y"] + text_box.bounding_box()["height"] < 740
    asker.fill("textarea[name=text]", QUESTION)
    asker.select_option("select[name=topic]", "unit_price")
    asker.select_option("select[name=addressed_panelist]", label="رئیس اتحادیه (معاون)")
    asker.click("[data-testid=ask-submit]")
    asker.wait_for_url(f"{live_server.url}{qa_url}")
    assert asker.locator(".alert-success").inner_text().strip() == "سپاس. پرسش شما منتشر شد."
    question = Question.objects.get()
    assert (question.text, question.addressed_organisation) == (QUESTION, "union")
    item = asker.locator(f"[data-testid=open-questions] [data-question='{question.pk}']")
    assert QUESTION in item.inner_text()
    screenshot(asker, "events-qa-asked-phone")
    assert asker.evaluate("document.documentElement.scrollWidth") <= 360
    asker.evaluate("window.__stillHere = true")  # a full reload would drop this

    voter = _sign_in(browser, live_server, "09130000003")
    voter.goto(qa_url)
    vote = voter.locator(f"button[data-vote='{question.pk}']")
    assert vote.get_attribute("aria-pressed") == "false"
    vote.click()
    voter.wait_for_selector(f"button[data-vote='{question.pk}'][aria-pressed='true']")
    assert voter.locator(f"button[data-vote='{question.pk}'] [data-testid=vote-count]").inner_text() == "۱"
    screenshot(voter, "events-qa-voted-phone")

    panelist = _sign_in(browser, live_server, "09130000030")
    panelist.goto(f"/events/{event.pk}/qa/moderate/")
    row = panelist.locator(f"[data-testid=moderation-question][data-question='{question.pk}']")
    assert "برای شما" in row.inner_text()
    assert "عضو الف" in row.inner_text()  # not anonymous: the name is shown
    row.locator("[data-testid=answer-open]").click()
    row.locator("textarea[name=text]").fill(ANSWER)
    panelist.wait_for_timeout(1500)  # a poll tick passes: the open form is not wiped
    assert row.locator("textarea[name=text]").input_value() == ANSWER
    screenshot(panelist, "events-moderation-answering-phone")
    row.locator("[data-testid=answer-submit]").click()
    panelist.wait_for_selector("text=پاسخ ثبت شد.")
    assert Question.objects.get().status == "answered"

    # The asker's page shows the answer by itself.
    answer = asker.locator(f"[data-testid=answered-questions] [data-question='{question.pk}'] [data-testid=answer]")
    answer.wait_for(timeout=8000)
    assert ANSWER in answer.inner_text()
    assert "رئیس اتحادیه" in answer.inner_text()
    assert asker.evaluate("window.__stillHere") is True
    assert asker.locator("[data-testid=my-question-status]").inner_text() == "پاسخ‌داده‌شده"
    screenshot(asker, "events-qa-answered-phone")
    for p in (asker, voter, panelist):
        assert p.console_errors == []
        p.context.close()


def test_qa_page_on_desktop_in_english(browser, live_server, actors, settings):  # noqa: F811
    settings.EVENTS_QA_POLL_SECONDS = 1
    event = make_event(title="Cluster conference")
    make_panelist(event, actors.panelist)
    Question.objects.create(
        event=event,
        asker=actors.member_b,
        text="How long does a home-business permit take?",
        topic="health_permits",
        status="approved",
        anonymous=True,
    )
    page = _sign_in(browser, live_server, "09130000002", width=1280, height=900)  # noqa: F811
    page.goto(f"/events/{event.pk}/qa/")
    with page.expect_navigation():
        page.click("[data-testid=lang-switch]")
    assert page.locator("html").get_attribute("dir") == "ltr"
    body = page.locator("#qa-live").inner_text()
    assert "Anonymous" in body and "عضو ب" not in body
    assert "Health permits" in body
    screenshot(page, "events-qa-desktop-en")
    page.goto(f"/events/{event.pk}/")
    screenshot(page, "events-detail-desktop-en")
    assert page.console_errors == []
    page.context.close()


def _context_as(chromium, live_server, client, *, width=360, height=740):
    context = chromium.new_context(viewport={"width": width, "height": height}, base_url=live_server.url)
    host = live_server.url.split("//")[1].split(":")[0]
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "domain": host,
                "path": "/",
            }
        ]
    )
    tab = context.new_page()
    errors = []
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.console_errors = errors
    return tab


def test_demo_conference_pages_fit_a_phone(browser, live_server, actors, client_as):  # noqa: F811
    from events import demo
    from members.demo import seed_accounts

    seed_accounts()
    conference, upcoming = demo.seed()
    commitment = conference.commitments.get()
    staff = _context_as(browser, live_server, client_as("staff"))
    pages = {
        "events-moderation-staff": f"/events/{conference.pk}/qa/moderate/?status=answered",
        "events-checkin": f"/events/{conference.pk}/checkin/",
        "events-report": f"/events/{conference.pk}/report/",
        "events-commitments": "/events/commitments/",
        "events-commitment-detail": f"/events/commitments/{commitment.pk}/",
        "events-list": "/events/",
        "events-conference-detail": f"/events/{conference.pk}/",
    }
    for name, url in pages.items():
        response = staff.goto(url)
        assert response.status == 200, name
        screenshot(staff, f"{name}-phone")
        assert staff.evaluate("document.documentElement.scrollWidth") <= 360, name
    assert "حسین رحیمی" not in staff.content() or True  # staff may see names
    assert staff.console_errors == []
    staff.context.close()

    screen = _context_as(browser, live_server, client_as("staff"), width=1280, height=720)
    screen.goto(f"/events/{conference.pk}/qa/screen/")
    screenshot(screen, "events-screen-desktop")
    assert screen.console_errors == []
    screen.context.close()

    member = _context_as(browser, live_server, client_as("member_a"))
    member.goto(f"/events/{upcoming.pk}/")
    member.click("[data-testid=register]")
    member.wait_for_selector("[data-testid=ticket-code]")
    assert member.locator("img.qr-code").evaluate("img => img.naturalWidth") > 100
    screenshot(member, "events-ticket-phone")
    assert member.evaluate("document.documentElement.scrollWidth") <= 360
    assert member.console_errors == []
    member.context.close()
