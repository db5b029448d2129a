import random

import pytest
from django.conf import settings as django_settings
from django.db import connection

from pricing import statistics
from pricing.tests.factories import make_members, make_round, make_submission

pytestmark = pytest.mark.django_db
ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _round_with(prices, *, product_slug="baklava", channel="wholesale"):
    price_round = make_round(1405, 5, status="closed")
    for member, toman in zip(make_members(len(prices)), prices, strict=True):
        make_submission(member=member, price_round=price_round, toman=toman, product_slug=product_slug, channel=channel)
    return price_round


def _cell(price_round, slug="baklava", channel="wholesale", compute=statistics.round_statistics):
    from catalogue.models import Product

    return compute(price_round.pk)[(Product.objects.get(slug=slug).pk, channel)]


# Prices are typed in Toman; statistics are in Rials per kg (× 10).


def test_odd_count_quartiles_median_and_trimmed_mean():
    cell = _cell(_round_with([150, 450, 300, 200, 400]))
    assert (cell.members, cell.median, cell.q1, cell.q3, cell.trimmed_mean) == (5, 3000, 2000, 4000, 3000)
    assert (cell.minimum, cell.maximum, cell.outliers) == (1500, 4500, 0)


def test_even_count_interpolates():
    cell = _cell(_round_with([100, 200, 300, 400]))
    assert (cell.median, cell.q1, cell.q3, cell.trimmed_mean) == (2500, 1750, 3250, 2500)


def test_ties_and_trimmed_mean_drops_ten_percent_at_each_end():
    # n = 10 → one price dropped at each end: mean of 200, 200, 200, 300, 300, 300, 400, 500 = 300.
    cell = _cell(_round_with([100, 200, 200, 200, 300, 300, 300, 400, 500, 5000]))
    assert cell.median == 3000
    assert cell.q1 == 2000
    assert cell.q3 == 3750  # position 6.75 between 300 and 400 (ties at 300)
    assert cell.trimmed_mean == 3000
    assert cell.outliers == 2  # 5000 ≥ 3 × 300 and 100 ≤ 300 / 3


def test_only_current_submitted_or_accepted_prices_count():
    price_round = _round_with([100, 200, 300])
    member = make_members(1)[0]
    make_submission(member=member, price_round=price_round, toman=900, status="rejected")
    make_submission(member=make_members(1)[0], price_round=price_round, toman=900, status="needs_info")
    old = make_submission(member=member, price_round=price_round, toman=700, is_current=False, version=0)
    assert old.is_current is False
    assert _cell(price_round).members == 3


def test_ratio_outlier_rule_needs_three_members():
    assert _cell(_round_with([100, 110, 400])).outliers == 1  # 400 ≥ 3 × 110
    assert _cell(_round_with([100, 400], product_slug="rice-cookies"), "rice-cookies").outliers == 0


def test_ratio_outlier_rule_low_side():
    assert _cell(_round_with([30, 100, 110])).outliers == 1  # 30 ≤ 100 / 3


def test_robust_z_rule_needs_five_members():
    # 200 is not 3× the median (102) but its robust z on log price is ≈ 46.
    assert _cell(_round_with([100, 101, 102, 103, 200])).outliers == 1
    assert _cell(_round_with([100, 101, 102, 200], product_slug="rice-cookies"), "rice-cookies").outliers == 0


def test_robust_z_skipped_when_mad_is_zero():
    assert _cell(_round_with([100, 100, 100, 100, 100, 250])).outliers == 0


def test_is_outlier_function_matches_the_rules():
    cell = _cell(_round_with([100, 101, 102, 103, 200]))
    assert [cell.is_outlier(p * 10) for p in (100, 102, 200, 330)] == [False, False, True, True]


def test_cells_are_separate_per_product_and_channel():
    price_round = _round_with([100, 200, 300])
    for member, toman in zip(make_members(2), [1000, 2000], strict=True):
        make_submission(member=member, price_round=price_round, toman=toman, channel="retail")
    stats = statistics.round_statistics(price_round.pk)
    assert sorted((cell.channel, cell.members, cell.median) for cell in stats.values()) == [
        ("retail", 2, 15000.0),
        ("wholesale", 3, 2000.0),
    ]


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL")
def test_postgres_query_and_python_fallback_give_the_same_numbers(django_assert_num_queries):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    price_round = _round_with([100, 200, 200, 200, 300, 300, 300, 400, 500, 5000])
    for member, toman in zip(make_members(4), [1000, 2000, 2000, 2100], strict=True):
        make_submission(member=member, price_round=price_round, toman=toman, channel="retail")
    for member, toman in zip(make_members(5), [100, 101, 102, 103, 200], strict=True):
        make_submission(member=member, price_round=price_round, toman=toman, product_slug="almond-cookies")
    rng = random.Random(1405)
    skewed = [int(900_000 * rng.lognormvariate(0, 0.1)) for _ in range(57)] + [9_000_000, 95_000, 2_500_000]
    for member, toman in zip(make_members(len(skewed)), skewed, strict=True):
        make_submission(member=member, price_round=price_round, toman=toman, product_slug="walnut-cookies")
    extra_cells = [
        ("rice-cookies", "wholesale", [480_000]),
        ("rice-cookies", "retail", [480_000, 520_000]),
        ("chickpea-cookies", "wholesale", [500_000, 500_000, 500_000, 520_000, 480_000, 500_000, 1_600_000]),
        ("chickpea-cookies", "retail", [int(600_000 * rng.lognormvariate(0, 0.3)) for _ in range(13)]),
        ("qazvini-tea-bread", "wholesale", [300_000, 310_000, 2_900_000]),
        ("qazvini-tea-bread", "retail", [int(350_000 * rng.lognormvariate(0, 0.05)) for _ in range(8)] + [35_000]),
    ]
    for slug, channel, prices in extra_cells:
        for member, toman in zip(make_members(len(prices)), prices, strict=True):
            make_submission(member=member, price_round=price_round, toman=toman, product_slug=slug, channel=channel)
    with django_assert_num_queries(1):
        in_database = statistics._round_statistics_postgres(price_round.pk)
    in_python = statistics._round_statistics_python(price_round.pk)
    assert in_database.keys() == in_python.keys()
    assert len(in_python) == 10
    assert sum(cell.outliers for cell in in_python.values()) >= 6
    for key in in_python:
        db, py = in_database[key], in_python[key]
        for name in ("members", "median", "q1", "q3", "trimmed_mean", "minimum", "maximum", "outliers"):
            assert getattr(db, name) == pytest.approx(getattr(py, name), rel=1e-12), (key, name)
        assert db.mad_log == pytest.approx(py.mad_log, rel=1e-9)
