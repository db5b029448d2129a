"""The staff dashboard's stored figures (permits.summary): computed by a task after writes,
read back in one query, recomputed in the request only when missing, of another day, or old
with the tables changed since; the lists stay live and each has its whole list a click away."""

import datetime
import json
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from core import jalali
from core.persian import digits_to_persian
from members.dashboard_cache import bump_table
from members.models import Member
from permits import selectors, summary
from permits.models import Permit, PermitCase, StaffDashboardSummary
from permits.tests import factories
from permits.tests.test_loose_ends import _late_case
from permits.tests.test_pages import _valid

pytestmark = pytest.mark.django_db
URL = reverse("permits:dashboard")


@pytest.fixture(autouse=True)
def _own_computing_mark(monkeypatch):
    """A "computing" mark of this test's own: a shared Redis is not emptied between tests, and
    a parallel test computing the figures must not make this one show stored ones."""
    import uuid

    monkeypatch.setattr(summary, "COMPUTING_KEY", f"{summary.COMPUTING_KEY}:{uuid.uuid4().hex}")


def _in_30(figures):
    return figures.figures["windows"]["in_30"]


def test_none_stored_computes_them_then_one_query_reads_them(actors, django_assert_num_queries):
    factories.permit(actors.a, number="S-1", expiry_in=5)
    assert not StaffDashboardSummary.objects.exists()
    first = summary.current()
    assert (first.computed_for, _in_30(first)) == (timezone.localdate(), 1)
    with django_assert_num_queries(1):
        again = summary.current()
    assert (again.pk, again.computed_at, again.figures) == (first.pk, first.computed_at, first.figures)
    assert StaffDashboardSummary.objects.count() == 1


