import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from conftest import make_user
from core import notifications, sms
from core.models import Notification

ROOT = Path(settings.BASE_DIR)


def test_healthz_answers_without_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_checks_database_and_cache(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_home_is_persian_rtl_by_default_even_for_english_browsers(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fa" dir="rtl">' in html
    assert "bootstrap.rtl.min.css" in html
    assert "خوشه شیرینی سنتی قزوین" in html


def test_language_switch_to_english_gives_ltr(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "bootstrap.min.css" in html and "bootstrap.rtl.min.css" not in html
    assert "Qazvin Traditional-Sweets Cluster" in html


def test_security_headers_on_every_response(client, db):
    for url in ("/", "/healthz", reverse("login"), "/no-such-page/"):
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        assert "'unsafe-inline'" not in csp and "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"


def test_admin_pages_carry_the_csp_too(client_as):
    response = client_as("staff").get(reverse("admin:index"))
    assert response.status_code == 200
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_templates_have_no_inline_scripts_or_styles():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if "<script>" in text or 'style="' in text or "<style" in text or " on" + "click=" in text:
            offenders.append(str(path.relative_to(ROOT)))
    for app in ("core", "catalogue", "cluster_portal", "members", "events", "pricing", "permits"):
        for path in (ROOT / app).rglob("templates/**/*.html"):
            text = path.read_text(encoding="utf-8")
            if "<script>" in text or 'style="' in text or "<style" in text:
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.parametrize(("status", "text"), [(404, "صفحه پیدا نشد"), (403, "دسترسی ممکن نیست"), (500, "خطایی رخ داد")])
def test_error_pages_are_translated(rf, db, status, text):
    from core import views

    request = rf.get("/")
    request.user = None
    response = {404: views.error_404, 403: views.error_403, 500: views.error_500}[status](request)
    assert response.status_code == status
    assert text in response.content.decode()


def test_unknown_page_gives_translated_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "صفحه پیدا نشد" in response.content.decode()


def test_persian_catalogue_is_complete():
    po = polib.pofile(str(ROOT / "locale/fa/LC_MESSAGES/django.po"))
    assert [entry.msgid for entry in po if not entry.translated()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []


def _run_manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_refuses_to_start_without_secret_key_when_debug_is_off():
    result = _run_manage("check", DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_deploy_check_is_clean_with_production_values():
    result = _run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="prod-" + "k3y9" * 15,
        ALLOWED_HOSTS="portal.example.ir",
        HTTPS="true",
    )
    assert result.returncode == 0, result.stderr


def test_notify_sends_portal_email_and_sms_after_commit(db, django_capture_on_commit_callbacks, mailoutbox):
    sms.outbox.clear()
    user = make_user("09121112222", email="a@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(user=user, subject="دوره قیمت باز شد", body="مهر ۱۴۰۵", url="/prices/")
    assert Notification.objects.get(user=user).subject == "دوره قیمت باز شد"
    assert [m.to for m in mailoutbox] == [["a@example.com"]]
    assert sms.outbox == [{"to": "09121112222", "text": "دوره قیمت باز شد\nمهر ۱۴۰۵"}]


def test_notify_sends_nothing_when_the_transaction_rolls_back(db, mailoutbox):
    from django.db import transaction

    sms.outbox.clear()
    user = make_user("09121113333", email="b@example.com")
    with pytest.raises(RuntimeError), transaction.atomic():
        notifications.notify(user=user, subject="x")
        raise RuntimeError
    assert mailoutbox == [] and sms.outbox == []
    assert Notification.objects.filter(user=user).count() == 0


def test_notifications_page_lists_only_own_and_marks_read(client_as, actors, django_assert_num_queries):
    for i in range(3):
        Notification.objects.create(user=actors.member_a, subject=f"پیام {i}")
    Notification.objects.create(user=actors.member_b, subject="پیام دیگری")
    client = client_as("member_a")
    html = client.get(reverse("notifications")).content.decode()
    assert html.count("پیام ") == 3 and "پیام دیگری" not in html
    client.post(reverse("notifications_mark_read"))
    assert Notification.objects.filter(user=actors.member_a, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(user=actors.member_b, read_at__isnull=True).count() == 1


def test_notifications_page_query_count_is_constant(client_as, actors, django_assert_max_num_queries, settings):
    """The same queries for one notification or many: on the first page after a new one (the
    menu's unread count and member read afresh) and on the next (they come from the cache, a
    cache every process shares)."""
    settings.SHARED_CACHE = True
    client = client_as("member_a")
    client.get(reverse("notifications"))  # the first request of a session writes it once
    counts = []
    for new in (1, 15):
        for i in range(new):
            Notification.objects.create(user=actors.member_a, subject=f"پیام {i}")
        with django_assert_max_num_queries(20) as after_a_change:
            client.get(reverse("notifications"))
        with django_assert_max_num_queries(20) as again:
            client.get(reverse("notifications"))
        counts.append((len(after_a_change.captured_queries), len(again.captured_queries)))
    assert counts[0] == counts[1]
    assert counts[0][0] == counts[0][1] + 2  # the member and the unread count


def test_persian_catalogue_compiles_with_matching_format_strings(tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext's msgfmt is not installed (CI installs it)")
    result = subprocess.run(
        [msgfmt, "--check-format", "-o", str(tmp_path / "django.mo"), str(ROOT / "locale/fa/LC_MESSAGES/django.po")],
        capture_output=True,
        text=True,
    )
    assert (result.returncode, result.stderr) == (0, "")
