"""The verification page kept in the shared cache (showcase.verify_cache) and its scans counted
there (core.counters): a scan of a cached page reads nothing from the database, and yet every
change that can turn it red shows on the very next scan; the counts reach the database exact.

Run in one process the local-memory cache is shared by everything the test does, so the
verdict tests run on SQLite too (SHARED_CACHE on); the tests of scans waiting in Redis run in the
PostgreSQL + Redis pass."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core import counters
from members import services as member_services
from members.models import Member
from permits import services as permit_services
from showcase import selectors, services, tasks
from showcase.models import BoxCode, ScanCount
from showcase.tests import factories

pytestmark = pytest.mark.django_db

FLUSH_TASK = "showcase.tasks.flush_scan_counts"


@pytest.fixture(autouse=True)
def _shared_cache(settings):
    settings.SHARED_CACHE = True


def _scan(client, code):
    """(state, the page's HTML, how many SELECTs the scan made)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("verify", args=[code.code]))
    html = response.content.decode()
    match = re.search(r'data-state="(green|red)"', html)
    selects = sum(1 for query in queries.captured_queries if query["sql"].lstrip().upper().startswith("SELECT"))
    return (match.group(1) if match else None), html, selects


def _warm(client, code):
    """Two green scans, the second from the cache."""
    assert _scan(client, code)[::2] == ("green", 2)
    state, html, selects = _scan(client, code)
    assert (state, selects) == ("green", 0)
    return html


def _scans(code):
    return sum(ScanCount.objects.filter(code=code).values_list("count", flat=True))


def test_second_scan_is_served_from_the_cache_and_still_counted(boxed, client):
    _listing, _licence, code = boxed
    first = _scan(client, code)
    second = _scan(client, code)
    assert (first[0], first[2], second[0], second[2]) == ("green", 2, "green", 0)
    assert second[1] == first[1]
    if not services.scans_buffered():
        assert _scans(code) == 2


def _suspend_licence(boxed, actors):
    permit_services.permit_status_set(
        permit=boxed[1], actor=actors.staff, suspended_from=timezone.localdate(), status_note="بازرسی"
    )


def _revoke_licence(boxed, actors):
    permit_services.permit_status_set(
        permit=boxed[1], actor=actors.staff, revoked_on=timezone.localdate(), status_note="تخلف"
    )


def _expire_licence(boxed, actors):
    licence = boxed[1]
    licence.expiry_date = timezone.localdate() - datetime.timedelta(days=1)
    licence.save()


def _uncover_product(boxed, actors):
    boxed[1].products.set([factories.product("rice-cookies")])


def _uncover_from_the_product_side(boxed, actors):
    boxed[0].product.permits.remove(boxed[1])


def _delete_licence(boxed, actors):
    boxed[1].delete()


def _suspend_member(boxed, actors):
    member_services.member_suspend(member=actors.a, actor=actors.staff, reason="بدهی")


def _lapse_member(boxed, actors):
    member_services.member_change_status(member=actors.a, actor=None, to_status=Member.Status.LAPSED)


def _withdraw_code(boxed, actors):
    services.box_codes_revoke(codes=[boxed[2]], actor=actors.member_a)


def _erase_showcase(boxed, actors):
    services.member_showcase_erase(actors.a)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_expire_licence, "پروانه بهداشتی امروز معتبر نیست"),
        (_suspend_licence, "پروانه بهداشتی امروز معتبر نیست"),
        (_revoke_licence, "پروانه بهداشتی امروز معتبر نیست"),
        (_uncover_product, "پروانه بهداشتی ثبت نشده است"),
        (_uncover_from_the_product_side, "پروانه بهداشتی ثبت نشده است"),
        (_delete_licence, "پروانه بهداشتی ثبت نشده است"),
        (_suspend_member, "عضویت این تولیدکننده در خوشه امروز فعال نیست."),
        (_lapse_member, "عضویت این تولیدکننده در خوشه امروز فعال نیست."),
        (_withdraw_code, "این کد باطل شده است"),
        (_erase_showcase, "این کد باطل شده است"),
    ],
)
def test_the_next_scan_after_a_change_is_red(boxed, actors, client, change, message):
    _warm(client, boxed[2])
    change(boxed, actors)
    state, html, selects = _scan(client, boxed[2])
    assert (state, selects) == ("red", 2)
    assert message in html
    assert _scan(client, boxed[2])[::2] == ("red", 0)  # and that is kept in turn


def test_back_to_green_on_the_next_scan(boxed, actors, client):
    _listing, licence, code = boxed
    _warm(client, code)
    _suspend_licence(boxed, actors)
    assert _scan(client, code)[0] == "red"
    permit_services.permit_status_set(permit=licence, actor=actors.staff)  # the suspension lifted
    assert _scan(client, code)[::2] == ("green", 2)


def test_a_licence_expiring_tonight_is_red_on_the_first_scan_after_midnight(actors, client, monkeypatch):
    listing = factories.listing(actors.a, actors.member_a)
    factories.licence(actors.a, [listing.product], expiry_in=0)  # its last day is today
    code = factories.batch(listing, actors.member_a).codes.first()
    _warm(client, code)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    state, html, selects = _scan(client, code)
    assert (state, selects) == ("red", 2)
    assert "پروانه بهداشتی امروز معتبر نیست" in html


