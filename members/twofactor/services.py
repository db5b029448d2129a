"""Every write of two-step sign-in. Each is atomic and audited; those that change what a
session needs renew the user's privilege stamp (`members.roles.privileges_changed`), so the
user's other sessions work the requirement out again on their next request."""

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import audit_record
from members.roles import privileges_changed

from .policy import DEVICE_NAME, RECOVERY_CODE_COUNT


def confirmed_totp(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def totp_device_start(*, user) -> TOTPDevice:
    """The user's authenticator being set up (not yet confirmed): the newest, or a new one."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, actor) -> list[str]:
    """The user typed a good code from the new authenticator: it is theirs from now on. Other
    half-made devices go; a fresh set of recovery codes is made and returned (shown once)."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user_id=device.user_id, confirmed=False).delete()
    audit_record(actor=actor, action="two_factor_enabled", instance=device.user)
    codes = recovery_codes_regenerate(user=device.user, actor=actor)
    privileges_changed(device.user_id)
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user, actor=None) -> list[str]:
    """Replace the user's recovery codes with a fresh set; returns them (shown once)."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name="recovery", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit_record(actor=actor or user, action="two_factor_recovery_codes_regenerated", instance=user)
    return codes


@transaction.atomic
def recovery_code_used(*, user) -> None:
    audit_record(actor=user, action="two_factor_recovery_code_used", instance=user)


@transaction.atomic
def two_factor_disable(*, user, actor) -> None:
    """Remove the user's authenticators and recovery codes (the user with a current code, or
    staff resetting a lost phone)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(actor=actor, action="two_factor_disabled", instance=user)
    privileges_changed(user.pk)
