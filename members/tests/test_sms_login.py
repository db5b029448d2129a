"""Sign-in by SMS code (/accounts/login/code/): the whole flow through the real views on the
locmem SMS backend, and the abuse cases — expired, reused, another number's and another
purpose's codes, the sixth try, floods per number and per address, unknown numbers answered
like known ones, privileged roles still asked for their authenticator — and the password
login's "attempts left" warning from the third failure on."""

import difflib
import logging
import re
import secrets
from datetime import timedelta

import pytest
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD, give_totp_device, make_user
from core import phone_codes, sms
from core.models import PhoneCode

pytestmark = pytest.mark.django_db

MOBILE = "09121234567"
SEND = "/accounts/login/code/"
VERIFY = "/accounts/login/code/verify/"
EXPIRED_FA = "این کد منقضی شده یا کد تازه‌تری جای آن را گرفته است. کد تازه‌ای بخواهید."
LOCKED_FA = "۱۵ دقیقه"


NETWORK = [0, 0]


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    NETWORK[:] = [secrets.randbelow(250) + 1, secrets.randbelow(200)]


@pytest.fixture
def user(db):
    return make_user(MOBILE, "رضا کریمی")


def ip(subnet=0, host=1):
    """An address of this test's own network: a shared Redis keeps django-axes' counts (per
    number and address) across tests and runs."""
    return f"10.{NETWORK[0]}.{NETWORK[1] + subnet}.{host}"


def fa(**extra):
    extra.setdefault("REMOTE_ADDR", ip())
    client = Client(**extra)
    client.cookies["django_language"] = "fa"
    return client


def sms_to(mobile):
    return [message["text"] for message in sms.outbox if message["to"] == mobile]


def last_code(mobile):
    return re.findall(r"\b(\d{6})\b", sms_to(mobile)[-1])[0]


def age_code(mobile, seconds, purpose="login"):
    """The code was sent `seconds` earlier than it was (the clock moved on)."""
    row = PhoneCode.objects.get(purpose=purpose, mobile=mobile)
    PhoneCode.objects.filter(pk=row.pk).update(
        created_at=row.created_at - timedelta(seconds=seconds), expires_at=row.expires_at - timedelta(seconds=seconds)
    )


def signed_in_as(client):
    return client.session.get("_auth_user_id")


# --- The flow ----------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["09121234567", "۰۹۱۲۱۲۳۴۵۶۷", "+98 912 123 4567", "٠٩١٢١٢٣٤٥٦٧"])
def test_member_signs_in_with_a_code_typed_in_any_digits(user, typed):
    client = fa()
    response = client.post(SEND, {"username": typed})
    assert (response.status_code, response["Location"]) == (302, VERIFY)
    [text] = sms_to(MOBILE)
    code = last_code(MOBILE)
    assert text == (
        f"کد ورود شما به سامانه خوشه شیرینی سنتی قزوین.\nکد: {code}\n"
        f"این کد ۲ دقیقه اعتبار دارد. آن را به هیچ‌کس ندهید.\n\n@testserver #{code}"
    )
    page = client.get(VERIFY).content.decode()
    assert '<bdi dir="ltr" class="fw-semibold">۰۹۱۲۱۲۳۴۵۶۷</bdi>' in page
    assert 'autocomplete="one-time-code"' in page and "js/phone_codes.js" in page
    persian_code = code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    response = client.post(VERIFY, {"code": f"{persian_code[:3]} {persian_code[3:]}"})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert signed_in_as(client) == str(user.pk)
    assert PhoneCode.objects.count() == 0  # used up


def test_login_page_offers_the_code_and_posts_the_typed_number_to_it(user):
    client = fa()
    html = client.get(reverse("login")).content.decode()
    assert f'formaction="{SEND}"' in html and "ورود با پیامک" in html
    # The login form's button posts everything typed there; only the number is used.
    response = client.post(SEND, {"username": "۰۹۱۲۱۲۳۴۵۶۷", "password": "", "next": "/members/me/"})
    assert response["Location"] == VERIFY
    response = client.post(VERIFY, {"code": last_code(MOBILE)})
    assert response["Location"] == "/members/me/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_code_sign_in_never_redirects_off_the_portal(user, target):
    client = Client(REMOTE_ADDR=ip())
    client.post(SEND + f"?next={target}", {"username": MOBILE, "next": target})
    response = client.post(VERIFY, {"code": last_code(MOBILE)})
    assert (response.status_code, response["Location"]) == (302, "/")


