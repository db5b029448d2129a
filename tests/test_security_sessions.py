"""Sessions and headers: a session ends on logout and on a password change or reset (every other
session of the user too), staff sessions are shorter, production cookies are Secure/HttpOnly/
SameSite with HSTS, and every page (the admin included) carries the strict CSP with no inline
script or style."""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from conftest import PASSWORD, login_verified

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
NEW_PASSWORD = "a-new-long-password-1405"


def _signed_in(client):
    return "_auth_user_id" in client.session


def test_logout_deletes_the_session_on_the_server_so_a_copied_cookie_is_useless(actors, settings):
    client = Client()
    client.post(reverse("login"), {"username": actors.member_a.mobile, "password": PASSWORD})
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(reverse("notifications")).status_code == 200
    client.post(reverse("logout"))
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = stolen
    response = thief.get(reverse("notifications"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_logout_by_get_is_refused(actors):
    client = Client()
    client.force_login(actors.member_a)
    assert client.get(reverse("logout")).status_code == 405
    assert _signed_in(client)


def test_login_gives_a_new_session_key(actors, settings):
    client = Client()
    client.get(reverse("login"))
    client.cookies[settings.SESSION_COOKIE_NAME] = "attacker-chosen-session-key-0123456789"
    client.post(reverse("login"), {"username": actors.member_a.mobile, "password": PASSWORD})
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != "attacker-chosen-session-key-0123456789"
    assert _signed_in(client)


def test_password_change_keeps_this_session_on_a_new_key_and_ends_the_others(actors, settings):
    here, elsewhere = Client(), Client()
    for client in (here, elsewhere):
        client.post(reverse("login"), {"username": actors.member_a.mobile, "password": PASSWORD})
    old_key = here.cookies[settings.SESSION_COOKIE_NAME].value
    response = here.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert (response.status_code, response["Location"]) == (302, reverse("password_change_done"))
    assert here.cookies[settings.SESSION_COOKIE_NAME].value != old_key
    assert here.get(reverse("notifications")).status_code == 200
    response = elsewhere.get(reverse("notifications"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_password_change_by_staff_keeps_the_second_step(actors):
    client = login_verified(Client(), actors.staff)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_password_reset_ends_every_session_of_the_user(actors):
    signed_in = Client()
    signed_in.post(reverse("login"), {"username": actors.member_b.mobile, "password": PASSWORD})
    assert signed_in.get(reverse("notifications")).status_code == 200
    user = actors.member_b
    user.refresh_from_db()  # the token covers last_login, which signing in just changed
    url = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    resetter = Client()
    form_url = resetter.get(url)["Location"]
    response = resetter.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert (response.status_code, response["Location"]) == (302, reverse("password_reset_complete"))
    assert signed_in.get(reverse("notifications")).status_code == 302
    # The link works once.
    again = Client().get(url)
    assert (
        again.status_code == 200 and "این پیوند بازیابی نامعتبر است یا قبلاً استفاده شده است." in again.content.decode()
    )


def _age_session(client, seconds):
    session = client.session
    session["_last_seen"] = int(time.time()) - seconds
    session.save()


def test_staff_session_ends_after_30_idle_minutes_a_members_does_not(actors, settings):
    assert (settings.STAFF_SESSION_IDLE_TIMEOUT, settings.SESSION_IDLE_TIMEOUT) == (30 * 60, 2 * 60 * 60)
    assert (settings.STAFF_SESSION_ABSOLUTE_TIMEOUT, settings.SESSION_ABSOLUTE_TIMEOUT) == (8 * 3600, 12 * 3600)
    staff = login_verified(Client(), actors.staff)
    member = Client()
    member.force_login(actors.member_a)
    for client in (staff, member):
        client.get(reverse("notifications"))
        _age_session(client, 31 * 60)
    assert member.get(reverse("notifications")).status_code == 200
    response = staff.get(reverse("notifications"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not _signed_in(staff)


def test_superuser_absolute_lifetime_is_8_hours_even_when_active(actors):
    client = login_verified(Client(), actors.superuser)
    client.get("/admin/")
    session = client.session
    session["_started"] = int(time.time()) - 8 * 3600 - 1
    session.save()
    assert client.get("/admin/").status_code == 302
    assert Session.objects.filter(session_key=client.session.session_key, expire_date__isnull=False).count() <= 1
    assert not _signed_in(client)


# --- Production settings: read them in a fresh interpreter, then serve a page with them ---------
def _production_settings():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({k: getattr(s, k) "
        "for k in ['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_HTTPONLY', "
        "'SESSION_COOKIE_SAMESITE', 'CSRF_COOKIE_SAMESITE', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
        "'SECURE_HSTS_PRELOAD', 'SECURE_SSL_REDIRECT', 'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS', "
        "'SECURE_REFERRER_POLICY', 'DEBUG', 'TWO_FACTOR_REQUIRED']}))"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_ALLOW_ASYNC", "HTTPS", "DEBUG", "PYTEST"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cluster_portal.settings",
        DEBUG="false",
        SECRET_KEY="production-like-" + "x" * 50,
        ALLOWED_HOSTS="portal.example.ir",
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_production_defaults_are_secure():
    values = _production_settings()
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_REFERRER_POLICY": "same-origin",
        "DEBUG": False,
        "TWO_FACTOR_REQUIRED": True,
    }


def test_production_cookies_and_hsts_on_the_wire(actors):
    values = _production_settings()
    with override_settings(**{k: v for k, v in values.items() if k not in ("DEBUG", "TWO_FACTOR_REQUIRED")}):
        client = Client()
        assert client.get("/accounts/login/").status_code == 301  # plain HTTP is sent to HTTPS
        response = client.post(
            "/accounts/login/", {"username": actors.member_a.mobile, "password": PASSWORD}, secure=True
        )
        assert response.status_code == 302
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        session = response.cookies[settings.SESSION_COOKIE_NAME]
        assert (session["secure"], session["httponly"], session["samesite"]) == (True, True, "Lax")
        csrf = (
            client.get("/accounts/password/change/", secure=True).cookies.get(settings.CSRF_COOKIE_NAME)
            or client.cookies[settings.CSRF_COOKIE_NAME]
        )
        assert (csrf["secure"], csrf["httponly"], csrf["samesite"]) == (True, True, "Lax")


# --- Headers and strict CSP on every page -----------------------------------------------------
STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:json|ld\+json)\")[^>]*>", re.I), "inline script"),
    (re.compile(r"<style[\s>]", re.I), "style element"),
    (re.compile(r"\sstyle=\"", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+=\"", re.I), "event-handler attribute"),
    (re.compile(r"href=\"javascript:", re.I), "javascript: link"),
]


def assert_strict_headers(response, where):
    policy = dict(
        (part.strip().split(" ", 1) + [""])[:2]
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    )
    assert {name: policy.get(name) for name in STRICT} == STRICT, where
    assert "unsafe" not in response["Content-Security-Policy"], where
    assert (response["X-Content-Type-Options"], response["X-Frame-Options"], response["Referrer-Policy"]) == (
        "nosniff",
        "DENY",
        "same-origin",
    ), where
    html = response.content.decode()
    found = [(label, html[m.start() : m.start() + 80]) for pattern, label in INLINE for m in pattern.finditer(html)]
    assert found == [], where


def _pages_to_check():
    from tests.test_url_access import RULES, URL_NAMES

    for name in URL_NAMES:
        rule = RULES.get(name)
        if rule is None or rule.method != "get":
            continue
        role = next(
            (
                r
                for r in ("member_a", "staff", "union_head", "superuser", "anonymous", "panelist", "applicant")
                if rule.expect.get(r) == 200
            ),
            None,
        )
        if role is not None:
            yield name, role


@pytest.mark.parametrize(("name", "role"), list(_pages_to_check()))
def test_every_page_has_the_strict_headers_and_no_inline_code(name, role, actors, client_as):
    from tests.test_url_access import RULES

    rule = RULES[name]
    url = reverse(name, kwargs=rule.kwargs(actors) if rule.kwargs else {}) + (f"?{rule.query}" if rule.query else "")
    response = client_as(role).get(url)
    assert response.status_code == 200
    if response["Content-Type"].startswith("text/html"):
        assert_strict_headers(response, f"{name} as {role}")
    else:
        assert response["X-Content-Type-Options"] == "nosniff"


def _admin_urls():
    from django.contrib import admin

    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        yield f"admin:{meta.app_label}_{meta.model_name}_changelist"
        if model_admin.has_add_permission is not None:
            yield f"admin:{meta.app_label}_{meta.model_name}_add"


@pytest.mark.parametrize("name", ["admin:index", "admin:login", "admin:password_change", *sorted(set(_admin_urls()))])
def test_admin_pages_have_the_strict_headers_and_no_inline_code(name, client_as):
    client = client_as("anonymous") if name == "admin:login" else client_as("superuser")
    response = client.get(reverse(name))
    assert response.status_code in (200, 403), name  # 403: an add view the admin turns off
    assert_strict_headers(response, name)