def test_the_stored_figures_are_read_as_the_orm_reads_them(actors, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert summary.stored() is None
    factories.permit(actors.a, number="S-1", expiry_in=5)
    _late_case(actors, days_ago=20)
    summary.refresh()
    with django_assert_num_queries(1):
        stored = summary.stored()
    orm = StaffDashboardSummary.objects.get()
    assert (stored.pk, stored.computed_for, stored.computed_at, stored.tables_token, stored.figures) == (
        orm.pk,
        orm.computed_for,
        orm.computed_at,
        orm.tables_token,
        orm.figures,
    )
    assert stored.figures["windows"]["in_30"] == 1 and stored.figures["overdue"]["count"] == 1
    assert timezone.is_aware(stored.computed_at) and not stored._state.adding


def test_a_saved_permit_queues_the_refresh_which_runs_after_the_commit(actors, django_capture_on_commit_callbacks):
    stored = summary.current()
    assert _in_30(stored) == 0
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        factories.permit(actors.a, number="S-2", expiry_in=5)
    assert _in_30(summary.current()) == 0  # not before the commit
    assert callbacks
    for callback in callbacks:
        callback()  # the commit: the immediate backend of the tests runs the task at once
    refreshed = StaffDashboardSummary.objects.get()
    assert _in_30(refreshed) == 1
    assert refreshed.tables_token == summary.current_token()


@pytest.mark.parametrize("shared", [False, True])
def test_a_run_queued_while_the_figures_are_current_computes_nothing_with_a_shared_cache(actors, settings, shared):
    """Runs that waited in a queue (no worker for a while) compute the figures once, not once
    each — where the worker can see the tables' versions (a shared cache)."""
    from permits.tasks import refresh_staff_dashboard_summary

    settings.SHARED_CACHE = shared
    stored = summary.current()
    refresh_staff_dashboard_summary.call()
    again = StaffDashboardSummary.objects.get()
    assert (again.computed_at == stored.computed_at) is shared
    factories.permit(actors.a, number="S-3", expiry_in=5)  # the tables change: computed again
    refresh_staff_dashboard_summary.call()
    after = StaffDashboardSummary.objects.get()
    assert after.computed_at > again.computed_at and _in_30(after) == 1


def _own_mark(monkeypatch):
    """A "queued" mark of this test's own (a shared Redis is not emptied between tests)."""
    import uuid

    monkeypatch.setattr(summary, "QUEUED_KEY", f"{summary.QUEUED_KEY}:{uuid.uuid4().hex}")


def test_with_a_queue_that_can_wait_a_burst_of_writes_queues_one_refresh_later(
    actors, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    _own_mark(monkeypatch)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            factories.permit(actors.a, number=f"Q-{n}", expiry_in=5)
    queued = list(DBTaskResult.objects.filter(task_path="permits.tasks.refresh_staff_dashboard_summary"))
    assert len(queued) == 1
    delay = (queued[0].run_after - before).total_seconds()
    assert summary.REFRESH_DELAY <= delay < summary.REFRESH_DELAY + 5


@pytest.mark.parametrize("shared", [False, True])
def test_a_write_after_the_queued_run_is_due_queues_another_without_a_shared_cache(
    actors, settings, monkeypatch, django_capture_on_commit_callbacks, shared
):
    """Without Redis the worker that runs the task cannot remove the web process's mark: it must
    not outlive the run's due time, or a write made just after the run waits for a read."""
    import time

    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.SHARED_CACHE = shared
    monkeypatch.setattr(summary, "REFRESH_DELAY", 1)
    _own_mark(monkeypatch)

    def queued():
        return DBTaskResult.objects.filter(task_path="permits.tasks.refresh_staff_dashboard_summary").count()

    with django_capture_on_commit_callbacks(execute=True):
        factories.permit(actors.a, number="M-1", expiry_in=5)
    assert queued() == 1
    time.sleep(1.2)  # the run is due (a worker elsewhere would have taken it by now)
    with django_capture_on_commit_callbacks(execute=True):
        factories.permit(actors.a, number="M-2", expiry_in=5)
    # With Redis the run itself removes the mark when it starts; until then nothing more.
    assert queued() == (1 if shared else 2)


def test_changed_tables_show_the_stored_figures_until_refreshed_or_too_old(actors, django_capture_on_commit_callbacks):
    stored = summary.current()
    # A write no signal sees, then its table's version renewed (as services do).
    Permit.objects.bulk_create(
        [
            Permit(
                permit_type=factories.permit_type("business_licence"),
                member=actors.a,
                number="B-1",
                issuer="x",
                issue_date=timezone.localdate(),
                expiry_date=timezone.localdate() + datetime.timedelta(days=3),
            )
        ]
    )
    bump_table("permits.permit")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        shown = summary.current()
    assert (shown.computed_at, _in_30(shown)) == (stored.computed_at, 0)
    assert len(callbacks) == 1  # a refresh queued
    # No worker ran it: past MAX_AGE_SECONDS the request computes them itself.
    old = timezone.now() - datetime.timedelta(seconds=summary.MAX_AGE_SECONDS + 1)
    StaffDashboardSummary.objects.update(computed_at=old)
    # While another request computes them, the stored ones, rather than computing them twice.
    cache.add(summary.COMPUTING_KEY, 1)
    try:
        assert (summary.current().computed_at, _in_30(summary.current())) == (old, 0)
    finally:
        cache.delete(summary.COMPUTING_KEY)
    assert _in_30(summary.current()) == 1
    # Old but nothing changed since: kept.
    StaffDashboardSummary.objects.update(computed_at=old)
    assert summary.current().computed_at == old


def test_figures_of_an_earlier_day_are_computed_again(actors):
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    factories.permit(actors.a, number="E-1", expiry_in=0)  # expires today: expired tomorrow
    summary.current(today=yesterday)
    assert StaffDashboardSummary.objects.get().computed_for == yesterday
    fresh = summary.current(today=today)
    assert (fresh.computed_for, fresh.figures["windows"]["expired"]) == (today, 0)
    tomorrow = summary.current(today=today + datetime.timedelta(days=1))
    assert tomorrow.figures["windows"]["expired"] == 1


def test_the_page_says_when_its_figures_were_computed(actors, client_as):
    from django.core.cache import cache

    html = client_as("staff").get(URL).content.decode()
    computed = timezone.localtime(StaffDashboardSummary.objects.get().computed_at)
    text = re.search(r'data-testid="figures-as-of">(.*?)</p>', html).group(1)
    time = digits_to_persian(f"{computed:%H:%M}")
    assert text == f"شمارش‌ها، نمودارها و میانه‌ها تا ساعت {time}؛ فهرست‌ها به‌روز هستند."
    # An earlier day's figures are shown, dated, while another request computes today's.
    client = client_as("staff")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    StaffDashboardSummary.objects.update(computed_for=timezone.localdate() - datetime.timedelta(days=1))
    cache.add(summary.COMPUTING_KEY, 1, timeout=60)
    html = client.get(URL).content.decode()
    text = re.search(r'data-testid="figures-as-of">(.*?)</p>', html).group(1)
    assert text == (
        f"Counts, charts and medians as of {jalali.format_datetime(computed)} (being brought up to date); "
        "the lists are up to date."
    )
    cache.delete(summary.COMPUTING_KEY)
    html = client.get(URL).content.decode()
    assert StaffDashboardSummary.objects.get().computed_for == timezone.localdate()
    assert "being brought up to date" not in html


def test_the_stored_figures_name_nobody(actors):
    worker = factories.worker(actors.a, full_name="کارگر نمونه")
    factories.permit(actors.a, "health_card", number="HC-1", expiry_in=-3, worker=worker)
    _late_case(actors, days_ago=20)
    stored = json.dumps(summary.refresh().figures, ensure_ascii=False)
    for name in (actors.a.business_name, actors.b.business_name, worker.full_name, actors.member_a.full_name):
        assert name not in stored


def _guild_member(n, *, national_id, mobile):
    return Member.objects.create(
        kind="guild",
        business_name=f"عضو {n}",
        owner_name="x",
        owner_national_id=national_id,
        mobile=mobile,
        county="qazvin",
        status="active",
    )


def test_overdue_cases_are_ordered_in_the_database_as_the_rule_in_python(actors):
    """The "see all" list (overdue_ids: predicates and an ORDER BY in SQL) holds exactly the
    cases _late_current_steps finds late, the longest late first, then the first to enter its
    step, then by id — across issuers with different legal times and cases that fall due on the
    same day."""
    cases = []
    for n, days_ago in enumerate((16, 40, 25, 16, 11, 9, 30)):  # guild union: 15 days
        member = _guild_member(n, national_id=_valid(700 + n), mobile=f"0915000{n:04d}")
        cases.append(_late_case(actors, days_ago=days_ago, member=member, tracking=f"G-{n}"))
    for n, days_ago in enumerate((12, 26, 9)):  # health cards at the health centre: 10 days
        worker = factories.worker(actors.b, full_name=f"h{n}", national_id=_valid(800 + n))
        _late_case(actors, days_ago=days_ago, member=actors.b, code="health_card", tracking=f"H-{n}", worker=worker)
    today = timezone.localdate()
    late = selectors._late_current_steps(today=today, deadlines=selectors.step_deadlines())
    entered = dict(PermitCase.objects.values_list("pk", "step_changed_at"))
    expected = [row[0] for row in sorted(late, key=lambda row: (-row[4], entered[row[0]], row[0]))]
    assert len(expected) == 7
    assert list(selectors.overdue_ids(today=today)) == expected
    listed = selectors.overdue_cases(today=today, limit=3)
    assert [case.pk for case in listed["cases"]] == expected[:3]
    assert [case.delay_days for case in listed["cases"]] == sorted((row[4] for row in late), reverse=True)[:3]
    assert listed["count"] == 7


def _pages(client, kind):
    response = client.get(reverse("permits:dashboard_list", args=[kind]))
    assert response.status_code == 200
    return response


def test_every_list_in_full_a_page_at_a_time(actors, client_as):
    staff = client_as("staff")
    for n in range(53):
        factories.permit(actors.a, "business_licence", number=f"L-{n:02d}", issue_days_ago=400, expiry_in=-1 - n)
    response = _pages(staff, "expired")
    page = response.context["page"]
    assert (page.paginator.count, len(page.object_list)) == (53, 50)
    assert [p["number"] for p in page.object_list][:2] == ["L-00", "L-01"]
    assert {p["state"] for p in page.object_list} == {"expired"}
    html = response.content.decode()
    assert f'href="{reverse("admin:permits_permit_change", args=[page.object_list[0]["id"]])}"' in html
    second = staff.get(reverse("permits:dashboard_list", args=["expired"]) + "?page=2").context["page"]
    assert [p["number"] for p in second.object_list] == ["L-50", "L-51", "L-52"]
    # The dashboard shows the first ten and links to the rest, saying how many there are.
    summary.refresh()
    body = staff.get(URL).content.decode()
    assert len(re.findall(r'<li class="list-group-item" data-permit="\d+">', body)) == 10
    assert re.search(r'data-list="expired" href="[^"]+">[^<]*۵۳', body)
    for kind in ("expiring", "expired-cards", "stale", "overdue", "home-without"):
        _pages(staff, kind)
    assert staff.get(reverse("permits:dashboard_list", args=["nothing"])).status_code == 404


def test_the_first_members_with_expired_cards_are_those_of_the_whole_list(actors):
    """The dashboard finds them from the latest expired cards (selectors.staff_expired_cards_rows);
    the full list tests every member: the same members in the same order (the latest expired
    card first, then by id)."""
    today = timezone.localdate()
    types = list(factories.permit_type("health_card").__class__.objects.all())
    for n in range(14):
        member = _guild_member(n, national_id=_valid(900 + n), mobile=f"0916000{n:04d}")
        for k in range(1 + n % 3):
            worker = factories.worker(member, full_name=f"w{n}-{k}", national_id=_valid(1000 + 10 * n + k))
            factories.permit(member, "health_card", number=f"C-{n}-{k}", expiry_in=-1 - (n * 7 + k) % 9, worker=worker)
    whole = list(selectors._expired_cards_members(today=today, types=types))
    assert len(whole) == 14
    for limit in (3, 10):
        first = selectors.staff_expired_cards_rows(today=today, limit=limit)
        assert [(m["id"], m["expired_cards"]) for m in first] == [(m.pk, m.expired_cards) for m in whole[:limit]]
    assert PermitCase.objects.count() == 0


@pytest.mark.parametrize("page", ["abc", "۲", "٢", "999", "-1", "0", "1.5", "", "%00"])
def test_a_list_page_of_any_number_answers_a_page(actors, client_as, page):
    """Garbage, Persian and Arabic digits, out of range: a page of the list, never a 500."""
    for n in range(53):
        factories.permit(actors.a, "business_licence", number=f"P-{n:02d}", issue_days_ago=400, expiry_in=-1 - n)
    response = client_as("staff").get(reverse("permits:dashboard_list", args=["expired"]) + f"?page={page}")
    assert response.status_code == 200
    number = response.context["page"].number
    assert number == {"۲": 2, "٢": 2, "999": 2, "-1": 2, "0": 2}.get(page, 1)


def test_a_member_may_not_open_a_list(actors, client_as):
    response = client_as("member_a").get(reverse("permits:dashboard_list", args=["expired"]))
    assert response.status_code in (403, 404)
