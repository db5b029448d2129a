import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse

from members.models import Member, User


def test_seed_demo_refused_with_production_settings(db):
    with override_settings(ALLOW_DEMO_SEED=False), pytest.raises(CommandError, match="refused"):
        call_command("seed_demo")


def test_seed_demo_is_idempotent_and_demo_accounts_log_in(client, db):
    call_command("seed_demo")
    call_command("seed_demo")
    assert User.objects.filter(mobile__startswith="091200000").count() == 7
    assert Member.objects.filter(mobile__in=["09120000001", "09120000002", "09120000003"]).count() == 3
    for mobile in (
        "09120000001",
        "09120000002",
        "09120000003",
        "09120000010",
        "09120000020",
        "09120000030",
        "09120000099",
    ):
        response = client.post(reverse("login"), {"username": mobile, "password": "demo-pass-1405"})
        assert (mobile, response.status_code) == (mobile, 302)
        client.post(reverse("logout"))


def test_privileged_demo_accounts_pass_the_second_factor_with_the_documented_secret(client, db):
    import io

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from members.demo import DEMO_TOTP_SECRET

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert DEMO_TOTP_SECRET == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert DEMO_TOTP_SECRET in out.getvalue()
    devices = TOTPDevice.objects.filter(confirmed=True).values_list("user__mobile", flat=True)
    assert sorted(devices) == ["09120000010", "09120000020", "09120000099"]
    printed = io.StringIO()
    call_command("demo_totp", stdout=printed)
    code = printed.getvalue().split()[0]
    client.post(reverse("login"), {"username": "09120000010", "password": "demo-pass-1405"})
    response = client.post(reverse("twofactor:verify"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("permits:dashboard")).status_code == 200


def test_demo_totp_is_refused_with_production_settings(db):
    with override_settings(ALLOW_DEMO_SEED=False), pytest.raises(CommandError, match="development"):
        call_command("demo_totp")
