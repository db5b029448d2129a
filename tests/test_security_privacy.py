"""Personal data: member A's national ID and mobile number appear on no page or export that
anyone but member A's own users and estates staff can open; a resigned member can be anonymised
by staff without changing the statistics; the logs of sign-in, password reset and two-step
sign-in hold no password, code, reset link or full national ID."""

import io
import logging
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, give_totp_device, login_verified, totp_now
from core.models import AuditEntry
from core.persian import digits_to_persian
from members.anonymise import member_anonymise
from members.models import Member

pytestmark = pytest.mark.django_db

OUTSIDERS = ("anonymous", "applicant", "member_b", "union_head", "panelist")


def _forms(value):
    return {value, digits_to_persian(value)}


def _pages():
    from tests.test_url_access import RULES, URL_NAMES

    for name in URL_NAMES:
        rule = RULES[name]
        if rule.method != "get":
            continue
        roles = [role for role in OUTSIDERS if rule.expect.get(role) == 200]
        if roles:
            yield name, tuple(roles)


@pytest.mark.parametrize(("name", "roles"), list(_pages()))
def test_member_as_identity_and_number_are_on_no_page_an_outsider_can_open(name, roles, actors, client_as):
    from tests.test_url_access import RULES

    rule = RULES[name]
    a = actors.a
    secrets = _forms(a.owner_national_id) | _forms(a.mobile)
    assert a.contact_public is False  # member A did not choose to publish its numbers
    url = reverse(name, kwargs=rule.kwargs(actors) if rule.kwargs else {}) + (f"?{rule.query}" if rule.query else "")
    for role in roles:
        response = client_as(role).get(url)
        body = (b"".join(response.streaming_content) if response.streaming else response.content).decode(
            "utf-8", "replace"
        )
        assert [secret for secret in secrets if secret in body] == [], (name, role)


def test_directory_shows_a_private_members_county_not_its_address_or_numbers(actors, client_as):
    a = actors.a
    Member.objects.filter(pk=a.pk).update(address="قزوین، کوچه محرمانه، پلاک ۷", landline="02833334444")
    page = client_as("member_b").get(reverse("members:directory_detail", kwargs={"pk": a.pk})).content.decode()
    assert "کوچه محرمانه" not in page and "02833334444" not in page and "۰۲۸۳۳۳۳۴۴۴۴" not in page


def test_own_users_and_staff_do_see_the_identity(actors, client_as):
    own = client_as("member_a").get(reverse("members:edit")).content.decode()
    assert actors.a.owner_national_id in own or digits_to_persian(actors.a.owner_national_id) in own
    admin = client_as("staff").get(reverse("admin:members_member_change", args=[actors.a.pk])).content.decode()
    assert actors.a.owner_national_id in admin


# --- Anonymising a resigned member ------------------------------------------------------------
def _dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", "--natural-foreign", stdout=out, exclude=["contenttypes", "auth.permission", "sessions"])
    return out.getvalue()


def _resign(actors):
    from members import services

    return services.member_change_status(member=actors.b, actor=actors.staff, to_status="resigned", reason="بازنشستگی")


