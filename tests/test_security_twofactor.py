"""Two-step sign-in (TOTP + recovery codes): who must give it, where, and the attacks on it
(password-only access, re-enrolling over an existing device, replayed and guessed codes, open
redirects, session fixation)."""

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD, give_totp_device, login_verified, make_user, totp_now, totp_unused
from core.models import AuditEntry

pytestmark = pytest.mark.django_db

PRIVILEGED_PATHS = [
    "/admin/",
    "/admin/members/member/",
    "/prices/review/",
    "/prices/report/",
    "/permits/dashboard/",
    "/events/1/qa/moderate/",
    "/events/1/qa/screen/",
    "/events/1/report/",
    "/",
    "/accounts/password/change/",
]


@pytest.fixture(autouse=True)
def _enforced(settings):
    settings.TWO_FACTOR_REQUIRED = True


def _form_login(client, user):
    return client.post(reverse("login"), {"username": user.mobile, "password": PASSWORD})


@pytest.mark.parametrize("role", ["staff", "union_head", "superuser"])
@pytest.mark.parametrize("path", PRIVILEGED_PATHS)
def test_privileged_user_with_only_a_password_is_sent_to_the_code_page(role, path, actors):
    user = actors.user(role)
    give_totp_device(user)
    client = Client()
    assert _form_login(client, user).status_code == 302
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("twofactor:verify") + "?next=" + path.replace("/", "%2F")


@pytest.mark.parametrize("role", ["staff", "union_head", "superuser"])
def test_privileged_user_without_a_device_is_sent_to_set_up(role, actors):
    client = Client()
    _form_login(client, actors.user(role))
    response = client.get("/admin/")
    assert (response.status_code, response["Location"]) == (302, reverse("twofactor:setup") + "?next=%2Fadmin%2F")


@pytest.mark.parametrize("role", ["applicant", "member_a", "panelist"])
def test_members_and_panelists_without_a_device_are_not_asked(role, actors):
    client = Client()
    _form_login(client, actors.user(role))
    assert client.get(reverse("notifications")).status_code == 200


