"""`Cache-Control: private, no-store` on every response that may carry personal or role-restricted
data, set once (core.middleware.PrivateCacheMiddleware) rather than per view; public
pages answered to visitors stay cacheable. The URL × role matrix (tests/test_url_access.py)
checks every page; these add what the matrix does not walk: exports, the admin, flash
messages, static files, sign-in itself."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _directives(response):
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",") if part.strip()}


def _private(response):
    return {"private", "no-store"} <= _directives(response) and "public" not in _directives(response)


def test_price_report_csv_and_permits_export_are_private(actors, client_as):
    from pricing.tests.factories import make_round

    make_round(1405, 1, status="published")
    response = client_as("union_head").get(reverse("pricing:report") + "?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert _private(response)
    response = client_as("staff").get(reverse("permits:dashboard") + "?format=xlsx")
    assert response.status_code == 200 and _private(response)


def test_members_export_from_the_admin_is_private(actors, client_as):
    response = client_as("staff").post(
        reverse("admin:members_member_changelist"), {"action": "export_csv", ACTION_CHECKBOX_NAME: [actors.a.pk]}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert _private(response)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/members/member/",
        "/admin/members/member/{a}/change/",
        "/admin/pricing/pricesubmission/",
        "/admin/permits/permit/",
    ],
)
def test_admin_pages_are_private(actors, client_as, url):
    response = client_as("superuser").get(url.format(a=actors.a.pk))
    assert response.status_code == 200 and _private(response)


def test_signing_in_and_the_first_page_after_it_are_private(actors):
    client = Client()
    login = client.get(reverse("login"))
    assert _private(login)  # Django's never_cache
    response = client.post(reverse("login"), {"username": actors.member_a.mobile, "password": PASSWORD})
    assert response.status_code == 302 and _private(response)
    home = client.get(reverse("home"))
    assert home.status_code == 200 and _private(home)
    assert _private(client.get(reverse("members:directory")))
    client.post(reverse("logout"))
    assert not _directives(client.get(reverse("members:directory"))) & {"private", "no-store"}


def test_a_visitor_page_with_their_own_flash_message_is_private(actors):
    client = Client()
    detail = reverse("members:directory_detail", kwargs={"pk": actors.a.pk})
    assert not _directives(client.get(detail)) & {"private", "no-store"}
    response = client.post(
        reverse("members:contact", kwargs={"pk": actors.a.pk}),
        {"sender_name": "خریدار", "sender_mobile": "09135555555", "body": "سلام"},
    )
    assert response.status_code == 302 and _private(response)
    page = client.get(detail)
    assert "پیام شما فرستاده شد" in page.content.decode()
    assert _private(page)
    assert not _directives(client.get(detail)) & {"private", "no-store"}  # the message was shown once


def test_static_files_stay_cacheable_for_signed_in_users(actors, client_as):
    response = client_as("member_a").get("/static/css/members.css")
    assert response.status_code == 200
    assert not _directives(response) & {"private", "no-store"}


def test_a_listed_logo_is_public_and_an_unlisted_one_private(actors, client_as):
    from members.tests.factories import give_logo

    give_logo(actors.a)
    url = reverse("members:logo", kwargs={"pk": actors.a.pk, "variant": "thumb"})
    for role in ("anonymous", "member_b"):
        response = client_as(role).get(url)
        assert (response.status_code, _directives(response) >= {"public", "max-age"}) == (200, True)
        assert not _directives(response) & {"private", "no-store"}
    actors.a.directory_opt_in = False
    actors.a.save()
    response = client_as("member_a").get(url)
    assert response.status_code == 200 and _private(response)