def test_code_sign_in_gives_a_new_session_key(user, settings):
    client = Client(REMOTE_ADDR=ip())
    client.post(SEND, {"username": MOBILE})
    before = client.session.session_key
    client.post(VERIFY, {"code": last_code(MOBILE)})
    assert client.session.session_key != before and signed_in_as(client) == str(user.pk)


def test_a_malformed_code_is_a_form_error_and_costs_no_try(user):
    client = fa()
    client.post(SEND, {"username": MOBILE})
    response = client.post(VERIFY, {"code": "۱۲۳"})
    assert response.context["form"].errors["code"] == ["۶ رقم کد را وارد کنید."]
    assert PhoneCode.objects.get().tries == 0
    assert failures(MOBILE, ip()) == 0


def test_verify_page_without_a_number_goes_back_to_step_one(db):
    assert Client(REMOTE_ADDR=ip()).get(VERIFY)["Location"] == SEND


def test_signed_in_users_are_sent_on(user, client_as, actors):
    assert client_as("member_a").get(SEND)["Location"] == "/"
    assert client_as("member_a").get(VERIFY)["Location"] == "/"


def test_an_invalid_number_is_named_and_kept(db):
    response = fa().post(SEND, {"username": "۱۲۳۴"})
    assert response.context["form"].errors["username"] == ["شماره همراه را مانند ۰۹۱۲۱۲۳۴۵۶۷ وارد کنید."]
    assert 'value="۱۲۳۴"' in response.content.decode()
    assert sms.outbox == []


def test_resend_replaces_the_code_after_the_countdown(user):
    client = fa()
    client.post(SEND, {"username": MOBILE})
    first = last_code(MOBILE)
    # Too early: refused with the wait, nothing sent.
    response = client.post(VERIFY, {"resend": "1"}, follow=True)
    assert "کد تازه را ۶۰ ثانیه دیگر می‌توانید بخواهید." in response.content.decode()
    assert len(sms_to(MOBILE)) == 1
    age_code(MOBILE, 61)
    response = client.post(VERIFY, {"resend": "1"}, follow=True)
    assert "کد تازه‌ای فرستاده شد." in response.content.decode()
    second = last_code(MOBILE)
    assert len(sms_to(MOBILE)) == 2
    if first != second:
        response = client.post(VERIFY, {"code": first})
        assert response.context["form"].errors["code"] == ["کد درست نیست. ۴ بار دیگر می‌توانید امتحان کنید."]
    assert client.post(VERIFY, {"code": second})["Location"] == "/"


def test_resend_too_early_says_how_long_to_wait(user):
    client = fa()
    client.post(SEND, {"username": MOBILE})
    age_code(MOBILE, 15)
    response = client.post(VERIFY, {"resend": "1"}, follow=True)
    assert "کد تازه را ۴۵ ثانیه دیگر می‌توانید بخواهید." in response.content.decode()


def test_step_one_again_within_the_minute_goes_back_to_the_live_code(user):
    client = Client(REMOTE_ADDR=ip())
    client.post(SEND, {"username": MOBILE})
    response = client.post(SEND, {"username": MOBILE})
    assert response["Location"] == VERIFY
    assert len(sms_to(MOBILE)) == 1


# --- Abuse -------------------------------------------------------------------------------------
def test_expired_code_is_refused(user):
    client = fa()
    client.post(SEND, {"username": MOBILE})
    code = last_code(MOBILE)
    age_code(MOBILE, 121)
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 200 and signed_in_as(client) is None
    assert response.context["form"].errors["code"] == [EXPIRED_FA]


def test_code_at_119_seconds_still_works(user):
    client = Client(REMOTE_ADDR=ip())
    client.post(SEND, {"username": MOBILE})
    age_code(MOBILE, 119)
    assert client.post(VERIFY, {"code": last_code(MOBILE)})["Location"] == "/"


def test_a_used_code_does_not_work_again(user):
    client = Client(REMOTE_ADDR=ip())
    client.post(SEND, {"username": MOBILE})
    code = last_code(MOBILE)
    assert client.post(VERIFY, {"code": code})["Location"] == "/"
    # Whoever saw the code (over a shoulder, in the SMS log) cannot use it in their own session.
    thief = fa()
    session = thief.session
    session["login_code_mobile"] = MOBILE
    session.save()
    response = thief.post(VERIFY, {"code": code})
    assert response.context["form"].errors["code"] == [EXPIRED_FA]
    assert signed_in_as(thief) is None


