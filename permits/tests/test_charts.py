"""The staff dashboard's charts: permits expiring by Jalali month, open cases by step and age
(exact figures, one query for the months whatever the permits)."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from core.jalali import jalali_month_label, jalali_month_of, jalali_month_range
from permits.models import PermitCase
from permits.selectors import expiring_by_month
from permits.tests import factories

pytestmark = pytest.mark.django_db


def chart_data(body, chart_id):
    found = re.search(rf'<script id="{chart_id}-data" type="application/json">(.*?)</script>', body, re.S)
    assert found, chart_id
    return json.loads(found.group(1))


def test_expiring_by_month_counts_permits_in_force_per_jalali_month(actors, django_assert_num_queries):
    today = datetime.date(2026, 11, 30)  # 9 Azar 1405
    azar_end = jalali_month_range(1405, 9)[1]
    window_end = jalali_month_range(1406, 8)[1]  # the 12th month from Azar 1405
    for days in (0, (azar_end - today).days):  # today and the last day of Azar
        factories.permit(actors.a, today=today, expiry_in=days)
    factories.permit(actors.a, today=today, expiry_in=-1)  # expired: not in the chart
    factories.permit(actors.a, today=today, expiry_in=(azar_end - today).days + 1)  # 1 Dey
    factories.permit(actors.a, today=today, expiry_in=(window_end - today).days)  # last day of Aban 1406
    factories.permit(actors.a, today=today, expiry_in=(window_end - today).days + 1)  # beyond the window
    factories.permit(actors.a, today=today, expiry_in=None)  # never expires
    with django_assert_num_queries(1):
        months = expiring_by_month(today=today)
    assert months == [
        (1405, 9, 2),
        (1405, 10, 1),
        (1405, 11, 0),
        (1405, 12, 0),
        *[(1406, m, 0) for m in range(1, 8)],
        (1406, 8, 1),
    ]


def test_dashboard_charts_data(actors, client_as, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    now = timezone.now()
    for (member, user, code), age in (
        ((actors.a, actors.member_a, "business_licence"), 10),
        ((actors.a, actors.member_a, "home_business"), 40),
        ((actors.b, actors.member_b, "business_licence"), 50),
        ((actors.b, actors.member_b, "home_business"), 120),
    ):
        case = factories.submitted_case(member, user, code, tracking=f"T-{age}")
        PermitCase.objects.filter(pk=case.pk).update(created_at=now - datetime.timedelta(days=age))
    # The cases' prerequisites are permits too: the two below are counted on top of them.
    before = chart_data(client_as("staff").get(reverse("permits:dashboard")).content.decode(), "expiry-chart")
    # Saved permits queue the figures' refresh, which runs once they are committed.
    with django_capture_on_commit_callbacks(execute=True):
        factories.permit(actors.a, expiry_in=0)
        factories.permit(actors.a, expiry_in=1)
    body = client_as("staff").get(reverse("permits:dashboard")).content.decode()
    expiry = chart_data(body, "expiry-chart")
    year, month = jalali_month_of(today)
    assert expiry["labels"][0] == jalali_month_label(year, month)
    assert len(expiry["labels"]) == 12
    tomorrow_month = jalali_month_of(today + datetime.timedelta(days=1))
    expected = list(before["datasets"][0]["data"])
    expected[0] += 1
    expected[0 if tomorrow_month == (year, month) else 1] += 1
    assert expiry["datasets"][0]["data"] == expected
    cases = chart_data(body, "cases-chart")
    assert cases["labels"] == [
        "شروع‌نشده",
        "در حال آماده‌کردن مدارک",
        "ثبت‌شده",
        "اعلام نقص",
        "بازدید تعیین‌شده",
        "بررسی در کمیسیون",
    ]
    assert [(d["label"], d["data"]) for d in cases["datasets"]] == [
        ("کمتر از ۳۰ روز", [0, 0, 1, 0, 0, 0]),
        ("۳۰ تا ۹۰ روز", [0, 0, 2, 0, 0, 0]),
        ("بیش از ۹۰ روز", [0, 0, 1, 0, 0, 0]),
    ]
    assert cases["stacked"] is True
    assert 'id="cases-by-step"' in body and 'href="#cases-by-step"' in body
    assert body.count('role="img"') == 2
