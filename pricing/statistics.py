"""Robust statistics of one round's prices per product × channel.

On PostgreSQL everything comes from ONE query (percentile_cont, window functions, the MAD of
log prices); on SQLite the same numbers are computed in Python. Both follow the same
definitions:

- prices: the current version of each member's submission, status submitted or accepted,
  compared per kg (Rials);
- quartiles and median: percentile_cont (linear interpolation at f·(n−1));
- trimmed mean: drop ⌊0.1·n⌋ prices at each end, average the rest;
- outliers (DESIGN.md): p ≥ 3·median or p ≤ median/3 when n ≥ 3; or a robust z on log price
  above 3 when n ≥ 5, z = 0.6745·|ln p − median(ln p)| / MAD(ln p) (skipped when MAD = 0).
"""

import math
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection

from .models import PriceSubmission

INCLUDED_STATUSES = (PriceSubmission.Status.SUBMITTED, PriceSubmission.Status.ACCEPTED)
RATIO = 3
Z_LIMIT = 3.0
Z_SCALE = 0.6745


@dataclass(frozen=True)
class CellStats:
    product_id: int
    channel: str
    members: int
    median: float
    q1: float
    q3: float
    trimmed_mean: float
    minimum: float
    maximum: float
    outliers: int
    median_log: float
    mad_log: float

    def is_outlier(self, price_per_kg) -> bool:
        return is_outlier(
            price_per_kg, n=self.members, median=self.median, median_log=self.median_log, mad_log=self.mad_log
        )


def percentile_cont(sorted_values, fraction):
    """PostgreSQL's percentile_cont on an already sorted list."""
    if not sorted_values:
        return None
    position = fraction * (len(sorted_values) - 1)
    low = math.floor(position)
    high = math.ceil(position)
    if low == high:
        return float(sorted_values[low])
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def trimmed_mean(sorted_values, proportion=0.1):
    cut = math.floor(len(sorted_values) * proportion)
    kept = sorted_values[cut : len(sorted_values) - cut]
    return sum(kept) / len(kept)


def is_outlier(price, *, n, median, median_log, mad_log) -> bool:
    if n >= 3 and median and (price >= RATIO * median or price <= median / RATIO):
        return True
    if n >= 5 and mad_log and mad_log > 0:
        return Z_SCALE * abs(math.log(price) - median_log) / mad_log > Z_LIMIT
    return False


def stats_from_prices(product_id, channel, prices) -> CellStats:
    values = sorted(float(p) for p in prices)
    logs = [math.log(p) for p in values]
    median = percentile_cont(values, 0.5)
    median_log = percentile_cont(logs, 0.5)
    mad_log = percentile_cont(sorted(abs(v - median_log) for v in logs), 0.5)
    n = len(values)
    return CellStats(
        product_id=product_id,
        channel=channel,
        members=n,
        median=median,
        q1=percentile_cont(values, 0.25),
        q3=percentile_cont(values, 0.75),
        trimmed_mean=trimmed_mean(values),
        minimum=values[0],
        maximum=values[-1],
        outliers=sum(1 for p in values if is_outlier(p, n=n, median=median, median_log=median_log, mad_log=mad_log)),
        median_log=median_log,
        mad_log=mad_log,
    )


def round_statistics(price_round_id) -> dict[tuple[int, str], CellStats]:
    """{(product_id, channel): CellStats} for one round, in one database query."""
    if connection.vendor == "postgresql":
        return _round_statistics_postgres(price_round_id)
    return _round_statistics_python(price_round_id)


def _round_statistics_python(price_round_id):
    prices = defaultdict(list)
    rows = PriceSubmission.objects.filter(
        price_round_id=price_round_id, is_current=True, status__in=INCLUDED_STATUSES
    ).values_list("product_id", "channel", "price_per_kg_rial")
    for product_id, channel, price in rows:
        prices[(product_id, channel)].append(price)
    return {key: stats_from_prices(*key, values) for key, values in sorted(prices.items())}


# One statement: the window pass gives the trimmed mean and the median of log prices from the
# same sort; percentile_cont gives the quartiles; a second ordered-set aggregate gives the MAD.
STATISTICS_SQL = """
WITH s AS (
    SELECT product_id, channel, price_per_kg_rial::float8 AS p
    FROM pricing_pricesubmission
    WHERE price_round_id = %(round)s AND is_current AND status IN ('submitted', 'accepted')
), ranked AS (
    SELECT product_id, channel, p,
           row_number() OVER (PARTITION BY product_id, channel ORDER BY p) AS rn,
           count(*) OVER (PARTITION BY product_id, channel) AS n
    FROM s
), cell AS (
    SELECT product_id, channel, count(*) AS n,
           percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY p) AS q,
           avg(p) FILTER (WHERE rn > floor(n * 0.1) AND rn <= n - floor(n * 0.1)) AS trimmed,
           avg(ln(p)) FILTER (WHERE rn IN ((n + 1) / 2, (n + 2) / 2)) AS median_log,
           min(p) AS minimum, max(p) AS maximum
    FROM ranked
    GROUP BY product_id, channel
), dev AS (
    SELECT s.product_id, s.channel, s.p, abs(ln(s.p) - cell.median_log) AS d, cell.q[2] AS median, cell.n
    FROM s JOIN cell USING (product_id, channel)
), mad AS (
    SELECT product_id, channel,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY d) AS mad_log
    FROM dev
    GROUP BY product_id, channel
), outliers AS (
    SELECT dev.product_id, dev.channel,
           count(*) FILTER (
               WHERE (dev.n >= 3 AND (dev.p >= 3 * dev.median OR dev.p <= dev.median / 3))
                  OR (dev.n >= 5 AND mad.mad_log > 0 AND 0.6745 * dev.d / mad.mad_log > 3)
           ) AS outliers
    FROM dev JOIN mad USING (product_id, channel)
    GROUP BY dev.product_id, dev.channel
)
SELECT cell.product_id, cell.channel, cell.n, cell.q[2], cell.q[1], cell.q[3], cell.trimmed,
       cell.minimum, cell.maximum, outliers.outliers, cell.median_log, mad.mad_log
FROM cell
JOIN mad USING (product_id, channel)
JOIN outliers USING (product_id, channel)
ORDER BY cell.product_id, cell.channel
"""

BARE_PERCENTILE_SQL = """
SELECT product_id, channel, percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY price_per_kg_rial)
FROM pricing_pricesubmission
WHERE price_round_id = %(round)s AND is_current AND status IN ('submitted', 'accepted')
GROUP BY product_id, channel
"""


def _round_statistics_postgres(price_round_id):
    with connection.cursor() as cursor:
        cursor.execute(STATISTICS_SQL, {"round": price_round_id})
        rows = cursor.fetchall()
    result = {}
    for product_id, channel, n, median, q1, q3, trimmed, minimum, maximum, outliers, median_log, mad_log in rows:
        result[(product_id, channel)] = CellStats(
            product_id=product_id,
            channel=channel,
            members=int(n),
            median=float(median),
            q1=float(q1),
            q3=float(q3),
            trimmed_mean=float(trimmed),
            minimum=float(minimum),
            maximum=float(maximum),
            outliers=int(outliers),
            median_log=float(median_log),
            mad_log=float(mad_log),
        )
    return result
