"""Operations on real parts: gunicorn app servers with production settings on a private
PostgreSQL instance (its own folder and port; the machine's shared server is never stopped),
and Redis. Each check is bounded to seconds. Runs in the PostgreSQL pass of `make test`;
skipped on SQLite and where PostgreSQL's server binaries are absent."""

import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from PIL import Image

from tests.ops_support import (
    ROOT,
    Gunicorn,
    PrivatePostgres,
    WebClient,
    form_fields,
    manage,
    private_postgres_unavailable_reason,
    server_env,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (the PostgreSQL pass of make test)"),
    pytest.mark.skipif(bool(private_postgres_unavailable_reason()), reason=private_postgres_unavailable_reason() or ""),
]

PASSWORD = "ops-pass-1405"
MEMBER_MOBILE = "09140000001"
STAFF_MOBILE = "09140000099"

CREATE_USERS = f"""
from members.models import County, Member, MemberUser, User
user = User.objects.create_user("{MEMBER_MOBILE}", "{PASSWORD}", full_name="عضو آزمون عملیات")
User.objects.create_superuser("{STAFF_MOBILE}", "{PASSWORD}", full_name="مدیر آزمون عملیات")
member = Member.objects.create(
    kind=Member.Kind.GUILD, business_name="شیرینی‌سرای آزمون", owner_name=user.full_name,
    owner_national_id="0012345679", mobile=user.mobile, county=County.QAZVIN,
    status=Member.Status.ACTIVE, membership_number=7001, address="قزوین، خیابان پیغمبریه، پلاک ۷",
)
member.refresh_search_key()
member.save()
MemberUser.objects.create(member=member, user=user, role=MemberUser.Role.OWNER)
"""


