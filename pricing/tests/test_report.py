import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from pricing import services
from pricing.models import PriceCellStat
from pricing.tests.factories import make_members, make_round, make_submission

pytestmark = pytest.mark.django_db
REPORT = reverse("pricing:report")


def _two_rounds(actors):
    previous = make_round(1405, 6, status="open")
    for member, toman in zip(make_members(5), [100_000, 110_000, 120_000, 130_000, 140_000], strict=True):
        make_submission(member=member, price_round=previous, toman=toman, status="accepted")
    services.price_round_close(price_round=previous, actor=actors.staff)
    current = make_round(1405, 7, status="closed")
    members = make_members(5)
    for member, toman in zip(members, [120_000, 130_000, 132_000, 140_000, 150_000], strict=True):
        make_submission(member=member, price_round=current, toman=toman, status="accepted", cost_flour=200_000)
    make_submission(member=actors.a, price_round=current, toman=1_320_000, status="submitted")  # Rials by mistake
    services.price_round_refresh_stats(price_round=current)  # as closing the round does
    return previous, current


def test_report_numbers_for_the_union_head(actors, client_as):
    _previous, current = _two_rounds(actors)
    response = client_as("union_head").get(REPORT + f"?round={current.pk}")
    (row,) = response.context["rows"]
    stats = row.stats
    assert (stats.members, stats.median, stats.q1, stats.q3) == (6, 1_360_000, 1_305_000, 1_475_000)
    assert (stats.minimum, stats.maximum, stats.outliers) == (1_200_000, 13_200_000, 1)
    assert stats.trimmed_mean == pytest.approx(
        (1_200_000 + 1_300_000 + 1_320_000 + 1_400_000 + 1_500_000 + 13_200_000) / 6
    )
    assert row.previous_median == 1_200_000
    assert row.change == pytest.approx(13.3333333, rel=1e-6)
    body = response.content.decode()
    assert "۱۳۶٬۰۰۰ تومان" in body
    assert "۱٬۳۲۰٬۰۰۰ تومان" in body  # the maximum, for the union head only
    assert 'id="history-chart-data"' in body
    assert "chart.umd.min.js" in body


def test_staff_see_no_figure_of_an_unpublished_round(actors, client_as):
    """Behaviour changed on purpose: estates staff used to see the live median, quartiles,
    trimmed mean and outliers of every cell (a 1-reporter cell is one member's price)."""
    _previous, current = _two_rounds(actors)
    response = client_as("staff").get(REPORT + f"?round={current.pk}")
    body = response.content.decode()
    (row,) = response.context["rows"]
    assert (row.members, row.median, row.q1, row.q3) == (6, None, None, None)
    assert 'data-testid="counts-only"' in body
    assert "اعداد پس از انتشار دوره نشان داده می‌شوند." in body
    for figure in ("۱۳۶٬۰۰۰", "۱۳۰٬۵۰۰", "۱۴۷٬۵۰۰", "۳۳۲٬۰۰۰", "۱٬۳۲۰٬۰۰۰", "۲۰٬۰۰۰"):
        assert figure not in body, figure
    assert response.context["composition"] == []


def test_staff_see_a_published_round_as_published(actors, client_as):
    _previous, current = _two_rounds(actors)
    services.price_round_publish(price_round=current, actor=actors.staff)
    response = client_as("staff").get(REPORT + f"?round={current.pk}")
    (row,) = response.context["rows"]
    # 1,360,000 / 1,305,000 / 1,475,000 Rials rounded to 1,000 Toman (half up)
    assert (row.members, row.median, row.q1, row.q3, row.previous_median) == (
        6,
        1_360_000,
        1_310_000,
        1_480_000,
        None,  # the previous round was closed, never published
    )
    body = response.content.decode()
    assert "۱۳۶٬۰۰۰ تومان" in body and "۱۳۱٬۰۰۰ تومان" in body
    assert "۱۳۰٬۵۰۰" not in body and "۱٬۳۲۰٬۰۰۰" not in body and "۱۲۰٬۰۰۰ تومان" not in body
    assert "حداقل" not in body and "کمینه</th>" not in body
    (item,) = response.context["composition"]
    assert (item["reporters"], [(str(label), amount) for label, amount in item["lines"]]) == (5, [("آرد", 200_000)])
    chart = response.context["chart_data"]
    assert chart["labels"] == ["مهر ۱۴۰۵"]
    assert [(s["median"], s["q1"], s["q3"]) for s in chart["series"]] == [([136_000], [131_000], [148_000])]


