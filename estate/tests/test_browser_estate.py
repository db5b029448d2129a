"""The estate journeys in Chromium: members follow the estate, staff move a milestone in the
administration, and each follower is told exactly once even when the announcement runs again;
the ranking recomputed from the same data gives the same order, and a member sees its rank."""

import datetime

import jdatetime
import pytest
from django.core.management import call_command

from conftest import give_totp_device
from core.models import Notification
from estate import services
from estate.models import EstateFollower, MilestoneNotice
from estate.tests import factories
from permits.tests import factories as permit_factories
from tests.browser import browser, date_picker_closed, login, page, screenshot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_phone(phone):
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_milestone_moves_and_each_follower_is_told_once(seed_data, actors, page, browser, live_server):  # noqa: F811
    factories.milestone(title="تملک زمین", planned_in=-300, status="done", phase="land", done_in=-290)
    milestone = factories.milestone(title="آب، برق و گاز شهرک", planned_in=20)

    # member A follows from the page (phone); member B follows too
    login(page, actors.member_a.mobile)
    page.goto("/estate/")
    with page.expect_navigation():
        page.get_by_test_id("follow").click()
    assert page.get_by_test_id("unfollow").count() == 1
    services.estate_follow_set(user=actors.member_b, follow=True)
    assert EstateFollower.objects.count() == 2
    _fits_phone(page)
    screenshot(page, "estate-home-fa-phone")

    # staff move the milestone in the administration (desktop)
    staff_context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    staff_page = staff_context.new_page()
    login(staff_page, actors.staff.mobile, otp_device=give_totp_device(actors.staff))
    staff_page.goto(f"/admin/estate/milestone/{milestone.pk}/change/")
    new_date = milestone.planned_date + datetime.timedelta(days=45)
    # Typed as a Persian staff member types it (Jalali): the picker keeps a Jalali date it can read.
    staff_page.fill("#id_planned_date", jdatetime.date.fromgregorian(date=new_date).strftime("%Y/%m/%d"))
    staff_page.select_option("#id_status", "delayed")
    staff_page.fill("#id_change_note", "تأخیر در تأمین اعتبار انشعاب گاز")
    date_picker_closed(staff_page)
    with staff_page.expect_navigation():
        staff_page.click("input[name=_save]")
    assert "/admin/estate/milestone/" in staff_page.url and "/change/" not in staff_page.url
    # saved again without a change: not a move
    staff_page.goto(f"/admin/estate/milestone/{milestone.pk}/change/")
    with staff_page.expect_navigation():
        staff_page.click("input[name=_save]")
    staff_context.close()

    call_command("estate_announce")  # cron runs too, twice
    call_command("estate_announce")
    told = Notification.objects.filter(subject__contains=milestone.title)
    assert sorted(told.values_list("user_id", flat=True)) == sorted([actors.member_a.pk, actors.member_b.pk])
    assert MilestoneNotice.objects.count() == 2

    page.goto("/estate/")
    item = page.locator(f"[data-milestone='{milestone.pk}']")
    assert "estate-delayed" in item.get_attribute("class")
    page.goto("/notifications/")
    assert page.content().count(milestone.title) == 1
    _fits_phone(page)
    screenshot(page, "estate-notified-fa-phone")
    assert page.console_errors == []


def test_ranking_recomputed_from_the_same_data_gives_the_same_order(seed_data, actors, page):  # noqa: F811
    permit_factories.permit(actors.a, "manufacturing_licence", expiry_in=100)
    factories.registration(actors.a, workers=4, readiness="six_months", days_ago=5)
    factories.registration(actors.b, workers=20, readiness="now", days_ago=10)
    allocation = factories.allocation(actor=actors.staff)
    first = services.ranking_compute(allocation=allocation, actor=actors.staff)
    second = services.ranking_compute(allocation=allocation, actor=actors.staff)

    def order(ranking):
        return list(ranking.entries.order_by("rank").values_list("member_id", "total"))

    assert order(first) == order(second) == [(actors.a.pk, order(first)[0][1]), (actors.b.pk, order(first)[1][1])]
    assert first.inputs_digest == second.inputs_digest
    services.ranking_publish(ranking=second, actor=actors.staff)

    login(page, actors.member_b.mobile)
    page.goto("/estate/")
    assert "۲" in page.get_by_test_id("my-rank").inner_text()
    page.goto("/estate/ranking/")
    assert page.get_by_test_id("my-row").get_attribute("data-rank") == "2"
    assert actors.a.business_name not in page.content()
    _fits_phone(page)
    screenshot(page, "estate-ranking-fa-phone")
    assert page.console_errors == []
