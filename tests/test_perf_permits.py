"""The staff's permit dashboard is rendered once for every estates staff member and kept in the
cache (permits.views.dashboard, permits.selectors.staff_dashboard_cache_key): a repeat costs no
query of its own, a saved permit shows at once, and a new day starts a new entry."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import login_verified, make_user
from members.roles import ESTATES_STAFF
from permits import selectors
from permits.tests import factories

pytestmark = pytest.mark.django_db
URL = reverse("permits:dashboard")


def _get(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries], response.content.decode()


def test_repeat_reads_no_permit_table_and_a_saved_permit_shows_at_once(actors, client_as):
    factories.permit(actors.a, number="EXP-A", expiry_in=-5)
    client = client_as("staff")
    first, html = _get(client)
    assert "EXP-A" in html and any("permits_permit" in sql for sql in first)
    repeat, html_again = _get(client)
    assert not any("permits_" in sql for sql in repeat)
    assert len(repeat) < len(first)
    assert html_again.split('id="main"')[1] == html.split('id="main"')[1]
    factories.permit(actors.b, number="EXP-B", expiry_in=-3)  # saved: the entry is renewed
    _queries, html = _get(client)
    assert "EXP-A" in html and "EXP-B" in html


def test_every_staff_member_sees_the_same_figures_with_their_own_menu(actors, client_as):
    factories.permit(actors.a, number="EXP-N", expiry_in=-1)
    first = client_as("staff").get(URL).content.decode()
    colleague = make_user("09130000011", "کارشناس دوم", groups=[ESTATES_STAFF], is_staff=True)
    from django.test import Client

    client = login_verified(Client(), colleague)
    second = client.get(URL).content.decode()
    assert "EXP-N" in second
    body = second.split('id="main"')[1].split("</main>")[0]
    assert body == first.split('id="main"')[1].split("</main>")[0]
    assert "کارشناس" in second  # their own name in the menu
    # Members never reach it.
    assert client_as("member_a").get(URL).status_code in (403, 404)


def test_the_key_follows_the_day_and_the_language():
    today = timezone.localdate()
    assert selectors.staff_dashboard_cache_key(today=today) != selectors.staff_dashboard_cache_key(
        today=today + datetime.timedelta(days=1)
    )
    from django.utils import translation

    with translation.override("en"):
        english = selectors.staff_dashboard_cache_key(today=today)
    with translation.override("fa"):
        assert selectors.staff_dashboard_cache_key(today=today) != english
