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
