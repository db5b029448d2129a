"""The member dashboard is cached per user and member (members/dashboard_cache.py): a cached
request costs one query (two with database sessions) whatever the data, a page is never served to another user, and
what the user or anybody else changes shows on the next visit."""

import re

import pytest
from django.conf import settings
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_user
from core.notifications import PORTAL, notify
from members import dashboard_cache
from members.models import ContactMessage, MemberUser
from permits.tests import factories as permit_factories
from pricing.tests.factories import make_open_round, make_submission

pytestmark = pytest.mark.django_db
URL = "/members/me/"
FRESH_QUERIES = 17


@pytest.fixture(autouse=True)
def _shared_cache(settings):
    """The cached path: a cache every process shares (REDIS_URL in production; here the test
    process's one cache)."""
    settings.SHARED_CACHE = True


def _queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def _fill(actors, n):
    price_round = make_open_round(1405, 8)
    make_submission(member=actors.a, price_round=price_round, channel="wholesale" if n == 1 else "retail")
    for i in range(n):
        permit_factories.permit(actors.a, number=f"P-{i}-{n}", expiry_in=10 + i)
        ContactMessage.objects.create(member=actors.a, sender_name=f"خریدار {i}", sender_mobile="09135550000", body="x")
        notify(user=actors.member_a, subject=f"پیام {i}-{n}", channels=(PORTAL,))


def test_cached_dashboard_costs_one_or_two_queries_and_a_fresh_one_the_same_for_one_row_or_many(actors, client_as):
    client = client_as("member_a")
    client.get(URL)  # the session's first request also saves it
    _fill(actors, 1)
    fresh_few, _html = _queries(client)
    cached_few, _html = _queries(client)
    _fill(actors, 6)
    fresh_many, html = _queries(client)
    cached_many, cached_html = _queries(client)
    sessions = settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    # A fresh page (a miss): the member, the members app's own lists (colleagues, invitations,
    # notifications with the unread count, messages, correction requests, status history) and
    # each section's few reads; the user's row and groups come from the cache once read
    # (core.auth_cache, core.groups). 23 before issue 16 on this data, 21 after it; the
    # membership year, the buyer requests and the joint packaging sections added one each; the
    # user's row from the cache took one away; the permits section's state worked out from the
    # loaded rows took one more away (22); the programmes, estate and packaging sections read in
    # one statement each took four more (18); the prices section's open round and the member's
    # counts read in one statement took one more (17). The members app's own lists read in
    # hand-written statements (one a list, as before) left the count as it was.
    assert fresh_many == fresh_few == FRESH_QUERIES + sessions
    # Only the session where sessions are in the database: the user, the member and the page
    # come from the cache.
    assert cached_many == cached_few == 0 + sessions
    assert "پیام 5-6" in html and cached_html.count("list-group-item-primary") == html.count("list-group-item-primary")


def test_a_page_is_never_shown_to_another_member_or_to_a_colleague(actors, client_as):
    colleague = make_user("09130000044", "همکار الف")
    MemberUser.objects.create(member=actors.a, user=colleague, role=MemberUser.Role.COLLEAGUE)
    notify(user=actors.member_a, subject="فقط برای مالک", channels=(PORTAL,))
    owner, other = client_as("member_a"), client_as("member_b")
    colleague_client = Client()
    colleague_client.force_login(colleague)
    for _round in range(2):  # the second round is served from the cache
        owner_html = owner.get(URL).content.decode()
        other_html = other.get(URL).content.decode()
        colleague_html = colleague_client.get(URL).content.decode()
        assert actors.a.business_name in owner_html and actors.a.business_name not in other_html
        assert actors.b.business_name in other_html
        assert "فقط برای مالک" in owner_html
        assert "فقط برای مالک" not in colleague_html and "فقط برای مالک" not in other_html
        assert actors.a.business_name in colleague_html
        assert "همکار الف" in colleague_html and "09130000044" not in owner_html.split("dashboard-notifications")[0]


def test_each_request_gets_its_own_csrf_token_and_the_placeholder_never_leaks(actors):
    client = Client(enforce_csrf_checks=True)
    client.force_login(actors.member_a)
    ContactMessage.objects.create(member=actors.a, sender_name="خریدار", sender_mobile="09135550000", body="سلام")
    first = client.get(URL).content.decode()
    second = client.get(URL).content.decode()  # from the cache
    assert dashboard_cache.CSRF_PLACEHOLDER not in first + second
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', second).group(1)
    other = Client(enforce_csrf_checks=True)
    other.force_login(actors.member_b)
    assert re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', other.get(URL).content.decode()).group(1) != token
    # The token of the cached page is accepted: the language switch works from it.
    response = client.post(reverse("set_language"), {"language": "en", "next": URL, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_changes_by_signals_by_the_users_own_writes_and_in_other_languages_show_at_once(actors, client_as):
    client = client_as("member_a")
    assert "هشدار آزمایشی" not in client.get(URL).content.decode()
    notify(user=actors.member_a, subject="هشدار آزمایشی", channels=(PORTAL,))  # a saved row: a signal
    html = client.get(URL).content.decode()
    assert "هشدار آزمایشی" in html and "list-group-item-primary" in html
    # Marking read is a QuerySet.update() (no signal): the user's own POST renews the page.
    client.post(reverse("notifications_mark_read"))
    html = client.get(URL).content.decode()
    assert "هشدار آزمایشی" in html and "list-group-item-primary" not in html
    client.cookies["django_language"] = "en"
    english = client.get(URL).content.decode()
    assert 'lang="en"' in english and "Notifications" in english


def test_flash_messages_are_shown_once_and_never_cached(actors, client_as):
    client = client_as("member_a")
    client.get(URL)
    storage = CookieStorage(HttpRequest())
    carrier = HttpResponse()
    storage._store([Message(constants.SUCCESS, "پیام یک‌باره")], carrier)
    client.cookies[storage.cookie_name] = carrier.cookies[storage.cookie_name].value
    assert "پیام یک‌باره" in client.get(URL).content.decode()
    assert "پیام یک‌باره" not in client.get(URL).content.decode()


def test_a_removed_colleague_is_refused_at_once_not_served_the_cached_page(actors, client_as):
    colleague = make_user("09130000045", "همکار رفتنی")
    link = MemberUser.objects.create(member=actors.a, user=colleague, role=MemberUser.Role.COLLEAGUE)
    client = Client()
    client.force_login(colleague)
    assert client.get(URL).status_code == 200
    assert actors.a.business_name in client.get(URL).content.decode()  # cached
    link.delete()
    assert client.get(URL).status_code == 403


def test_a_status_change_by_the_staff_shows_at_once(actors, client_as):
    client = client_as("member_a")
    client.get(URL)
    before = client.get(URL).content.decode()  # from the cache
    actors.a.status = "suspended"
    actors.a.save(update_fields=["status"])
    after = client.get(URL).content.decode()
    assert after != before
    assert actors.a.get_status_display() in after
