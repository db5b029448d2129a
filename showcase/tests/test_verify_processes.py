"""The verification page across processes, as deployed: two app servers (gunicorn, production
settings, two workers each) on the test database and the tests' Redis, and a `manage.py
db_worker`. Both servers are hammered with scans of one code at once: the scans wait in Redis
and the worker writes them, and the month's count is exact. A code withdrawn by another
process (this one) is red on the very next scan through either server."""

import subprocess
import tempfile
import threading
import time
import urllib.request
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core import counters
from showcase import selectors, services
from showcase.models import ScanCount
from showcase.tests import factories
from tests.ops_support import PYTHON, ROOT, Gunicorn, server_env

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_and_redis():
    if connection.vendor != "postgresql" or not counters.available():
        pytest.skip("needs PostgreSQL and Redis (other processes reach the test database and cache)")


@pytest.fixture
def portal_env():
    db = connection.settings_dict
    login = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    return server_env(
        DATABASE_URL=f"postgres://{login}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        REDIS_URL=settings.CACHES["default"]["LOCATION"],
        CACHE_KEY_PREFIX=settings.CACHES["default"]["KEY_PREFIX"],  # the tokens this process bumps
        SCAN_FLUSH_SECONDS="1",
        RATELIMIT_ENABLE="false",
    )


@pytest.fixture
def processes(portal_env):
    started = []
    log = tempfile.TemporaryFile()  # noqa: SIM115
    worker = subprocess.Popen(
        [PYTHON, "manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env=portal_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        started = [Gunicorn(portal_env, workers=2, name=f"verify-{n}") for n in (1, 2)]
        yield started
    finally:
        for server in started:
            server.stop()
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()


def wait_until(predicate, *, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


def test_two_servers_scanning_one_code_count_exactly_and_turn_red_together(seed_data, actors, processes):
    listing = factories.listing(actors.a, actors.member_a)
    factories.licence(actors.a, [listing.product], expiry_in=30)
    code = factories.batch(listing, actors.member_a).codes.first()
    path = reverse("verify", args=[code.code])
    answers = []

    def scan(server, times):
        for _ in range(times):
            answers.append(_get(server.url + path))

    threads = [threading.Thread(target=scan, args=(server, 40)) for server in processes for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 160
    assert {status for status, _html in answers} == {200}
    assert all('data-state="green"' in html for _status, html in answers)

    month = selectors.month_start(timezone.localdate())

    def counted():
        return sum(ScanCount.objects.filter(code=code, month=month).values_list("count", flat=True))

    wait_until(lambda: counted() == 160, timeout=30, what="160 scans written")
    assert counters.peek(services.pending_scans_key(code.pk, month)) == 0

    services.box_codes_revoke(codes=[code], actor=actors.member_a)
    for server in processes:
        assert 'data-state="red"' in _get(server.url + path)[1]
    wait_until(lambda: counted() == 162, timeout=30, what="the last two scans written")
