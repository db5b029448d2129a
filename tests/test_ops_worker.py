"""Real `manage.py db_worker` processes against the test database (PostgreSQL: a worker process
needs a database it can reach; the SQLite test database lives in this process's memory, where
tests/test_delivery.py runs the same worker loop in-process), and a local HTTP
SMS provider: a worker killed with SIGKILL in the middle of a send never sends it twice;
stopped workers lose nothing; two workers drain a fan-out with each message sent once."""

import datetime
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from conftest import make_member, make_user
from core import notifications
from core.models import Delivery
from pricing import services as pricing_services
from pricing.tests.factories import ensure_products
from tests.ops_support import PYTHON, ROOT, server_env
from tests.sms_provider import SmsProvider

REFRESH_SUMMARY = "permits.tasks.refresh_staff_dashboard_summary"

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SEND = "core.notifications.send_delivery"


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (a worker process reaches the test database)")


@pytest.fixture
def provider(settings):
    provider = SmsProvider()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    yield provider
    provider.stop()


class WorkerProcess:
    """`manage.py db_worker` with production settings, on the test database."""

    def __init__(self, provider, name):
        db = connection.settings_dict
        login = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
        env = server_env(
            DATABASE_URL=f"postgres://{login}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            TASKS_BACKEND="django_tasks_db.DatabaseBackend",
            NOTIFICATION_RETRY_SECONDS="0.1",
            **provider.settings(),
        )
        self.log = tempfile.NamedTemporaryFile(prefix=f"{name}-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(
            [PYTHON, "manage.py", "db_worker", "--interval", "0.05", "--no-startup-delay", "--no-reload"]
            + ["--worker-id", name],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self):
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-3000:]

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # finishes the task in hand, then exits
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        if not self.log.closed:
            self.log.close()
            os.unlink(self.log.name)


@pytest.fixture
def workers():
    started = []

    def start(provider, name):
        worker = WorkerProcess(provider, name)
        started.append(worker)
        return worker

    yield start
    while started:
        try:
            started.pop().stop()
        finally:
            for worker in started:  # never leave a worker running, whatever happened
                if worker.process.poll() is None:
                    worker.process.kill()


def wait_until(predicate, *, timeout=30, what="", worker=None):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{worker.output() if worker else ''}")
        time.sleep(0.05)


def test_a_worker_killed_in_the_middle_of_a_send_never_sends_it_twice(actors, provider, workers):
    provider.release.clear()  # the provider takes the message, then holds its answer
    notifications.notify(user=actors.member_a, subject="فقط یک بار", channels=(notifications.SMS,))
    delivery = Delivery.objects.get()
    first = workers(provider, "first")
    provider.wait_for(1, timeout=30)  # the worker is waiting for the provider's answer
    first.kill()  # kill -9: no clean-up of any kind
    provider.release.set()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.tries) == ("sending", 1)
    assert DBTaskResult.objects.get().status == "RUNNING"  # the dead worker's task

    notifications.send_delivery.enqueue(delivery.pk)  # the same task again …
    second = workers(provider, "second")  # … and a fresh worker
    wait_until(lambda: DBTaskResult.objects.filter(status="SUCCESSFUL").exists(), what="the second run", worker=second)
    assert DBTaskResult.objects.get(status="SUCCESSFUL").return_value == "skipped"
    assert len(provider.received()) == 1
    # Once the send timeout has passed, the sweep says what is known: the outcome is not.
    later = timezone.now() + datetime.timedelta(seconds=django_settings.NOTIFICATION_SENDING_TIMEOUT + 1)
    assert notifications.deliveries_requeue(now=later) == {"interrupted": 1, "requeued": 0}
    time.sleep(0.3)
    assert len(provider.received()) == 1
    assert Delivery.objects.get().status == "unknown"


def test_stopped_workers_lose_nothing_and_two_workers_send_each_message_once(actors, provider, workers):
    first = workers(provider, "before")
    notifications.notify(user=actors.member_b, subject="پیش از توقف", channels=(notifications.SMS,))
    wait_until(lambda: len(provider.delivered()) == 1, what="the first message", worker=first)
    first.stop()  # SIGTERM: the worker exits cleanly

    others = [make_user(f"0913777000{n}", f"عضو {n}") for n in range(4)]
    for n, user in enumerate(others):
        make_member(user, national_id=["0013542419", "0084575948", "0067749828", "0077889901"][n], number=30 + n)
    ensure_products()
    pricing_services.price_round_open(year=1405, month=8, actor=actors.staff)  # 6 members
    time.sleep(0.5)
    assert len(provider.received()) == 1  # no worker: nothing moved, nothing lost
    # The fan-out (the new members also queued the permits dashboard's figures, a task of its own).
    waiting = DBTaskResult.objects.filter(status="READY").exclude(task_path=REFRESH_SUMMARY)
    assert waiting.count() == 1

    workers(provider, "one")
    two = workers(provider, "two")
    wait_until(lambda: Delivery.objects.filter(status="sent").count() == 7, what="the round's messages", worker=two)
    time.sleep(0.3)  # any second send would show now
    mobiles = sorted(to for to, _text in provider.delivered())
    expected = sorted([actors.member_b.mobile, actors.member_a.mobile, actors.member_b.mobile])
    assert mobiles == sorted(expected + [user.mobile for user in others])
    assert len(provider.received()) == 7
    # Every task ran once (the dashboard figures' refresh waits its 30 s and is not counted).
    assert set(DBTaskResult.objects.exclude(task_path=REFRESH_SUMMARY).values_list("status", flat=True)) == {
        "SUCCESSFUL"
    }
