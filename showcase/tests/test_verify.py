"""Verifiable boxes: the /v/<code>/ page is green only while the member is active, the code is
live and a licence covering the product is in force today; it turns red by itself. Scans are
counted by month without storing anything about the scanner."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.jalali import format_date
from members.models import Member
from permits.models import Permit
from showcase import selectors, services
from showcase.models import BoxCode, ScanCount
from showcase.tests import factories
from tests.test_security_sessions import assert_strict_headers

pytestmark = pytest.mark.django_db


def _state(client, code):
    response = client.get(reverse("verify", args=[code.code]))
    match = re.search(r'data-state="(green|red)"', response.content.decode())
    return response, match.group(1) if match else None


def test_green_page_names_producer_membership_product_and_licence(boxed, actors, client):
    listing, licence, code = boxed
    response, state = _state(client, code)
    html = response.content.decode()
    assert (response.status_code, state) == (200, "green")
    assert '<bdi dir="ltr">FDO-۱۴۰۴-۵۵۲۱</bdi>' in html
    assert format_date(licence.expiry_date) in html  # Jalali in fa
    assert actors.a.business_name in html and listing.name in html
    assert "فعال" in html
    assert_strict_headers(response, "verify")
    assert response["Cache-Control"] == "private, no-store"


def test_turns_red_when_the_licence_expires(boxed, client):
    _listing, licence, code = boxed
    assert _state(client, code)[1] == "green"
    licence.expiry_date = timezone.localdate() - datetime.timedelta(days=1)
    licence.save()
    response, state = _state(client, code)
    assert state == "red"
    assert "پروانه بهداشتی امروز معتبر نیست" in response.content.decode()


def test_valid_on_its_last_day_and_red_the_next(boxed):
    _listing, licence, code = boxed
    last_day = licence.expiry_date
    assert selectors.box_code_for_scan(code.code, today=last_day).licence_valid is True
    assert selectors.box_code_for_scan(code.code, today=last_day + datetime.timedelta(days=1)).licence_valid is False


@pytest.mark.parametrize("status", [Member.Status.SUSPENDED, Member.Status.LAPSED])
def test_turns_red_on_suspension_or_lapse(boxed, actors, client, status):
    _listing, _licence, code = boxed
    actors.a.status = status
    actors.a.save()
    response, state = _state(client, code)
    assert state == "red"
    assert "عضویت این تولیدکننده در خوشه امروز فعال نیست." in response.content.decode()


def test_turns_red_when_the_licence_is_replaced_or_does_not_cover_the_product(boxed, actors, client):
    listing, licence, code = boxed
    licence.products.set([factories.product("rice-cookies")])
    assert _state(client, code)[1] == "red"
    licence.products.set([listing.product])
    newer = factories.licence(actors.a, [], number="FDO-1405-0001", expiry_in=1500)
    Permit.objects.filter(pk=licence.pk).update(replaced_by=newer)
    assert _state(client, code)[1] == "red"  # the new licence does not cover the product yet
    newer.products.set([listing.product])
    response, state = _state(client, code)
    assert state == "green"
    assert '<bdi dir="ltr">FDO-۱۴۰۵-۰۰۰۱</bdi>' in response.content.decode()


def test_home_producer_without_licence_is_red(actors, client):
    listing = factories.listing(actors.b, actors.member_b)
    code = factories.batch(listing, actors.member_b).codes.first()
    response, state = _state(client, code)
    assert state == "red"
    assert "پروانه بهداشتی ثبت نشده است" in response.content.decode()


def test_withdrawn_by_the_member_or_the_staff(boxed, actors, client):
    _listing, _licence, code = boxed
    other = BoxCode.objects.filter(batch=code.batch).exclude(pk=code.pk).first()
    services.box_codes_revoke(codes=[code], actor=actors.member_a)
    services.box_codes_revoke(codes=[other], actor=actors.staff)
    for item in (code, other):
        response, state = _state(client, item)
        assert state == "red"
        assert "این کد باطل شده است" in response.content.decode()
    third = BoxCode.objects.filter(batch=code.batch, revoked_at__isnull=True).first()
    with pytest.raises(Exception) as raised:
        services.box_codes_revoke(codes=[third], actor=actors.member_b)
    assert raised.type.__name__ == "PermissionDenied"


def test_unknown_code_is_a_small_404(client):
    response = client.get(reverse("verify", args=["not-a-code-at-all"]))
    assert response.status_code == 404
    assert "کد ناشناخته" in response.content.decode()


def test_codes_are_unguessable_and_unique(boxed):
    codes = list(BoxCode.objects.values_list("code", flat=True))
    assert len(codes) == 24 == len(set(codes))
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", code) for code in codes)  # 16 random bytes = 128 bits


def test_scans_counted_by_month_and_nothing_personal_is_kept(boxed, client):
    _listing, _licence, code = boxed
    sessions = Session.objects.count()
    for _ in range(3):
        response = client.get(reverse("verify", args=[code.code]), HTTP_USER_AGENT="Phone/1.0", REMOTE_ADDR="5.6.7.8")
        assert response.cookies == {}
        assert "Set-Cookie" not in str(response.serialize_headers())
    assert Session.objects.count() == sessions
    month = selectors.month_start(timezone.localdate())
    assert list(ScanCount.objects.values_list("code_id", "month", "count")) == [(code.pk, month, 3)]
    columns = {field.name for field in ScanCount._meta.get_fields()}
    assert columns == {"id", "code", "month", "count"}
    # another Jalali month starts a new row
    services.box_code_scan_count(code_id=code.pk, today=month + datetime.timedelta(days=40))
    assert sorted(ScanCount.objects.values_list("count", flat=True)) == [1, 3]


def test_month_start_is_the_first_day_of_the_jalali_month():
    # 1405/07/01 is 2026-09-23 (Gregorian); the 15th of Mehr still counts under it.
    assert selectors.month_start(datetime.date(2026, 10, 7)) == datetime.date(2026, 9, 23)
    assert selectors.month_start(datetime.date(2026, 9, 22)) == datetime.date(2026, 8, 23)


def test_member_sees_the_counts(boxed, client, client_as):
    listing, _licence, code = boxed
    for _ in range(2):
        client.get(reverse("verify", args=[code.code]))
    page = client_as("member_a").get(reverse("showcase:batch_detail", args=[code.batch_id]))
    by_code = {item.pk: item.scans for item in page.context["codes"]}
    assert by_code[code.pk] == 2
    assert [row["total"] for row in page.context["by_month"]] == [2]
    mine = client_as("member_a").get(reverse("showcase:mine"))
    assert [(item.pk, item.scans_this_month) for item in mine.context["listings"]] == [(listing.pk, 2)]


def test_page_weighs_under_30_kb_with_its_css(boxed, client):
    _listing, _licence, code = boxed
    html = client.get(reverse("verify", args=[code.code])).content
    stylesheets = re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html)
    assert stylesheets == [b"/static/css/verify.css"]
    css = (Path(settings.BASE_DIR) / "static/css/verify.css").read_bytes()
    assert b"<script" not in html and b"@import" not in css and b"url(" not in css
    assert len(html) + len(css) <= 30 * 1024
    assert len(html) + len(css) <= 6 * 1024  # what it is today: a few KB


def test_english_page_shows_gregorian_expiry(boxed, client):
    _listing, licence, code = boxed
    client.cookies["django_language"] = "en"
    html = client.get(reverse("verify", args=[code.code])).content.decode()
    assert "Health licence valid today" in html
    assert licence.expiry_date.strftime("%Y") in html and 'dir="ltr"' in html


def test_scan_page_queries_are_constant(boxed, actors, client, django_assert_num_queries):
    _listing, _licence, code = boxed
    for n in range(5):
        factories.licence(actors.a, [code.listing.product], number=f"FDO-EXTRA-{n}", expiry_in=10 + n)
    # the code with its member and product, the licence, the counter (on PostgreSQL the counter
    # is its own short transaction: BEGIN, SET LOCAL synchronous_commit, the upsert, COMMIT)
    with django_assert_num_queries(6 if connection.vendor == "postgresql" else 3):
        client.get(reverse("verify", args=[code.code]))
