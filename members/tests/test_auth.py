import time

import pytest
from django.core import mail
from django.urls import reverse

from conftest import PASSWORD, make_user
from core import sms
from members.models import User


@pytest.fixture
def user(db):
    return make_user("09121234567", "رضا کریمی", email="reza@example.com")


@pytest.mark.parametrize("typed", ["09121234567", "۰۹۱۲۱۲۳۴۵۶۷", "+989121234567", "0098 912 123 4567", "٠٩١٢١٢٣٤٥٦٧"])
def test_login_accepts_any_form_of_the_mobile_number(client, user, typed):
    response = client.post(reverse("login"), {"username": typed, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_wrong_password_shows_translated_error_and_keeps_number(client, user):
    response = client.post(
        reverse("login"), {"username": "۰۹۱۲۱۲۳۴۵۶۷", "password": "wrong"}, HTTP_COOKIE="django_language=fa"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "شماره همراه یا گذرواژه درست نیست." in html
    assert 'value="۰۹۱۲۱۲۳۴۵۶۷"' in html  # what was typed is kept


def test_five_failures_lock_the_number_for_that_address(client, user):
    for _ in range(5):
        client.post(reverse("login"), {"username": "09121234567", "password": "wrong"}, REMOTE_ADDR="10.0.0.5")
    response = client.post(
        reverse("login"), {"username": "+989121234567", "password": PASSWORD}, REMOTE_ADDR="10.0.0.5"
    )
    assert response.status_code == 429
    assert "۱۵ دقیقه" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not locked out of the same account.
    other = client.post(reverse("login"), {"username": "09121234567", "password": PASSWORD}, REMOTE_ADDR="10.0.0.6")
    assert other.status_code == 302


def test_create_user_normalises_mobile(db):
    user = User.objects.create_user("+98 912 000 1111", "x-pass-1405", full_name="تست")
    assert user.mobile == "09120001111"
    assert User.objects.get_by_natural_key("۰۹۱۲۰۰۰۱۱۱۱") == user


def test_password_reset_sends_link_by_sms_and_email(client, user, django_capture_on_commit_callbacks):
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with_captured = client.post(reverse("password_reset"), {"mobile": "۰۹۱۲۱۲۳۴۵۶۷"})
    assert with_captured.status_code == 302
    assert len(sms.outbox) == 1 and sms.outbox[0]["to"] == "09121234567"
    assert "/accounts/password/reset/" in sms.outbox[0]["text"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["reza@example.com"]


def test_password_reset_for_unknown_number_says_the_same_and_sends_nothing(client, db):
    sms.outbox.clear()
    response = client.post(reverse("password_reset"), {"mobile": "09129999999"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert sms.outbox == [] and mail.outbox == []


def test_session_ends_after_idle_timeout(client, user, settings):
    client.force_login(user)
    assert client.get(reverse("notifications")).status_code == 200
    session = client.session
    session["_last_seen"] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    response = client.get(reverse("notifications"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_session_ends_after_absolute_timeout_even_when_active(client, user, settings):
    client.force_login(user)
    client.get(reverse("notifications"))
    session = client.session
    session["_started"] = int(time.time()) - settings.SESSION_ABSOLUTE_TIMEOUT - 5
    session.save()
    assert client.get(reverse("notifications")).status_code == 302


def test_staff_sessions_are_shorter(client, db, settings):
    staff = make_user("09121230000", is_staff=True)
    client.force_login(staff)
    client.get("/")
    session = client.session
    session["_last_seen"] = int(time.time()) - settings.STAFF_SESSION_IDLE_TIMEOUT - 5
    session.save()
    assert settings.STAFF_SESSION_IDLE_TIMEOUT < settings.SESSION_IDLE_TIMEOUT
    assert client.get(reverse("notifications")).status_code == 302
