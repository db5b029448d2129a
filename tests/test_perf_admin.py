"""The admin change lists of the big tables (members, price submissions, permits): a constant
number of queries whatever the number of rows, no full-table count, no counts per filter choice,
and (PostgreSQL) the price submissions' order read from an index instead of a sort."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.admin_perf import LargeTableAdminMixin
from core.paginators import LargeTablePaginator
from members.models import Member
from permits.models import Permit
from permits.tests import factories as permit_factories
from pricing.models import PriceRound, PriceSubmission
from pricing.tests.factories import make_members, make_open_round, make_submission

pytestmark = pytest.mark.django_db

BIG_TABLES = [Member, PriceSubmission, Permit]


@pytest.mark.parametrize("model", BIG_TABLES, ids=lambda m: m._meta.model_name)
def test_big_table_admins_never_count_the_whole_table_or_each_filter_choice(model):
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, LargeTableAdminMixin)
    assert model_admin.paginator is LargeTablePaginator
    assert model_admin.show_full_result_count is False
    assert model_admin.show_facets is admin.ShowFacets.NEVER
    assert model_admin.list_per_page == 50


def test_the_quick_row_checkbox_is_the_same_markup_as_djangos(actors):
    from django.utils import translation

    actors.a.business_name = 'کارگاه "<ویژه>"'
    for language in ("fa", "en"):
        with translation.override(language):
            quick = admin.site._registry[Member].action_checkbox(actors.a)
            django = admin.ModelAdmin(Member, admin.site).action_checkbox(actors.a)
        assert str(quick) == str(django)


def _changelist_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def _add_submissions(actors, count):
    price_round = PriceRound.objects.filter(year=1405, month=8).first() or make_open_round(1405, 8)
    for member in make_members(count):
        make_submission(member=member, price_round=price_round)


def _add_permits(actors, count):
    for member in make_members(count):
        permit_factories.permit(member)


@pytest.mark.parametrize(
    "url_name, grow",
    [
        ("admin:members_member_changelist", lambda actors, n: make_members(n)),
        ("admin:pricing_pricesubmission_changelist", _add_submissions),
        ("admin:permits_permit_changelist", _add_permits),
    ],
    ids=["members", "price submissions", "permits"],
)
def test_big_table_changelists_run_the_same_queries_for_one_row_and_many(actors, client_as, url_name, grow):
    client = client_as("staff")
    url = reverse(url_name)
    client.get(url)  # the first request of a session also saves it
    grow(actors, 1)
    few = _changelist_queries(client, url)
    grow(actors, 12)
    many = _changelist_queries(client, url)
    assert len(many) == len(few)
    if url_name != "admin:members_member_changelist":
        # No COUNT per filter choice (facets) and at most the one count of the paginator.
        assert sum("COUNT(" in sql.upper() for sql in many) <= 1


@pytest.mark.postgres
def test_price_submission_changelist_order_is_read_from_an_index(actors):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    queryset = admin.site._registry[PriceSubmission].get_queryset(None).order_by(*PriceSubmission._meta.ordering)
    sql, params = queryset[:50].query.sql_with_params()
    with connection.cursor() as cursor:
        # With sorting priced out, a plan without the index would still sort: the index must
        # give the rows in the change list's order by itself.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "price_sub_newest" in plan
    assert "Sort" not in plan.split("price_sub_newest")[0]


@pytest.mark.postgres
def test_unfiltered_big_table_total_comes_from_statistics_not_count(actors):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE pg_class SET reltuples = 1000000 WHERE oid = 'pricing_pricesubmission'::regclass")
    paginator = LargeTablePaginator(PriceSubmission.objects.order_by("-created_at", "-id"), 100)
    with CaptureQueriesContext(connection) as queries:
        assert paginator.count == 1_000_000
    assert not any("COUNT(" in query["sql"].upper() for query in queries.captured_queries)
    filtered = LargeTablePaginator(PriceSubmission.objects.filter(status="accepted"), 100)
    assert filtered.count == 0  # filtered lists count exactly