def test_what_the_page_names_is_renewed_too(boxed, actors, client):
    listing, _licence, code = boxed
    html = _warm(client, code)
    assert f"/showcase/{listing.pk}/" in html
    actors.a.business_name = "کارگاه تازه‌نام"
    actors.a.save()
    assert "کارگاه تازه‌نام" in _scan(client, code)[1]
    services.listing_hide(listing=listing, actor=actors.staff, reason="عکس نامناسب")
    assert f"/showcase/{listing.pk}/" not in _scan(client, code)[1]  # out of the showcase: no link


def test_each_language_and_day_has_its_own_page(boxed, client):
    _listing, _licence, code = boxed
    _warm(client, code)
    client.cookies["django_language"] = "en"
    state, html, selects = _scan(client, code)
    assert (state, selects) == ("green", 2)
    assert "Health licence valid today" in html
    assert _scan(client, code)[2] == 0


def test_unknown_codes_are_never_stored(client):
    for path in ("not-a-code-at-all", "x" * 41, "bad code!"):
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse("verify", args=[path]))
            assert response.status_code == 404
            assert len(queries) == (1 if len(path) <= 40 else 0)  # looked up each time


def test_cache_reads_off_renders_every_scan(boxed, client, settings):
    settings.PAGE_CACHE_READS = False  # the benchmark's cache-miss run
    _listing, _licence, code = boxed
    assert [_scan(client, code)[::2] for _ in range(2)] == [("green", 2), ("green", 2)]


def test_without_a_shared_cache_every_scan_reads_and_writes_the_database(boxed, client, settings):
    settings.SHARED_CACHE = False  # the embedded default: one local-memory cache per process
    _listing, _licence, code = boxed
    assert [_scan(client, code)[::2] for _ in range(2)] == [("green", 2), ("green", 2)]
    assert _scans(code) == 2


# -- scans waiting in Redis -------------------------------------------------------------------------


@pytest.fixture
def buffered(settings):
    if not counters.available():
        pytest.skip("scans wait in the cache only with Redis (django-redis)")
    settings.SCAN_FLUSH_SECONDS = 60
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.postgres
def test_scans_wait_in_redis_until_the_flush_writes_them_exactly(buffered, boxed, client):
    _listing, _licence, code = boxed
    month = selectors.month_start(timezone.localdate())
    key = services.pending_scans_key(code.pk, month)
    for _ in range(5):
        client.get(reverse("verify", args=[code.code]))
    assert (ScanCount.objects.count(), counters.peek(key)) == (0, 5)
    # queued at the 1st scan, again at the 2nd and 4th (each doubling), to run in a minute
    queued = list(DBTaskResult.objects.filter(task_path=FLUSH_TASK).values_list("args_kwargs", "run_after"))
    assert [args for args, _run_after in queued] == [{"args": [code.pk, month.isoformat()], "kwargs": {}}] * 3
    assert all(run_after > timezone.now() + datetime.timedelta(seconds=50) for _args, run_after in queued)

    assert tasks.flush_scan_counts.call(code.pk, month.isoformat()) == 5
    assert tasks.flush_scan_counts.call(code.pk, month.isoformat()) == 0  # a second run finds nothing
    assert (_scans(code), counters.peek(key)) == (5, 0)

    client.get(reverse("verify", args=[code.code]))  # the first scan after a flush queues one
    assert DBTaskResult.objects.filter(task_path=FLUSH_TASK).count() == 4
    assert services.box_code_scans_flush(code_id=code.pk, month=month) == 1
    assert _scans(code) == 6


@pytest.mark.postgres
def test_months_wait_apart_and_a_vanished_code_is_dropped(buffered, boxed, actors):
    _listing, _licence, code = boxed
    other = BoxCode.objects.filter(batch=code.batch).exclude(pk=code.pk).first()
    month = selectors.month_start(timezone.localdate())
    next_month = selectors.month_start(month + datetime.timedelta(days=40))
    for day, times in ((month, 2), (next_month, 3)):
        for _ in range(times):
            services.box_code_scan_count(code_id=code.pk, today=day)
    services.box_code_scan_count(code_id=other.pk, today=month)
    assert services.box_code_scans_flush(code_id=code.pk, month=next_month) == 3
    assert services.box_code_scans_flush(code_id=code.pk, month=month) == 2
    assert sorted(ScanCount.objects.filter(code=code).values_list("month", "count")) == [(month, 2), (next_month, 3)]
    BoxCode.objects.filter(pk=other.pk).delete()
    assert services.box_code_scans_flush(code_id=other.pk, month=month) == 1  # taken, written nowhere
    assert not ScanCount.objects.filter(code_id=other.pk).exists()


def test_an_unreachable_cache_still_answers_from_the_database_and_counts_the_scan(boxed, client, monkeypatch):
    """The label on a box must answer whatever happens to Redis: the page is made from the
    database and the scan written there at once (no 500)."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    from core import fragment_cache

    _listing, _licence, code = boxed
    _warm(client, code)
    before = _scans(code)

    def down(*args, **kwargs):
        raise RedisConnectionError("Redis is down")

    monkeypatch.setattr(fragment_cache, "read", down)
    monkeypatch.setattr(fragment_cache, "store", down)
    monkeypatch.setattr(counters, "add", down)
    monkeypatch.setattr(services, "scans_buffered", lambda: True)  # as with Redis configured
    state, _html, selects = _scan(client, code)
    assert (state, selects) == ("green", 2)
    assert _scans(code) == before + 1
