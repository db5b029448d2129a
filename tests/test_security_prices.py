"""Individual prices (docs/security.md, "Who may see what"): member A's price — in the open
round, in a closed round, in a published cell of fewer than 5 members and as the exact middle
price of a published cell of 5 — appears on no page, export or admin page that anyone but
member A's own users, the union head and superusers can open. Every GET rule of the URL
access matrix is walked for every role that may open it, plus the report's exports for each
round and every admin change list and the submissions' change pages."""

import io

import pytest
from django.contrib import admin
from django.urls import reverse
from openpyxl import load_workbook

from core.persian import digits_to_persian
from pricing import services
from pricing.models import PriceCellStat, PriceSubmission
from pricing.tests.factories import make_members, make_open_round, make_round, make_submission

pytestmark = pytest.mark.django_db

# Toman per kg: the exact middle of a 5-member published cell, a 1-member published cell,
# a closed round, the open round (and a cost line, a note).
MIDDLE, ALONE, CLOSED, OPEN, COST = 1_236_917, 777_321, 654_987, 543_219, 86_413
NOTE = "دلیل خصوصی الف"
PRIVILEGED = ("union_head", "superuser")
READERS = ("anonymous", "applicant", "member_b", "staff", "panelist")


def _forms(toman):
    values = {str(toman), f"{toman:,}", str(toman * 10), f"{toman * 10:,}"}
    persian = {digits_to_persian(v.replace(",", "٬")) for v in values}
    return values | persian


SECRETS = set().union(*(_forms(v) for v in (MIDDLE, ALONE, CLOSED, OPEN, COST))) | {NOTE}


def _prices_of_a(actors):
    published = make_round(1405, 5, status="open")
    for member, toman in zip(make_members(4), [1_100_000, 1_200_000, 1_300_000, 1_400_000], strict=True):
        make_submission(member=member, price_round=published, toman=toman, status="accepted")
    make_submission(member=actors.a, price_round=published, toman=MIDDLE, status="accepted", note=NOTE)
    make_submission(member=actors.a, price_round=published, toman=ALONE, channel="retail", status="accepted")
    services.price_round_close(price_round=published, actor=actors.staff)
    services.price_round_publish(price_round=published, actor=actors.staff)
    closed = make_round(1405, 6, status="open")
    make_submission(member=actors.a, price_round=closed, toman=CLOSED, cost_flour=COST * 10)
    services.price_round_close(price_round=closed, actor=actors.staff)
    open_round = make_open_round(1405, 8)
    make_submission(member=actors.a, price_round=open_round, toman=OPEN, note=NOTE)
    return [published, closed, open_round]


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in response.get("Content-Type", ""):
        sheet = load_workbook(io.BytesIO(body)).active
        return "\n".join(" ".join(str(cell) for cell in row) for row in sheet.iter_rows(values_only=True))
    return body.decode("utf-8", "replace")


def _pages():
    from tests.test_url_access import RULES, URL_NAMES

    for name in URL_NAMES:
        rule = RULES[name]
        roles = tuple(role for role in READERS if rule.expect.get(role) == 200)
        if rule.method == "get" and roles:
            yield name, roles


def _assert_hidden(client, url, role):
    response = client.get(url)
    assert response.status_code in (200, 302, 403, 404), (role, url, response.status_code)
    body = _text(response)
    assert [secret for secret in SECRETS if secret in body] == [], (role, url)
    return response.status_code


@pytest.mark.parametrize(("name", "roles"), list(_pages()))
def test_member_as_prices_are_on_no_page_a_reader_can_open(name, roles, actors, client_as):
    from tests.test_url_access import RULES

    _prices_of_a(actors)
    rule = RULES[name]
    url = reverse(name, kwargs=rule.kwargs(actors) if rule.kwargs else {}) + (f"?{rule.query}" if rule.query else "")
    for role in roles:
        assert _assert_hidden(client_as(role), url, role) == 200


def test_member_as_prices_are_in_no_export_band_or_admin_page_a_reader_can_open(actors, client_as):
    rounds = _prices_of_a(actors)
    report = reverse("pricing:report")
    urls = []
    for price_round in rounds:
        urls += [f"{report}?round={price_round.pk}{suffix}" for suffix in ("", "&format=csv", "&format=xlsx")]
        urls.append(reverse("pricing:bands") + f"?round={price_round.pk}")
    urls += [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist") for model in admin.site._registry
    ]
    urls += [reverse("admin:pricing_pricesubmission_change", args=[s.pk]) for s in PriceSubmission.objects.all()]
    urls += [reverse("admin:pricing_pricecellstat_change", args=[s.pk]) for s in PriceCellStat.objects.all()]
    opened = {}
    for role in READERS:
        client = client_as(role)
        opened[role] = {url for url in urls if _assert_hidden(client, url, role) == 200}
    # staff open every export and every pricing admin page; visitors and members the bands
    staff_pages = {url for url in urls if url.startswith(("/prices/report/", "/admin/pricing/"))}
    assert len(staff_pages) == 9 + 3 + 8 + 3 and staff_pages <= opened["staff"]  # exports, lists, 8 prices, 3 cells
    published_bands = reverse("pricing:bands") + f"?round={rounds[0].pk}"
    assert opened["anonymous"] == opened["member_b"] == {published_bands}


def test_the_union_head_and_member_a_do_see_them(actors, client_as):
    rounds = _prices_of_a(actors)
    report = reverse("pricing:report")
    head = "".join(_text(client_as("union_head").get(f"{report}?round={r.pk}&format=csv")) for r in rounds)
    assert "1236917" in head  # the live median of the 5-member cell: member A's exact price
    assert "777321" in head  # the 1-member cell, for the union head only
    mine = client_as("member_a").get(reverse("pricing:my_prices")).content.decode()
    assert "۵۴۳٬۲۱۹" in mine and "۶۵۴٬۹۸۷" in mine


def test_staff_see_the_published_middle_price_only_rounded(actors, client_as):
    rounds = _prices_of_a(actors)
    body = client_as("staff").get(reverse("pricing:report") + f"?round={rounds[0].pk}").content.decode()
    assert "۱٬۲۳۷٬۰۰۰ تومان" in body  # 1,236,917 rounded to 1,000 Toman
    assert "۱٬۲۳۶٬۹۱۷" not in body