def test_anonymising_a_resigned_member_erases_the_people_and_keeps_the_statistics(actors, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    from permits.tests import factories as permit_factories

    b = actors.b
    Member.objects.filter(pk=b.pk).update(address="آبیک، کوچه گل‌ها، پلاک ۳", postal_code="3413845678")
    worker = permit_factories.worker(b, full_name="حسن کارگر", national_id="0013542419")
    before_counts = {
        "members": Member.objects.count(),
        "home members in qazvin": Member.objects.filter(kind="home", county="qazvin").count(),
        "workers": b.workers.count(),
    }
    signed_in = Client()
    signed_in.post(reverse("login"), {"username": actors.member_b.mobile, "password": PASSWORD})
    assert signed_in.get(reverse("notifications")).status_code == 200
    # What other apps keep of the member: an offer's free-text note to a buyer, label artwork
    # (the staff's notice and the audit entries name the business).
    from market.tests import factories as market_factories
    from packaging.tests import factories as packaging_factories

    market_factories.matching_member(b, actors.member_b)
    buyer_request, _token = market_factories.approved_request(actors.staff)
    market_factories.offer(buyer_request, b, actors.member_b, note="با آقای کریمی هماهنگ کنید")
    line = packaging_factories.join(packaging_factories.order(), b, actors.member_b, 100)
    artwork = packaging_factories.proof(line, actors.member_b).storage_name
    personal = [
        b.owner_national_id,
        b.mobile,
        actors.member_b.full_name,
        b.business_name,
        "کوچه گل‌ها",
        "0013542419",
        "حسن کارگر",
        "آقای کریمی",
        artwork,
    ]
    assert all(value in _dump() for value in personal)

    with pytest.raises(ValidationError):
        member_anonymise(member=b, actor=actors.staff)  # still active
    _resign(actors)
    member_anonymise(member=b, actor=actors.staff)

    dump = _dump()
    assert [value for value in personal if value in dump] == []
    b.refresh_from_db()
    assert (b.business_name, b.kind, b.county, b.status, b.membership_number) == (
        f"ANON-{b.pk}",
        "home",
        "qazvin",
        "resigned",
        2,
    )
    assert (b.directory_opt_in, b.contact_public, b.address, b.postal_code) == (False, False, "", "")
    assert {
        "members": Member.objects.count(),
        "home members in qazvin": Member.objects.filter(kind="home", county="qazvin").count(),
        "workers": b.workers.count(),
    } == before_counts
    worker.refresh_from_db()
    assert worker.full_name == "—"
    # The member's user can no longer sign in; the open session has ended.
    user = actors.member_b
    user.refresh_from_db()
    assert (user.is_active, user.has_usable_password(), user.full_name) == (False, False, "")
    assert signed_in.get(reverse("notifications")).status_code == 302
    assert AuditEntry.objects.filter(action="member_anonymise", object_id=str(b.pk)).count() == 1
    with pytest.raises(ValidationError):
        member_anonymise(member=b, actor=actors.staff)


def test_anonymise_is_an_admin_action_for_staff(actors, client_as):
    _resign(actors)
    client = client_as("staff")
    response = client.post(
        reverse("admin:members_member_changelist"),
        {"action": "anonymise_members", "_selected_action": [actors.b.pk, actors.a.pk]},
        follow=True,
    )
    assert response.status_code == 200
    actors.a.refresh_from_db()
    actors.b.refresh_from_db()
    assert (actors.a.business_name != f"ANON-{actors.a.pk}", actors.b.business_name) == (True, f"ANON-{actors.b.pk}")


# --- Logs -----------------------------------------------------------------------------------------
def test_logs_hold_no_passwords_codes_reset_links_or_national_ids(
    actors, caplog, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "core.sms.ConsoleSmsBackend"
    caplog.set_level(logging.DEBUG)
    secrets = ["wrong-password-1", PASSWORD]
    client = Client()
    # Failed and successful sign-in (django-axes logs them).
    client.post(reverse("login"), {"username": actors.member_a.mobile, "password": "wrong-password-1"})
    client.post(reverse("login"), {"username": actors.member_a.mobile, "password": PASSWORD})
    # Password reset (the link travels by SMS: the console backend logs the message).
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("password_reset"), {"mobile": actors.member_a.mobile})
    # Two-step sign-in: a wrong code, then the right one; a recovery code.
    device = give_totp_device(actors.staff)
    staff = Client()
    staff.post(reverse("login"), {"username": actors.staff.mobile, "password": PASSWORD})
    staff.post(reverse("twofactor:verify"), {"code": "314159"})
    device.throttle_reset()
    code = totp_now(device)
    staff.post(reverse("twofactor:verify"), {"code": code})
    secrets += ["314159", code]
    from members.twofactor.services import recovery_codes_regenerate

    recovery = recovery_codes_regenerate(user=actors.superuser)
    give_totp_device(actors.superuser)
    other = Client()
    other.post(reverse("login"), {"username": actors.superuser.mobile, "password": PASSWORD})
    other.post(reverse("twofactor:verify"), {"code": recovery[0]})
    secrets += recovery
    # A password change.
    login_verified(Client(), actors.staff).post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "brand-new-pass-1405", "new_password2": "brand-new-pass-1405"},
    )
    secrets.append("brand-new-pass-1405")

    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "two-factor verified" in text and "two-factor code rejected" in text  # something was logged
    assert [secret for secret in secrets if secret in text] == []
    assert re.search(r"/accounts/password/reset/[^/\s]+/[^/\s]+/", text) is None  # no reset link
    for member in (actors.a, actors.b, actors.applicant_member):
        assert member.owner_national_id not in text
    assert actors.member_a.mobile not in text
