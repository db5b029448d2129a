"""core.phone_codes: the one-time SMS code service every app uses to check a mobile
number (sign-in, the membership application, buyers' requests)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from core import phone_codes, sms
from core.models import PhoneCode
from core.phone_codes import CodeRefused, Outcome, code_check, code_send

pytestmark = pytest.mark.django_db

MOBILE = "09121234567"


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()


def send(mobile=MOBILE, purpose="test", address="10.0.0.1"):
    code_send(purpose=purpose, mobile=mobile, client_address=address, message=lambda code: f"code {code}")
    return sms.outbox[-1]["text"].split()[-1]


def age(seconds, mobile=MOBILE, purpose="test"):
    row = PhoneCode.objects.get(purpose=purpose, mobile=mobile)
    PhoneCode.objects.filter(pk=row.pk).update(
        created_at=row.created_at - timedelta(seconds=seconds), expires_at=row.expires_at - timedelta(seconds=seconds)
    )


def test_a_six_digit_code_is_sent_and_only_its_keyed_hash_is_kept():
    code = send()
    assert re.fullmatch(r"\d{6}", code)
    assert sms.outbox == [{"to": MOBILE, "text": f"code {code}"}]
    row = PhoneCode.objects.get()
    assert code not in row.code_hash and re.fullmatch(r"[0-9a-f]{64}", row.code_hash)
    assert row.expires_at - row.created_at == timedelta(minutes=2)
    assert (row.purpose, row.mobile, row.tries) == ("test", MOBILE, 0)


def test_the_hash_depends_on_the_secret_key(settings):
    send()
    stored = PhoneCode.objects.get().code_hash
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert all(phone_codes._hash("test", MOBILE, f"{n:06d}") != stored for n in range(0, 10**6, 99991))


def test_codes_are_spread_over_all_six_digits():
    codes = set()
    for n in range(40):
        codes.add(send(mobile=f"0912000{n:04d}", address=f"10.1.{n}.1"))
    assert len(codes) >= 39  # (two equal codes in 40 draws from a million: rare, three: never)


def test_right_code_works_once_in_any_digits():
    code = send()
    typed = " ".join([code[:3].translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")), code[3:]])
    assert code_check(purpose="test", mobile=MOBILE, code=typed).outcome is Outcome.OK
    assert code_check(purpose="test", mobile=MOBILE, code=code).outcome is Outcome.EXPIRED
    assert PhoneCode.objects.count() == 0


def test_five_wrong_tries_kill_the_code():
    code = send()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    results = [code_check(purpose="test", mobile=MOBILE, code=wrong) for _ in range(5)]
    assert [(r.outcome, r.tries_left) for r in results] == [
        (Outcome.WRONG, 4),
        (Outcome.WRONG, 3),
        (Outcome.WRONG, 2),
        (Outcome.WRONG, 1),
        (Outcome.DEAD, 0),
    ]
    assert code_check(purpose="test", mobile=MOBILE, code=code).outcome is Outcome.DEAD
    assert PhoneCode.objects.get().tries == 5


def test_malformed_entries_cost_a_try_and_never_match():
    send()
    results = [
        code_check(purpose="test", mobile=MOBILE, code=typed).outcome
        for typed in ("", "12345", "1234567", "abcdef", "12 34 5x")
    ]
    assert results == [Outcome.WRONG] * 4 + [Outcome.DEAD]
    assert PhoneCode.objects.get().tries == 5


def test_expired_at_two_minutes():
    code = send()
    age(120)
    assert code_check(purpose="test", mobile=MOBILE, code=code).outcome is Outcome.EXPIRED


def test_a_new_code_replaces_the_old_and_resets_the_tries():
    first = send()
    code_check(purpose="test", mobile=MOBILE, code="000000" if first != "000000" else "000001")
    age(61)
    second = send()
    assert PhoneCode.objects.get().tries == 0
    if first != second:
        assert code_check(purpose="test", mobile=MOBILE, code=first).outcome is Outcome.WRONG
    assert code_check(purpose="test", mobile=MOBILE, code=second).ok


def test_purposes_and_numbers_are_separate():
    mine = send(purpose="join")
    assert code_check(purpose="login", mobile=MOBILE, code=mine).outcome is Outcome.EXPIRED
    assert code_check(purpose="join", mobile="09127654321", code=mine).outcome is Outcome.EXPIRED
    assert code_check(purpose="join", mobile=MOBILE, code=mine).ok


def test_resend_waits_a_minute():
    send()
    with pytest.raises(CodeRefused) as refused:
        send()
    assert (refused.value.reason, refused.value.wait_seconds) == ("resend", 60)
    age(59)
    with pytest.raises(CodeRefused):
        send()
    age(1)
    send()
    assert len(sms.outbox) == 2


def test_three_codes_per_number_in_ten_minutes_across_addresses():
    for n in range(3):
        if n:
            age(61)
        send(address=f"10.2.0.{n}")
    age(61)
    with pytest.raises(CodeRefused) as refused:
        send(address="10.2.0.9")
    assert refused.value.reason == "number" and 590 <= refused.value.wait_seconds <= 601
    # Another purpose of the same number counts on its own.
    send(purpose="other", address="10.2.0.10")


def test_twenty_codes_per_address_in_an_hour_across_numbers():
    for n in range(20):
        send(mobile=f"0912333{n:04d}", address="10.3.0.1", purpose="login" if n % 2 else "join")
    with pytest.raises(CodeRefused) as refused:
        send(mobile="09123339999", address="10.3.0.1")
    assert refused.value.reason == "address" and refused.value.wait_seconds > 3500
    send(mobile="09123339999", address="10.3.0.2")


def test_limits_can_be_turned_off_for_the_scanners(settings):
    settings.RATELIMIT_ENABLE = False
    for _ in range(5):
        send()
    assert len(sms.outbox) == 5


def test_a_failing_sms_provider_is_a_clear_refusal_not_an_error(settings):
    settings.SMS_BACKEND = "core.sms.HttpSmsBackend"
    settings.SMS_API_URL = "http://not-https.example/{api_key}"  # refused by the backend itself
    with pytest.raises(CodeRefused) as refused:
        send()
    assert refused.value.reason == "unavailable"
    # The person may ask again at once.
    settings.SMS_BACKEND = "core.sms.LocmemSmsBackend"
    send()
    assert len(sms.outbox) == 1


def test_status_for_the_page():
    assert phone_codes.code_status(purpose="test", mobile=MOBILE) is None
    send()
    age(15)
    status = phone_codes.code_status(purpose="test", mobile=MOBILE)
    assert (status.resend_in, status.resend_clock) == (45, "0:45")
    assert 100 <= status.expires_in <= 105


def test_expired_rows_of_other_numbers_are_removed_when_a_code_is_sent():
    send(mobile="09120000001")
    PhoneCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    send(mobile="09120000002", address="10.4.0.1")
    assert list(PhoneCode.objects.values_list("mobile", flat=True)) == ["09120000002"]


def test_message_with_the_browser_autofill_line():
    with translation.override("en"):
        text = phone_codes.code_message("123456", lead="Sign-in code.", domain="portal.example")
    assert (
        text == "Sign-in code.\nCode: 123456\nValid for 2 minutes. Do not give it to anyone.\n\n@portal.example #123456"
    )


def test_code_form_takes_any_digits_and_names_a_malformed_code():
    form = phone_codes.PhoneCodeForm({"code": "۱۲۳-۴۵۶"})
    assert form.is_valid() and form.cleaned_data["code"] == "123456"
    with translation.override("en"):
        form = phone_codes.PhoneCodeForm({"code": "12345"})
        assert not form.is_valid() and form.errors["code"] == ["Enter the 6 digits of the code."]
    with translation.override("fa"):
        form = phone_codes.PhoneCodeForm({"code": "12345"})
        assert not form.is_valid() and form.errors["code"] == ["۶ رقم کد را وارد کنید."]