class Cluster:
    """The shared parts of several app servers: one database, one Redis, one media folder."""

    def __init__(self):
        self.pg = PrivatePostgres()
        self.pg.start()
        self.database = "portal"
        self.pg.create_database(self.database)
        self.files = tempfile.mkdtemp(prefix="portal-ops-media-")
        self.env = server_env(
            DATABASE_URL=self.pg.url(self.database),
            MEDIA_ROOT=os.path.join(self.files, "media"),
            PRIVATE_MEDIA_ROOT=os.path.join(self.files, "private_media"),
            CONN_MAX_AGE=60,
        )
        self.env.pop("REDIS_URL", None)
        manage("migrate", "--noinput", env=self.env)
        manage("shell", "-c", CREATE_USERS, env=self.env)

    def with_redis(self):
        redis_url = os.environ.get("REDIS_URL")
        if not redis_url:
            pytest.skip("needs Redis (REDIS_URL) shared by the app servers")
        return {**self.env, "REDIS_URL": redis_url, "CACHE_KEY_PREFIX": f"ops-{uuid.uuid4().hex[:8]}"}

    def destroy(self):
        self.pg.destroy()
        shutil.rmtree(self.files, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster():
    cluster = Cluster()
    yield cluster
    cluster.destroy()


@pytest.fixture
def servers():
    started = []

    def start(env, **kwargs):
        server = Gunicorn(env, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def timed(call, *args, **kwargs):
    started = time.monotonic()
    result = call(*args, **kwargs)
    return result, time.monotonic() - started


def test_database_outage_gives_translated_503_fast_and_recovers_without_restart(cluster, servers):
    server = servers(cluster.env)
    member = WebClient()
    assert member.login(server.url, MEMBER_MOBILE, PASSWORD)[0] == 302
    assert member.get(f"{server.url}/notifications/")[0] == 200

    cluster.pg.stop()
    try:
        for path in ("/", "/notifications/"):
            (status, headers, body), seconds = timed(member.get, f"{server.url}{path}")
            html = body.decode()
            assert status == 503, (path, status, html[:300])
            assert seconds < 1.0, (path, seconds)
            assert headers["Retry-After"] == "30"
            assert '<html lang="fa" dir="rtl">' in html
            assert "موقتاً در دسترس نیست" in html

        visitor = WebClient(language="en")
        token = visitor.csrf_token(f"{server.url}/accounts/login/")  # the form needs no database
        (status, _headers, body), seconds = timed(
            visitor.post,
            f"{server.url}/accounts/login/",
            {"username": MEMBER_MOBILE, "password": PASSWORD},
            token=token,
        )
        assert (status, seconds < 1.0) == (503, True)
        assert "Temporarily unavailable" in body.decode() and '<html lang="en" dir="ltr">' in body.decode()

        (status, _headers, body), seconds = timed(visitor.get, f"{server.url}/readyz")
        assert (status, body, seconds < 1.0) == (
            503,
            b'{"status": "unavailable", "database": "unavailable", "cache": "ok"}',
            True,
        )
        assert visitor.get(f"{server.url}/healthz")[:3:2] == (200, b'{"status": "ok"}')
    finally:
        cluster.pg.start()

    # The same gunicorn processes reconnect: no restart, and the session survived.
    assert member.get(f"{server.url}/readyz")[0] == 200
    status, _headers, body = member.get(f"{server.url}/notifications/")
    assert status == 200
    assert server.process.poll() is None


def test_two_app_servers_share_sign_in_and_login_lockout(cluster, servers):
    env = cluster.with_redis()
    first, second = servers(env, name="portal-a"), servers(env, name="portal-b")

    member = WebClient()
    assert member.login(first.url, MEMBER_MOBILE, PASSWORD)[0] == 302
    status, _headers, body = member.get(f"{second.url}/notifications/")
    assert status == 200  # the session made on the first server is valid on the second
    assert 'action="/accounts/logout/"' in body.decode()
    assert member.post(f"{second.url}/accounts/logout/", {}, form_url=f"{second.url}/notifications/")[0] == 302
    assert member.get(f"{first.url}/notifications/")[0] == 302  # signed out everywhere

    # Wrong passwords spread over both servers count together: the fifth locks the number.
    attacker = WebClient()
    for attempt in range(4):
        server = (first, second)[attempt % 2]
        status, _headers, body = attacker.login(server.url, MEMBER_MOBILE, "wrong-password")
        assert status == 200, (attempt, status)
        assert "شماره همراه یا گذرواژه درست نیست." in body.decode()
    assert attacker.login(first.url, MEMBER_MOBILE, "wrong-password")[0] == 429
    for server in (first, second):
        status, _headers, body = attacker.login(server.url, MEMBER_MOBILE, PASSWORD)
        assert status == 429, status  # locked even with the right password
        assert "تلاش‌های ناموفق بیش از حد" in body.decode()


def test_an_upload_through_one_server_downloads_through_the_other(cluster, servers):
    env = cluster.with_redis()
    first, second = servers(env, name="portal-a"), servers(env, name="portal-b")
    member = WebClient()
    assert member.login(first.url, MEMBER_MOBILE, PASSWORD)[0] == 302

    edit = f"{first.url}/members/me/edit/"
    status, _headers, body = member.get(edit)
    assert status == 200
    fields = form_fields(body.decode(), **{"data-testid": "profile-form"})
    fields = [(name, value) for name, value in fields if name != "csrfmiddlewaretoken"]
    logo = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(logo, "PNG")
    token = member.csrf_token(edit)
    status, headers, body = member.post(
        edit, fields, token=token, files={"logo": ("logo.png", logo.getvalue(), "image/png")}
    )
    assert status == 302, re.findall(r'role="alert"><div>([^<]+)', body.decode())

    pk = cluster.pg.psql(cluster.database, "SELECT id FROM members_member WHERE membership_number = 7001")
    stored = cluster.pg.psql(cluster.database, f"SELECT logo FROM members_member WHERE id = {pk}")
    on_disk = (Path(cluster.env["MEDIA_ROOT"]) / stored).read_bytes()
    status, headers, body = member.get(f"{second.url}/members/{pk}/logo/full/")  # the other server
    assert status == 200
    assert body == on_disk  # the file the first server stored, re-encoded (metadata stripped)
    assert Image.open(io.BytesIO(body)).size == (64, 48)


def _load(url, stop, outcomes):
    client = WebClient()
    while not stop.is_set():
        started = time.monotonic()
        try:
            # New workers load the application before they answer: slow on a busy machine, and a
            # slow answer is not a failed one.
            status = client.get(url, timeout=30)[0]
        except OSError as error:  # refused or reset: a failed request
            status = type(error).__name__
        outcomes.append((started, url.rsplit("/", 1)[-1] or url, status))


def test_graceful_reload_under_load_fails_no_request(cluster, servers):
    server = servers(cluster.env, workers=2)
    stop, outcomes = threading.Event(), []
    threads = [
        threading.Thread(target=_load, args=(f"{server.url}{path}", stop, outcomes))
        for path in ("/healthz", "/", "/healthz", "/accounts/login/")
    ]
    for thread in threads:
        thread.start()

    def answered_since(moment, count=4, timeout=40):
        """Wait until `count` requests sent after `moment` have been answered (or failed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if sum(1 for started, _path, _status in list(outcomes) if started > moment) >= count:
                return True
            time.sleep(0.1)
        return False

    try:
        assert answered_since(0)
        for _reload in range(2):
            reloaded = time.monotonic()
            server.reload()
            # The load goes on through the reload: requests sent after it are answered too.
            assert answered_since(reloaded), server.output()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=40)
    failures = [outcome for outcome in outcomes if outcome[2] != 200]
    assert failures == [], (failures, server.output())
    assert re.search(r"Handling signal: hup", server.output(), re.IGNORECASE)


def _row_counts(pg, database):
    tables = pg.psql(database, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").split()
    union = " UNION ALL ".join(f"SELECT '{table}', count(*) FROM \"{table}\"" for table in tables)
    return dict(line.split("|") for line in pg.psql(database, union).splitlines())


def test_backup_then_restore_into_a_scratch_database_gives_the_same_rows_and_files(cluster, tmp_path):
    media = Path(cluster.env["MEDIA_ROOT"]) / "members/logos"
    media.mkdir(parents=True, exist_ok=True)
    (media / "logo.png").write_bytes(b"\x89PNG logo bytes")
    private = Path(cluster.env["PRIVATE_MEDIA_ROOT"]) / "permits"
    private.mkdir(parents=True, exist_ok=True)
    (private / "scan.pdf").write_bytes(b"%PDF-1.4 scan")
    env = {**cluster.env, "BACKUP_DIR": str(tmp_path / "backups")}

    made = subprocess.run(
        ["scripts/backup.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    backup = Path(made.stdout.strip().splitlines()[-1])
    assert sorted(path.name for path in backup.iterdir()) == [
        "SHA256SUMS",
        "database.dump",
        "media.tar.gz",
        "private_media.tar.gz",
    ]
    assert re.fullmatch(r"20[0-9]{6}T[0-9]{6}Z", backup.name)

    restore_env = {
        **env,
        "RESTORE_DATABASE_URL": cluster.pg.url("portal_restored"),
        "MEDIA_ROOT": str(tmp_path / "restored/media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "restored/private_media"),
    }
    subprocess.run(
        ["scripts/restore.sh", str(backup)], cwd=ROOT, env=restore_env, capture_output=True, timeout=120, check=True
    )
    original, restored = _row_counts(cluster.pg, cluster.database), _row_counts(cluster.pg, "portal_restored")
    assert restored == original
    assert int(original["members_user"]) >= 2 and int(original["django_migrations"]) > 10
    assert (tmp_path / "restored/media/members/logos/logo.png").read_bytes() == b"\x89PNG logo bytes"
    assert (tmp_path / "restored/private_media/permits/scan.pdf").read_bytes() == b"%PDF-1.4 scan"

    # A damaged backup is refused before anything is touched.
    with open(backup / "database.dump", "ab") as dump:
        dump.write(b"garbage")
    refused = subprocess.run(
        ["scripts/restore.sh", str(backup)], cwd=ROOT, env=restore_env, capture_output=True, text=True, timeout=60
    )
    assert refused.returncode == 1 and "the backup is damaged" in refused.stderr


def test_reminders_run_on_two_servers_at_once_go_out_once(cluster):
    env = {**cluster.env, "ALLOW_DEMO_SEED": "true"}
    manage("seed_demo", env=env)  # permits in every state, some due for a reminder today
    reminders = "SELECT count(*) FROM permits_remindersent"
    notifications = "SELECT count(*), count(DISTINCT (user_id, subject, body)) FROM cluster_portal_notification"
    before = int(cluster.pg.psql(cluster.database, reminders))

    # Two cron runs at once queue two tasks; two workers run them at once.
    command = [sys.executable, "manage.py", "send_permit_reminders"]
    worker = [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"]
    for step in (command, worker):
        runs = [
            subprocess.Popen(step, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)
        ]
        for run in runs:
            _out, err = run.communicate(timeout=120)
            assert run.returncode == 0, err.decode()[-2000:]
    sent = int(cluster.pg.psql(cluster.database, reminders)) - before
    assert sent > 0  # the demo data has permits at a reminder offset today
    total, distinct = cluster.pg.psql(cluster.database, notifications).split("|")
    assert total == distinct  # nobody was told the same thing twice

    manage("send_permit_reminders", env=env)  # the next cron run finds nothing new
    manage("db_worker", "--batch", "--no-startup-delay", "--no-reload", env=env)
    assert int(cluster.pg.psql(cluster.database, reminders)) - before == sent
    assert cluster.pg.psql(cluster.database, notifications).split("|") == [total, distinct]