def test_chart_data_has_persian_labels_for_the_last_rounds(actors, client_as):
    _previous, current = _two_rounds(actors)
    data = client_as("union_head").get(REPORT + f"?round={current.pk}").context["chart_data"]
    assert data["labels"] == ["شهریور ۱۴۰۵", "مهر ۱۴۰۵"]
    assert data["persian"] is True
    (series,) = data["series"]
    assert (series["label"], series["median"], series["q1"], series["q3"]) == (
        "باقلوا · عمده‌فروشی",
        [120_000, 136_000],
        [110_000, 130_500],
        [130_000, 147_500],
    )


def test_cost_composition(actors, client_as):
    _previous, current = _two_rounds(actors)
    (item,) = client_as("union_head").get(REPORT + f"?round={current.pk}").context["composition"]
    assert (item["reporters"], [(str(label), amount) for label, amount in item["lines"]], item["total"]) == (
        5,
        [("آرد", 200_000)],  # Rials per kg (the factory stores Rials as given)
        200_000,
    )


def test_csv_export_one_row_per_product_channel_round(actors, client_as):
    _previous, current = _two_rounds(actors)
    response = client_as("union_head").get(REPORT + f"?round={current.pk}&format=csv")
    assert response["Content-Disposition"] == 'attachment; filename="prices-1405-07.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["دوره", "محصول", "کانال فروش", "تعداد گزارش‌دهندگان"]
    assert rows[1:] == [
        [
            "شهریور ۱۴۰۵",
            "باقلوا",
            "عمده‌فروشی",
            "5",
            "120000",
            "110000",
            "130000",
            "120000",
            "100000",
            "140000",
            "",
            "0",
        ],
        [
            "مهر ۱۴۰۵",
            "باقلوا",
            "عمده‌فروشی",
            "6",
            "136000",
            "130500",
            "147500",
            "332000",
            "120000",
            "1320000",
            "13.3",
            "1",
        ],
    ]


def test_xlsx_export_for_staff_is_what_is_published(actors, client_as):
    """Behaviour changed on purpose: staff's export used to carry the live figures of every
    cell of unpublished rounds."""
    _previous, current = _two_rounds(actors)
    response = client_as("staff").get(REPORT + f"?round={current.pk}&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows == [
        [
            "دوره",
            "محصول",
            "کانال فروش",
            "تعداد گزارش‌دهندگان",
            "میانه (تومان/کیلوگرم)",
            "چارک اول (تومان/کیلوگرم)",
            "چارک سوم (تومان/کیلوگرم)",
            "تغییر میانه (٪)",
        ],
        ["مهر ۱۴۰۵", "باقلوا", "عمده‌فروشی", 6, None, None, None, None],
    ]
    services.price_round_publish(price_round=current, actor=actors.staff)
    response = client_as("staff").get(REPORT + f"?round={current.pk}&format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1:] == [["مهر ۱۴۰۵", "باقلوا", "عمده‌فروشی", "6", "136000", "131000", "148000", ""]]


def test_members_cannot_export(actors, client_as):
    _previous, current = _two_rounds(actors)
    assert client_as("member_a").get(REPORT + f"?round={current.pk}&format=csv").status_code == 403


def test_report_query_count_is_constant_in_products_and_submissions(actors, client_as):
    _previous, current = _two_rounds(actors)
    client = client_as("union_head")
    url = REPORT + f"?round={current.pk}"
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = count()
    for member in make_members(8):
        for slug in ("rice-cookies", "walnut-cookies", "qazvini-tea-bread"):
            for channel in ("wholesale", "retail"):
                make_submission(member=member, price_round=current, product_slug=slug, channel=channel, cost_eggs=5)
    services.price_round_refresh_stats(price_round=current)
    assert count() == few


def test_closing_stores_the_round_aggregates(actors):
    previous, _current = _two_rounds(actors)
    stat = PriceCellStat.objects.get(price_round=previous)
    assert (stat.members, stat.median, stat.q1, stat.q3, stat.minimum, stat.maximum) == (
        5,
        1_200_000,
        1_100_000,
        1_300_000,
        1_000_000,
        1_400_000,
    )


def test_staff_report_query_count_is_constant(actors, client_as):
    _previous, current = _two_rounds(actors)
    services.price_round_publish(price_round=current, actor=actors.staff)
    client = client_as("staff")
    urls = [REPORT + f"?round={current.pk}", REPORT + f"?round={current.pk}&format=csv", REPORT]
    for url in urls:
        client.get(url)

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            result.append(len(captured))
        return result

    few = counts()
    later = make_round(1405, 8, status="open")
    for member in make_members(8):
        for slug in ("rice-cookies", "walnut-cookies"):
            for channel in ("wholesale", "retail"):
                make_submission(member=member, price_round=current, product_slug=slug, channel=channel, cost_eggs=5)
                make_submission(member=member, price_round=later, product_slug=slug, channel=channel)
    services.price_round_refresh_stats(price_round=current)
    assert counts() == few