def test_sixth_try_is_refused_even_with_the_right_code(user):
    client = fa(REMOTE_ADDR=ip(0, 7))
    client.post(SEND, {"username": MOBILE})
    code = last_code(MOBILE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    pages = [client.post(VERIFY, {"code": wrong}) for _ in range(4)]
    assert [page.status_code for page in pages] == [200, 200, 200, 200]
    assert [page.context["form"].errors["code"] for page in pages] == [
        ["کد درست نیست. ۴ بار دیگر می‌توانید امتحان کنید."],
        ["کد درست نیست. ۳ بار دیگر می‌توانید امتحان کنید."],
        ["کد درست نیست."],
        ["کد درست نیست."],
    ]
    # From the third failure on, the page says how many are left before the lockout.
    assert 'data-testid="attempts-left"' not in pages[1].content.decode()
    assert "۲ بار دیگر می‌توانید امتحان کنید" in pages[2].content.decode()
    assert "۱ بار دیگر می‌توانید امتحان کنید" in pages[3].content.decode()
    fifth = client.post(VERIFY, {"code": wrong})
    assert fifth.status_code == 429 and LOCKED_FA in fifth.content.decode()
    sixth = client.post(VERIFY, {"code": code})
    assert sixth.status_code == 429 and signed_in_as(client) is None
    # From another address the number is not locked, but the code died at the fifth wrong try.
    other = client.post(VERIFY, {"code": code}, REMOTE_ADDR=ip(0, 8))
    assert other.context["form"].errors["code"] == ["کدهای نادرست بسیاری وارد شد. کد تازه‌ای بخواهید."]
    assert signed_in_as(client) is None


def failures(mobile, address):
    """django-axes' count of failed sign-ins for the number from the address (database or cache)."""
    return AxesProxyHandler.get_failures(RequestFactory().post("/", REMOTE_ADDR=address), {"username": mobile})


def test_wrong_codes_count_as_failed_sign_ins_and_are_recorded_without_the_code(user, settings):
    client = fa()
    client.post(SEND, {"username": MOBILE})
    code = last_code(MOBILE)
    wrong = "111111" if code != "111111" else "222222"
    client.post(VERIFY, {"code": wrong})
    assert failures(MOBILE, ip()) == 1
    if settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler":
        attempt = AccessAttempt.objects.get()
        assert (attempt.username, attempt.failures_since_start) == (MOBILE, 1)
        assert wrong not in attempt.post_data


def test_another_numbers_code_does_not_work(user, actors):
    mine, theirs = fa(), fa(REMOTE_ADDR=ip(0, 9))
    mine.post(SEND, {"username": MOBILE})
    theirs.post(SEND, {"username": actors.member_a.mobile})
    my_code, their_code = last_code(MOBILE), last_code(actors.member_a.mobile)
    if my_code != their_code:
        response = mine.post(VERIFY, {"code": their_code})
        assert response.context["form"].errors["code"] == ["کد درست نیست. ۴ بار دیگر می‌توانید امتحان کنید."]
        assert signed_in_as(mine) is None
    assert theirs.post(VERIFY, {"code": their_code})["Location"] == "/"
    assert signed_in_as(theirs) == str(actors.member_a.pk)


def test_another_purposes_code_does_not_sign_in(user):
    phone_codes.code_send(purpose="join", mobile=MOBILE, client_address=ip(0, 1), message=lambda code: f"join {code}")
    join_code = sms.outbox[-1]["text"].split()[-1]
    client = Client(REMOTE_ADDR=ip(0, 2))
    client.post(SEND, {"username": MOBILE})
    if join_code != last_code(MOBILE):
        response = client.post(VERIFY, {"code": join_code})
        assert response.status_code == 200 and signed_in_as(client) is None
    # The application's code is untouched by the sign-in attempt.
    assert phone_codes.code_check(purpose="join", mobile=MOBILE, code=join_code).ok


def test_flood_per_number_however_it_is_written(user):
    statuses = []
    for n, typed in enumerate(["09121234567", "+989121234567", "۰۹۱۲۱۲۳۴۵۶۷", "00989121234567"]):
        if n:
            age_code(MOBILE, 61)
        response = fa(REMOTE_ADDR=ip(1, n)).post(SEND, {"username": typed})
        statuses.append(response.status_code)
    assert statuses == [302, 302, 302, 429]
    assert response.context["form"].errors["username"] == [
        "برای این شماره کدهای بسیاری فرستاده شد. ۱۰ دقیقه دیگر دوباره امتحان کنید."
    ]
    assert len(sms_to(MOBILE)) == 3


def test_flood_per_address_across_numbers(db):
    client = fa(REMOTE_ADDR=ip(2, 1))
    statuses = [client.post(SEND, {"username": f"0912555{n:04d}"}).status_code for n in range(21)]
    assert statuses == [302] * 20 + [429]
    response = client.post(SEND, {"username": "09125559999"})
    assert response.context["form"].errors["username"] == [
        "از اتصال شما کدهای بسیاری درخواست شد. ۶۰ دقیقه دیگر دوباره امتحان کنید."
    ]
    assert len(sms.outbox) == 20
    # Another address is not affected.
    assert Client(REMOTE_ADDR=ip(2, 2)).post(SEND, {"username": "09125559999"}).status_code == 302


def _normalised_page(html, mobile):
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
    html = re.sub(r'data-(expires|resend)-in="\d+"', "", html)
    html = re.sub(r"data-countdown>[^<]*<", "", html)
    return html.replace(mobile.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")), "NUMBER")


def test_unknown_number_gets_the_same_pages_and_the_same_work(user):
    unknown = "09127654321"
    answers = {}
    for mobile in (MOBILE, unknown):
        client = fa(REMOTE_ADDR=ip(3, mobile[-1]))
        client.get(SEND)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(SEND, {"username": mobile})
        send = (response.status_code, response["Location"], len(queries))
        page = _normalised_page(client.get(VERIFY).content.decode(), mobile)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(VERIFY, {"code": "000000" if last_code(MOBILE) != "000000" else "000001"})
        wrong = (response.status_code, response.context["form"].errors["code"], len(queries))
        answers[mobile] = (send, page, wrong, len(sms_to(mobile)))
    known_page, unknown_page = answers[MOBILE][1].splitlines(), answers[unknown][1].splitlines()
    diff = list(difflib.unified_diff(known_page, unknown_page, lineterm="", n=0))
    assert diff == []
    assert answers[MOBILE] == answers[unknown]
    # The unknown number is told that it has no account (its owner learns it, nobody else).
    [text] = sms_to(unknown)
    assert "هیچ حسابی با این شماره نیست" in text and not re.search(r"\d{6}", text)


def test_inactive_user_cannot_sign_in_by_code(user):
    user.is_active = False
    user.save()
    client = Client(REMOTE_ADDR=ip())
    client.post(SEND, {"username": MOBILE})
    assert not re.search(r"\d{6}", sms_to(MOBILE)[0])
    assert signed_in_as(client) is None


def test_a_locked_number_gets_no_code(user):
    client = fa(REMOTE_ADDR=ip(4, 1))
    for _ in range(5):
        client.post(reverse("login"), {"username": MOBILE, "password": "wrong"})
    response = client.post(SEND, {"username": "۰۹۱۲۱۲۳۴۵۶۷"})
    assert response.status_code == 429 and LOCKED_FA in response.content.decode()
    assert sms.outbox == []


@pytest.mark.parametrize("role", ["staff", "union_head", "superuser"])
def test_privileged_roles_still_give_their_authenticator(role, actors):
    person = actors.user(role)
    give_totp_device(person)
    client = Client(REMOTE_ADDR=ip())
    client.post(SEND, {"username": person.mobile})
    response = client.post(VERIFY, {"code": last_code(person.mobile)})
    assert response["Location"] == "/"
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/2fa/verify/?next=%2F")
    assert client.get("/admin/").status_code == 302


def test_privileged_user_without_an_authenticator_is_sent_to_set_it_up(actors):
    client = Client(REMOTE_ADDR=ip())
    client.post(SEND, {"username": actors.staff.mobile})
    client.post(VERIFY, {"code": last_code(actors.staff.mobile)})
    assert client.get("/")["Location"] == "/accounts/2fa/setup/?next=%2F"


def test_member_who_turned_two_step_on_is_asked_too_and_one_who_did_not_is_not(actors):
    give_totp_device(actors.member_a)
    asked, not_asked = Client(REMOTE_ADDR=ip(5, 1)), Client(REMOTE_ADDR=ip(5, 2))
    for client, person in ((asked, actors.member_a), (not_asked, actors.member_b)):
        client.post(SEND, {"username": person.mobile})
        client.post(VERIFY, {"code": last_code(person.mobile)})
    assert asked.get(reverse("notifications"))["Location"].startswith("/accounts/2fa/verify/")
    assert not_asked.get(reverse("notifications")).status_code == 200


def test_no_code_or_full_number_in_the_logs(user, caplog):
    caplog.set_level(logging.DEBUG)
    client = Client(REMOTE_ADDR=ip())
    client.post(SEND, {"username": MOBILE})
    code = last_code(MOBILE)
    client.post(VERIFY, {"code": f"{(int(code) + 3) % 10**6:06d}"})
    client.post(VERIFY, {"code": code})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert code not in logged and MOBILE not in logged
    assert "SMS code rejected purpose=login try=1" in logged


def test_code_pages_in_english(user):
    client = Client(REMOTE_ADDR=ip())
    client.cookies["django_language"] = "en"
    client.post(SEND, {"username": MOBILE})
    assert sms_to(MOBILE)[0].startswith("Your sign-in code for the sweets cluster portal.\nCode: ")
    html = client.get(VERIFY).content.decode()
    assert 'We sent a 6-digit verification code by SMS to <bdi dir="ltr" class="fw-semibold">09121234567</bdi>.' in html
    response = client.post(VERIFY, {"code": "12"})
    assert response.context["form"].errors["code"] == ["Enter the 6 digits of the code."]


# --- Password login: attempts left from the third failure on -------------------------------------
def test_password_login_says_how_many_attempts_are_left_from_the_third_failure(user):
    client = fa(REMOTE_ADDR=ip(6, 1))
    pages = [
        client.post(reverse("login"), {"username": "۰۹۱۲۱۲۳۴۵۶۷", "password": "wrong"}).content.decode()
        for _ in range(4)
    ]
    warnings = [re.search(r'data-testid="attempts-left">([^<]*)<', page) for page in pages]
    assert warnings[:2] == [None, None]
    assert warnings[2].group(1) == (
        "۲ بار دیگر می‌توانید امتحان کنید؛ پس از آن ورود با این شماره از اتصال شما ۱۵ دقیقه قفل می‌شود."
    )
    assert warnings[3].group(1) == (
        "۱ بار دیگر می‌توانید امتحان کنید؛ پس از آن ورود با این شماره از اتصال شما ۱۵ دقیقه قفل می‌شود."
    )
    fifth = client.post(reverse("login"), {"username": MOBILE, "password": "wrong"})
    assert fifth.status_code == 429 and LOCKED_FA in fifth.content.decode()
    assert client.post(reverse("login"), {"username": MOBILE, "password": PASSWORD}).status_code == 429


def test_attempts_left_in_english_and_unknown_numbers_alike(user):
    answers = []
    for mobile in (MOBILE, "09127654321"):
        client = Client(REMOTE_ADDR=ip(7, mobile[-1]))
        client.cookies["django_language"] = "en"
        for _ in range(3):
            response = client.post(reverse("login"), {"username": mobile, "password": "wrong"})
        answers.append(re.search(r'data-testid="attempts-left">([^<]*)<', response.content.decode()).group(1))
    assert (
        answers
        == ["2 attempts left before signing in with this number from your connection is locked for 15 minutes."] * 2
    )


def test_a_successful_sign_in_clears_the_count(user):
    client = Client(REMOTE_ADDR=ip(8, 1))
    for _ in range(3):
        client.post(reverse("login"), {"username": MOBILE, "password": "wrong"})
    client.post(reverse("login"), {"username": MOBILE, "password": PASSWORD})
    client.post(reverse("logout"))
    response = client.post(reverse("login"), {"username": MOBILE, "password": "wrong"})
    assert 'data-testid="attempts-left"' not in response.content.decode()


def test_code_rows_expire_and_are_removed_when_new_codes_are_sent(user):
    phone_codes.code_send(purpose="login", mobile="09120000001", client_address=ip(9, 9), message=str)
    PhoneCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    phone_codes.code_send(purpose="login", mobile=MOBILE, client_address=ip(9, 9), message=str)
    assert list(PhoneCode.objects.values_list("mobile", flat=True)) == [MOBILE]


def test_login_box_takes_the_number_as_people_write_it(db):
    html = Client(REMOTE_ADDR=ip()).get(reverse("login")).content.decode()
    assert 'maxlength="20"' in html and 'maxlength="11"' not in html
