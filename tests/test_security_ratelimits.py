"""Rate limits, counted in the shared cache: applications, contact messages, questions, votes,
price submissions, document uploads, sign-in, password reset and two-step codes. Over the limit
a visitor gets the translated 429 page; the counts follow the real client address behind a
trusted proxy and cannot be dodged by writing a number differently."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.test import Client, RequestFactory
from django.urls import reverse

from conftest import PASSWORD
from core import sms
from core.models import PhoneCode
from core.ratelimits import client_ip
from members.tests.test_views import application

pytestmark = pytest.mark.django_db

FA_MESSAGE = "این کار را در مدت کوتاهی بیش از حد انجام داده‌اید"
EN_MESSAGE = "You have done this too many times in a short while."

# url name → (role, allowed per window): the app's decorators, hit through their real views.
LIMITS = {
    "members:join": ("anonymous", 20),
    "members:join_verify": ("anonymous", 30),
    "login_code": ("anonymous", 30),
    "login_code_verify": ("anonymous", 30),
    "members:contact": ("anonymous", 5),
    "events:question_ask": ("member_b", 5),
    "events:question_vote": ("member_b", 30),
    "pricing:submit": ("member_a", 30),
    "permits:document_upload": ("member_a", 30),
}


def _rules():
    from tests.test_url_access import RULES

    return RULES


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_app_limits_answer_429_with_the_translated_page(name, actors, client_as):
    role, allowed = LIMITS[name]
    rule = _rules()[name]
    url = reverse(name, kwargs=rule.kwargs(actors) if rule.kwargs else {})
    client = client_as(role)
    statuses = [client.post(url, rule.data).status_code for _ in range(allowed)]
    assert 429 not in statuses
    response = client.post(url, rule.data)
    assert response.status_code == 429
    assert FA_MESSAGE in response.content.decode()


def test_limit_page_is_in_english_for_english_visitors(actors):
    client = Client()
    client.cookies["django_language"] = "en"
    for n in range(30):
        client.post(reverse("login"), {"username": f"0912000{n:04d}", "password": "x"})
    response = client.post(reverse("login"), {"username": "09120009999", "password": "x"})
    assert response.status_code == 429
    assert EN_MESSAGE in response.content.decode()


def test_login_from_one_address_is_limited_across_numbers(actors):
    client = Client()
    statuses = [
        client.post(reverse("login"), {"username": f"0912000{n:04d}", "password": "wrong"}).status_code
        for n in range(31)
    ]
    assert statuses == [200] * 30 + [429]
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert other.post(reverse("login"), {"username": actors.member_a.mobile, "password": PASSWORD}).status_code == 302


def test_password_reset_per_number_however_it_is_written(actors, django_capture_on_commit_callbacks):
    sms.outbox.clear()
    spellings = ["09130000002", "+989130000002", "۰۹۱۳۰۰۰۰۰۰۲", "00989130000002"]
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [
            Client(REMOTE_ADDR=f"10.0.0.{n}").post(reverse("password_reset"), {"mobile": mobile}).status_code
            for n, mobile in enumerate(spellings)
        ]
    assert statuses == [302, 302, 302, 429]
    assert len(sms.outbox) == 3


def test_password_reset_per_address_across_numbers(actors):
    client = Client()
    statuses = [client.post(reverse("password_reset"), {"mobile": f"0912111{n:04d}"}).status_code for n in range(21)]
    assert statuses == [302] * 20 + [429]


def test_sms_codes_per_number_however_it_is_written(actors):
    """Sign-in codes: 3 per number in 10 minutes (each after the one-minute countdown), whatever
    the address and however the number is written."""
    sms.outbox.clear()
    statuses = []
    for n, mobile in enumerate(["09130000002", "+989130000002", "۰۹۱۳۰۰۰۰۰۰۲", "00989130000002"]):
        PhoneCode.objects.update(created_at=F("created_at") - timedelta(seconds=61))
        statuses.append(Client(REMOTE_ADDR=f"10.0.0.{n}").post(reverse("login_code"), {"username": mobile}).status_code)
    assert statuses == [302, 302, 302, 429]
    assert len(sms.outbox) == 3


def test_sms_codes_per_address_across_numbers(actors):
    sms.outbox.clear()
    client = Client()
    statuses = [client.post(reverse("login_code"), {"username": f"0912111{n:04d}"}).status_code for n in range(21)]
    assert statuses == [302] * 20 + [429]
    assert len(sms.outbox) == 20
    # The application's number check counts against the same address.
    response = client.post(reverse("members:join"), application(owner_national_id="۰۰۰۴۰۰۰۰۰۵"))
    assert response.status_code == 429 and len(sms.outbox) == 20


def test_client_address_behind_a_trusted_proxy(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 5.5.5.5")
    settings.PROXY_COUNT = 0
    assert client_ip(request) == "127.0.0.1"
    settings.PROXY_COUNT = 1
    assert client_ip(request) == "5.5.5.5"  # the left part is what the client claimed: ignored
    settings.PROXY_COUNT = 2
    assert client_ip(request) == "6.6.6.6"
    settings.PROXY_COUNT = 3  # fewer hops than proxies: the header is not trusted at all
    assert client_ip(request) == "127.0.0.1"


def test_spoofed_forwarded_header_does_not_reset_the_count(actors, settings):
    settings.PROXY_COUNT = 1
    statuses = [
        Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"1.1.1.{n}, 9.9.9.9")
        .post(reverse("login"), {"username": f"0912000{n:04d}", "password": "x"})
        .status_code
        for n in range(31)
    ]
    assert statuses[-1] == 429
