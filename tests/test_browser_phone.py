"""On a 360 px phone: the Jalali picker (Persian digits, opens in the form's flow and never over
the submit button, closes on Escape, on a tap outside, when the focus moves on to another field
and with its close button) and tables
that scroll inside their own box with a cue."""

import importlib

import pytest
from django.apps import apps

from conftest import PASSWORD, make_member, make_user
from permits.tests.factories import submitted_case
from tests.browser import browser, login, page, screenshot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERLAP = """([a, b]) => {
  const r = document.querySelector(a).getBoundingClientRect();
  const s = document.querySelector(b).getBoundingClientRect();
  return !(r.bottom <= s.top || s.bottom <= r.top || r.right <= s.left || s.right <= r.left);
}"""


def _open(page):
    page.click("#id_issue_date")
    page.wait_for_selector("jdp-container", state="visible")
    page.wait_for_timeout(350)  # the picker ignores Escape during its 0.3 s opening


def test_jalali_picker_on_a_phone(page, live_server):
    # A transactional test's flush removed the permit types a data migration made: put them back.
    importlib.import_module("permits.migrations.0002_permit_types").seed(apps, None)
    user = make_user("09121234567", "رضا کریمی")
    member = make_member(user, national_id="0012345679", number=1)
    case = submitted_case(member, user)
    login(page, user.mobile, PASSWORD)
    page.goto(f"/permits/{case.pk}/#issue")
    _open(page)
    days = page.locator("jdp-container .jdp-day").all_inner_texts()
    assert "۱" in days and "1" not in days  # Persian digits
    submit = "#issue button[type=submit]"
    assert page.evaluate(OVERLAP, ["jdp-container", submit]) is False
    assert page.evaluate(OVERLAP, ["jdp-container", "#id_issue_date"]) is False
    screenshot(page, "picker-fa-phone")
    page.keyboard.press("Escape")
    assert page.locator("jdp-container").is_hidden()
    _open(page)
    page.click("h1")  # a tap outside
    assert page.locator("jdp-container").is_hidden()
    _open(page)
    page.click("jdp-container .jdp-btn-close")
    assert page.locator("jdp-container").is_hidden()
    _open(page)
    page.focus("#issue input[name=issuer]")  # on to another field (the keyboard's "next"): it closes
    assert page.locator("jdp-container").is_hidden()
    _open(page)
    page.locator("jdp-container .jdp-day:not(.not-in-month)").nth(9).click()
    assert page.locator("jdp-container").is_hidden()
    assert page.input_value("#id_issue_date") != ""
    assert page.console_errors == []
