"""The charts' data on the price pages: exact figures on known data, only published bands of
≥ 5 members (rounded) beside the member's own prices, and constant query counts."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pricing import services
from pricing.tests.factories import make_members, make_open_round, make_submission

pytestmark = pytest.mark.django_db
BANDS = reverse("pricing:bands")
MY_PRICES = reverse("pricing:my_prices")
REPORT = reverse("pricing:report")


def chart_data(body, chart_id):
    """The JSON a chart is drawn from, as the page passes it (json_script)."""
    found = re.search(rf'<script id="{chart_id}-data" type="application/json">(.*?)</script>', body, re.S)
    assert found, chart_id
    return json.loads(found.group(1))


def _round(actors, month, cells, *, publish=True):
    """One round of 1405: cells = {(slug, channel): [(member, toman, extra)]}."""
    price_round = make_open_round(1405, month)
    for (slug, channel), prices in cells.items():
        for member, toman, extra in prices:
            make_submission(
                member=member,
                price_round=price_round,
                product_slug=slug,
                channel=channel,
                toman=toman,
                status="accepted",
                **extra,
            )
    services.price_round_close(price_round=price_round, actor=actors.staff)
    if publish:
        services.price_round_publish(price_round=price_round, actor=actors.staff)
    return price_round


def _two_published_rounds(actors):
    others = make_members(5)
    wholesale_6 = [(actors.a, 100_000, {})] + [
        (m, t, {}) for m, t in zip(others, (110_000, 120_000, 130_000, 140_000), strict=False)
    ]
    retail_6 = [(m, 777_000 + i, {}) for i, m in enumerate(others[:4])]  # 4 members: withheld
    first = _round(actors, 6, {("baklava", "wholesale"): wholesale_6, ("baklava", "retail"): retail_6})
    wholesale_7 = [(actors.a, 240_000, {})] + [
        (m, t, {}) for m, t in zip(others, (200_000, 210_000, 220_000, 230_000), strict=False)
    ]
    retail_7 = [(m, 300_000 + 10_000 * i, {}) for i, m in enumerate(others)]
    second = _round(actors, 7, {("baklava", "wholesale"): wholesale_7, ("baklava", "retail"): retail_7})
    return first, second


def test_bands_chart_and_trend_show_published_bands_of_five_or_more(actors, client_as):
    first, _second = _two_published_rounds(actors)
    body = client_as("anonymous").get(BANDS).content.decode()
    bands = chart_data(body, "bands-chart")
    assert bands["labels"] == ["باقلوا"]
    assert bands["horizontal"] is True and bands["persian"] is True
    assert [(d["label"], d["data"], d["medians"]) for d in bands["datasets"]] == [
        ("خرده‌فروشی", [[310_000, 330_000]], [320_000]),
        ("عمده‌فروشی", [[210_000, 230_000]], [220_000]),
    ]
    trend = chart_data(body, "trend-chart")
    assert trend["labels"] == ["شهریور ۱۴۰۵", "مهر ۱۴۰۵"]
    # the retail cell of Shahrivar had 4 reporters: a gap, never a figure
    assert [(d["label"], d["data"], d["hidden"]) for d in trend["datasets"]] == [
        ("باقلوا · خرده‌فروشی", [None, 320_000], False),
        ("باقلوا · عمده‌فروشی", [120_000, 220_000], False),
    ]
    assert 'role="img"' in body and "chart.umd.min.js" in body and "js/charts.js" in body
    # the older round alone: its bands, the withheld cell a gap, no trend of one point
    body = client_as("anonymous").get(BANDS + f"?round={first.pk}").content.decode()
    bands = chart_data(body, "bands-chart")
    assert [(d["data"], d["medians"]) for d in bands["datasets"]] == [
        ([None], [None]),
        ([[110_000, 130_000]], [120_000]),
    ]
    assert "trend-chart-data" not in body
    for price in ("777000", "777001", "7770000", "100000,", "140000"):
        assert price not in body


def test_bands_chart_in_english(actors, client_as):
    _two_published_rounds(actors)
    client = client_as("anonymous")
    client.cookies["django_language"] = "en"
    body = client.get(BANDS, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    bands = chart_data(body, "bands-chart")
    assert bands["persian"] is False
    assert bands["unit"] == "Toman per kg"
    assert [d["label"] for d in bands["datasets"]] == ["Own retail", "Wholesale"]


def test_bands_query_count_is_constant(actors, client_as):
    _two_published_rounds(actors)
    client = client_as("anonymous")

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(BANDS).status_code == 200
        return len(captured)

    client.get(BANDS)
    few = count()
    members = make_members(6)
    for month in (8, 9, 10):
        _round(
            actors,
            month,
            {
                (slug, channel): [(m, 150_000 + 1_000 * i, {}) for i, m in enumerate(members)]
                for slug in ("rice-cookies", "walnut-cookies", "baklava")
                for channel in ("wholesale", "retail")
            },
        )
    assert count() == few
    body = client.get(BANDS).content.decode()
    assert len(chart_data(body, "trend-chart")["labels"]) == 5
    assert len(chart_data(body, "bands-chart")["labels"]) == 3


def test_my_prices_chart_is_my_price_against_the_published_band(actors, client_as):
    _two_published_rounds(actors)
    body = client_as("member_a").get(MY_PRICES).content.decode()
    data = chart_data(body, "position-chart")
    assert data["labels"] == ["شهریور ۱۴۰۵", "مهر ۱۴۰۵"]
    band, mine = data["datasets"]
    assert (band["label"], band["data"], band["medians"]) == (
        "نیمه میانی منتشرشده (باقلوا · عمده‌فروشی)",
        [[110_000, 130_000], [210_000, 230_000]],
        [120_000, 220_000],
    )
    assert (mine["label"], mine["type"], mine["data"]) == ("قیمت من (باقلوا · عمده‌فروشی)", "line", [100_000, 240_000])
    assert data["groups"] == [{"label": "باقلوا · عمده‌فروشی", "datasets": [0, 1]}]
    assert 'href="#positions-table"' in body and 'id="positions-table"' in body


def test_my_prices_query_count_is_constant(actors, client_as):
    client = client_as("member_a")

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(MY_PRICES).status_code == 200
        return len(captured)

    _round(actors, 5, {("baklava", "wholesale"): [(m, 100_000, {}) for m in [actors.a, *make_members(4)]]})
    client.get(MY_PRICES)
    one = count()
    _two_published_rounds(actors)
    _round(actors, 8, {("walnut-cookies", "retail"): [(m, 100_000, {}) for m in [actors.a, *make_members(4)]]})
    client.get(
        MY_PRICES
    )  # the new rows renewed the cached navigation state (unread count, member): read once, as before the first count
    assert count() == one
    data = chart_data(client.get(MY_PRICES).content.decode(), "position-chart")
    assert [group["label"] for group in data["groups"]] == ["باقلوا · عمده‌فروشی", "نان گردویی · خرده‌فروشی"]
    assert [d["hidden"] for d in data["datasets"]] == [False, False, True, True]
    # Aban: the walnut cookies' band; the baklava's own price of Aban is a gap
    assert data["datasets"][1]["data"][-1] is None


def test_report_cost_chart_union_head_and_staff(actors, client_as):
    members = make_members(5)
    cells = {
        ("baklava", "wholesale"): [
            (m, 150_000, {"cost_flour": 200_000, **({"cost_sugar": 50_000} if i < 4 else {})})
            for i, m in enumerate(members)
        ]
    }
    price_round = _round(actors, 7, cells)
    body = client_as("union_head").get(REPORT + f"?round={price_round.pk}").content.decode()
    data = chart_data(body, "cost-chart")
    assert (data["labels"], data["stacked"], data["horizontal"]) == (["باقلوا"], True, True)
    assert [(d["label"], d["data"]) for d in data["datasets"]] == [("آرد", [20_000]), ("شکر", [5_000])]
    # staff get only the lines that at least five members gave
    body = client_as("staff").get(REPORT + f"?round={price_round.pk}").content.decode()
    data = chart_data(body, "cost-chart")
    assert data["labels"] == ["باقلوا · عمده‌فروشی"]
    assert [(d["label"], d["data"]) for d in data["datasets"]] == [("آرد", [20_000])]
    assert 'data-testid="cost-table"' in body