def test_admin_login_form_does_not_skip_the_second_step(actors):
    give_totp_device(actors.staff)
    client = Client()
    response = client.post(
        reverse("admin:login"), {"username": actors.staff.mobile, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    response = client.get("/admin/members/member/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("twofactor:verify"))


def test_unverified_htmx_request_is_told_to_redirect_not_given_a_page(actors):
    give_totp_device(actors.union_head)
    client = Client()
    _form_login(client, actors.union_head)
    response = client.get("/prices/review/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("twofactor:verify"))


def test_exempt_pages_answer_an_unverified_user(actors):
    client = Client()
    _form_login(client, actors.staff)
    assert client.get(reverse("twofactor:setup")).status_code == 200
    assert client.get("/static/css/portal.css").status_code in (200, 404)  # never a redirect
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    assert client.get(reverse("healthz")).status_code == 200
    response = client.post(reverse("logout"))
    assert (response.status_code, response["Location"]) == (302, "/")
    assert "_auth_user_id" not in client.session


def test_setup_shows_a_qr_code_and_key_and_confirms_with_a_code(actors):
    staff = actors.staff
    client = Client()
    _form_login(client, staff)
    response = client.get(reverse("twofactor:setup") + "?next=/admin/")
    html = response.content.decode()
    assert re.search(r'<img class="twofactor-qr[^"]*" src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"', html)
    device = TOTPDevice.objects.get(user=staff)
    assert device.confirmed is False
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', html).group(1)
    assert len(secret.replace(" ", "")) == 32  # 160-bit key, in groups of four for typing
    # A wrong code: nothing confirmed, a translated message, the page again.
    response = client.post(reverse("twofactor:setup"), {"code": "000000", "next": "/admin/"})
    assert response.status_code == 200
    assert "کد درست نیست" in response.content.decode()
    assert TOTPDevice.objects.get(user=staff).confirmed is False
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    device.throttle_reset()  # as if the one-second wait had passed
    # The right one, typed with Persian digits and a space.
    code = totp_now(device)
    persian = code[:3].translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) + " " + code[3:]
    old_key = client.session.session_key
    response = client.post(reverse("twofactor:setup"), {"code": persian, "next": "/admin/"})
    assert response.status_code == 302
    assert response["Location"] == reverse("twofactor:recovery") + "?next=%2Fadmin%2F"
    assert client.session.session_key != old_key  # a new session key with the new rights
    device.refresh_from_db()
    assert device.confirmed is True
    assert AuditEntry.objects.filter(action="two_factor_enabled", object_id=str(staff.pk)).count() == 1
    # The recovery codes: shown once.
    page = client.get(response["Location"]).content.decode()
    shown = re.findall(r"<bdi>([a-z2-7]{8})</bdi>", page)
    stored = set(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True))
    assert len(shown) == 10 and set(shown) == stored
    assert 'href="/admin/"' in page
    again = client.get(reverse("twofactor:recovery")).content.decode()
    assert re.findall(r"<bdi>([a-z2-7]{8})</bdi>", again) == []
    assert "۱۰ کد بازیابی" in again
    # Verified now: the admin answers.
    assert client.get("/admin/").status_code == 200


def test_verify_with_the_authenticator_code_lets_the_user_in(actors):
    device = give_totp_device(actors.staff)
    client = Client()
    _form_login(client, actors.staff)
    old_key = client.session.session_key
    response = client.post(reverse("twofactor:verify"), {"code": totp_now(device), "next": "/admin/"})
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert client.session.session_key != old_key
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/admin/").status_code == 200


def test_a_code_cannot_be_replayed_in_another_session(actors):
    device = give_totp_device(actors.staff)
    code = totp_now(device)
    first, second = Client(), Client()
    _form_login(first, actors.staff)
    _form_login(second, actors.staff)
    assert first.post(reverse("twofactor:verify"), {"code": code})["Location"] == "/"
    response = second.post(reverse("twofactor:verify"), {"code": code})
    assert response.status_code == 200
    assert second.get("/admin/").status_code == 302


def test_wrong_codes_are_throttled_even_before_the_right_one(actors):
    device = give_totp_device(actors.staff)
    client = Client()
    _form_login(client, actors.staff)
    response = client.post(reverse("twofactor:verify"), {"code": "123456"})
    assert "کد درست نیست" in response.content.decode()
    # Straight after a failure even the right code is refused: guessing is slowed down.
    response = client.post(reverse("twofactor:verify"), {"code": totp_now(device)})
    assert "کدهای نادرست زیادی" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_guessing_codes_hits_the_rate_limit(actors):
    give_totp_device(actors.staff)
    client = Client()
    _form_login(client, actors.staff)
    statuses = [client.post(reverse("twofactor:verify"), {"code": f"{n:06d}"}).status_code for n in range(11)]
    assert statuses == [200] * 10 + [429]
    assert "بیش از حد انجام داده‌اید" in client.post(reverse("twofactor:verify"), {"code": "1"}).content.decode()


def test_recovery_code_works_once_and_says_how_many_are_left(actors):
    from members.twofactor.services import recovery_codes_regenerate

    give_totp_device(actors.superuser)
    codes = recovery_codes_regenerate(user=actors.superuser)
    client = Client()
    _form_login(client, actors.superuser)
    response = client.post(reverse("twofactor:verify"), {"code": codes[0].upper()}, follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert "کدهای بازیابی باقی‌مانده: ۹" in response.content.decode()
    assert StaticToken.objects.filter(device__user=actors.superuser).count() == 9
    other = Client()
    _form_login(other, actors.superuser)
    assert other.post(reverse("twofactor:verify"), {"code": codes[0]}).status_code == 200
    assert other.get("/admin/").status_code == 302


def test_password_alone_cannot_replace_an_existing_authenticator(actors):
    give_totp_device(actors.staff)
    client = Client()
    _form_login(client, actors.staff)
    response = client.get(reverse("twofactor:setup"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("twofactor:verify"))
    response = client.post(reverse("twofactor:setup"), {"code": "123456"})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=actors.staff).count() == 1
    # Nor make new recovery codes, nor turn it off.
    assert client.post(reverse("twofactor:recovery")).status_code == 302
    assert StaticDevice.objects.filter(user=actors.staff).count() == 0


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_next_never_leaves_the_portal(target, actors):
    device = give_totp_device(actors.staff)
    client = Client()
    _form_login(client, actors.staff)
    response = client.post(reverse("twofactor:verify"), {"code": totp_now(device), "next": target})
    assert (response.status_code, response["Location"]) == (302, "/")


def test_member_may_turn_it_on_then_is_asked_at_every_sign_in_and_may_turn_it_off(actors):
    member = actors.member_a
    client = Client()
    _form_login(client, member)
    assert "روشن کردن ورود دومرحله‌ای" in client.get(reverse("twofactor:manage")).content.decode()
    client.get(reverse("twofactor:setup"))
    device = TOTPDevice.objects.get(user=member)
    client.post(reverse("twofactor:setup"), {"code": totp_now(device)})
    assert client.get(reverse("notifications")).status_code == 200
    # A new sign-in now asks for the code.
    other = Client()
    _form_login(other, member)
    response = other.get(reverse("notifications"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("twofactor:verify"))
    # Turning it off needs a current code.
    assert client.post(reverse("twofactor:disable"), {"code": "000000"}).status_code == 302
    assert TOTPDevice.objects.filter(user=member, confirmed=True).count() == 1
    device.refresh_from_db()
    device.throttle_reset()
    client.post(reverse("twofactor:disable"), {"code": totp_unused(device)})
    assert TOTPDevice.objects.filter(user=member).count() == 0
    assert StaticDevice.objects.filter(user=member).count() == 0
    assert AuditEntry.objects.filter(action="two_factor_disabled", object_id=str(member.pk)).count() == 1
    third = Client()
    _form_login(third, member)
    assert third.get(reverse("notifications")).status_code == 200


def test_privileged_user_cannot_turn_it_off(actors):
    client = login_verified(Client(), actors.union_head)
    device = TOTPDevice.objects.get(user=actors.union_head)
    response = client.post(reverse("twofactor:disable"), {"code": totp_now(device)}, follow=True)
    assert "برای نقش شما الزامی است" in response.content.decode()
    assert TOTPDevice.objects.filter(user=actors.union_head).count() == 1


def test_role_given_later_takes_effect_at_the_next_request(actors):
    """(Was: at the next sign-in.) More in tests/test_security_privileges.py."""
    from django.contrib.auth.models import Group

    user = make_user("09130000077", "کارشناس تازه")
    client = Client()
    _form_login(client, user)
    assert client.get(reverse("notifications")).status_code == 200
    user.groups.add(Group.objects.get(name="union_head"))
    response = client.get(reverse("notifications"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("twofactor:setup"))


def test_deleting_the_device_in_the_admin_ends_verification(actors, client_as):
    client = client_as("staff")
    assert client.get("/admin/").status_code == 200
    TOTPDevice.objects.filter(user=actors.staff).delete()
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("twofactor:setup"))


def test_verified_session_reaches_every_privileged_page(actors, client_as):
    assert client_as("staff").get("/admin/").status_code == 200
    assert client_as("superuser").get("/admin/").status_code == 200


def test_totp_generator_matches_the_device(actors):
    device = give_totp_device(actors.staff)
    assert totp_now(device) == f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@override_settings(TWO_FACTOR_REQUIRED=False)
def test_switch_off_only_for_emergencies(actors):
    client = Client()
    _form_login(client, actors.staff)
    assert client.get("/admin/").status_code == 200
