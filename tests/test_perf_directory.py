"""The public directory is cached per query, filters, page and language (members/views.py):
an anonymous repeat costs no query, a signed-in visitor's page (their name in the menu) is never
served to anybody else, each request gets its own CSRF token, and on PostgreSQL the name search
reads the trigram index."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.persian import search_key
from members import dashboard_cache, selectors
from members.models import Member
from members.tests.factories import active_member

pytestmark = pytest.mark.django_db
URL = reverse("members:directory")


def _get(client, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, data or {})
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_anonymous_repeat_is_served_without_queries_and_the_same_for_one_member_or_many(actors):
    active_member(business_name="شیرینی‌پزی یکم")
    first, _html = _get(Client(), {"q": "شیرینی"})
    repeat, html = _get(Client(), {"q": "شیرینی"})
    assert repeat == 0 and "شیرینی‌پزی یکم" in html
    for i in range(15):
        active_member(business_name=f"شیرینی‌پزی {i:02d}")
    many, html = _get(Client(), {"q": "شیرینی", "page": "2"})  # not cached yet
    assert many == first
    assert "صفحه ۲ از ۲" in html


def test_each_query_filter_page_and_language_has_its_own_entry(actors):
    active_member(business_name="گز آزمایشی")
    active_member(business_name="سوهان آزمایشی")
    _n, gaz = _get(Client(), {"q": "گز"})
    _n, sohan = _get(Client(), {"q": "سوهان"})
    assert "گز آزمایشی" in gaz and "سوهان آزمایشی" not in gaz
    assert "سوهان آزمایشی" in sohan and "گز آزمایشی" not in sohan
    english = Client()
    english.cookies["django_language"] = "en"
    _n, html = _get(english, {"q": "گز"})
    assert 'lang="en"' in html and "Directory of members" in html and "گز آزمایشی" in html
    _n, html = _get(Client(), {"q": "گز"})
    assert 'lang="fa"' in html


def test_a_signed_in_visitors_page_is_never_served_to_others_and_tokens_are_per_request(actors, client_as):
    active_member(business_name="باقلوای آزمایشی")
    signed_in = client_as("member_a")
    _n, mine = _get(signed_in)
    logout_form = f'action="{reverse("logout")}"'
    assert logout_form in mine
    anonymous = Client()
    _n, theirs = _get(anonymous)
    _n, theirs_again = _get(anonymous)
    _n, other_anonymous = _get(Client())
    for html in (theirs, theirs_again, other_anonymous):
        assert logout_form not in html and "باقلوای آزمایشی" in html
        assert dashboard_cache.CSRF_PLACEHOLDER not in html
    tokens = {
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1) for html in (theirs, other_anonymous)
    }
    assert len(tokens) == 2
    actors.member_b.full_name = "نرگس احمدی"
    actors.member_b.save()
    actors.member_a.full_name = "مهسا رضایی"
    actors.member_a.save()
    _n, mine = _get(signed_in)
    _n, member_b_page = _get(client_as("member_b"))
    assert "مهسا" in mine and "نرگس" not in mine
    assert "نرگس" in member_b_page and "مهسا" not in member_b_page


@pytest.mark.postgres
def test_name_search_reads_the_trigram_index():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    key = search_key("شیرینی")
    sql, params = selectors.directory_members(query="شیرینی").query.sql_with_params()
    assert '"directory_key"::text LIKE' in sql and f"%{key}%" in params  # the indexable predicate
    assert "DISTINCT" not in sql  # no sort over every column
    # That predicate alone, on a table too small for statistics: the planner reads the index.
    predicate_sql, predicate_params = Member.objects.filter(directory_key__contains=key).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {predicate_sql}", predicate_params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "member_directory_key_trgm" in plan


def test_a_member_leaving_the_directory_disappears_at_once(actors):
    member = active_member(business_name="حلوای آزمایشی")
    assert "حلوای آزمایشی" in _get(Client())[1]
    member.directory_opt_in = False
    member.save(update_fields=["directory_opt_in"])
    assert "حلوای آزمایشی" not in _get(Client())[1]


def test_a_signed_in_search_reads_the_body_from_the_cache_and_only_its_own_rows(actors, client_as, settings):
    """The filters and results are the same for everybody: a signed-in search renders only the
    layout around them — the user, the member they act for and the unread count, all from the
    cache once read (only the session where sessions are in the database); nothing about the
    members listed, for one or many. (With a cache every process shares: without it the user's
    row, member and unread count are read on every request.)"""
    settings.SHARED_CACHE = True
    active_member(business_name="شیرینی‌پزی یکم")
    signed_in = client_as("member_a")
    signed_in.get(URL)  # the session's first request also saves it
    _get(Client(), {"q": "شیرینی"})  # an anonymous visitor fills the shared body
    few, html = _get(signed_in, {"q": "شیرینی"})
    for i in range(15):
        active_member(business_name=f"شیرینی‌پزی {i:02d}")
    _get(Client(), {"q": "شیرینی"})
    many, more_html = _get(signed_in, {"q": "شیرینی"})
    sessions = settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert few == many == 0 + sessions
    assert "شیرینی‌پزی یکم" in html
    assert "صفحه ۱ از ۲" in more_html and "صفحه ۱ از ۲" not in html  # the new members are listed
