"""Robust statistics of one round's prices per product × channel.

On PostgreSQL everything comes from ONE query (percentile_cont, window functions, the MAD of
log prices); on SQLite the same numbers are computed in Python. Both follow the same
definitions:

- prices: the current version of each member's submission, status submitted or accepted,
  compared per kg (Rials);
- quartiles and median: percentile_cont (linear interpolation at f·(n−1));
- trimmed mean: drop ⌊0.1·n⌋ prices at each end, average the rest;
- outliers (flagged for the union head's review, never removed by themselves): p ≥ 3·median or p ≤ median/3 when n ≥ 3; or a robust z on log price
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


# One statement. The group level reads the round's counted prices in the order of the partial
# index price_sub_counted_cell and gives, per cell, the quartiles (percentile_cont), the sum and
# the sorted prices as an array; the rest is read from that array without touching the table
# again:
# - medians by position; the trimmed mean as the sum minus the 10% slices at each end;
# - the MAD of log prices without sorting the deviations: |ln p − m| falls then rises along the
#   sorted prices, so the k smallest deviations are k neighbours, and the k-th smallest is the
#   smallest "larger end deviation" over the windows of k neighbours; a binary search finds that
#   window (about log₂ n steps per cell), and the MAD is the mean of the two middle order
#   statistics, as percentile_cont(0.5) gives it;
# - outlier counts by binary search (width_bucket counts the prices ≤ a bound; prices are whole
#   Rials, so "p ≤ x" is "p ≤ floor(x)" and "p < x" is "p ≤ ceil(x) − 1"). Both rules flag the
#   tails, so their union on each side is the larger of the two counts.
STATISTICS_SQL = """
WITH RECURSIVE cells AS (
    SELECT product_id, channel, count(*)::int AS n, sum(price) AS total,
           percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY price) AS q,
           array_agg(price) AS a
    FROM (
        -- PostgreSQL aggregates rows in the order of a sorted subquery (documented for
        -- array_agg); the partial index gives this order without a sort.
        SELECT product_id, channel, price_per_kg_rial::float8 AS price
        FROM pricing_pricesubmission
        WHERE price_round_id = %(round)s AND is_current AND status IN ('submitted', 'accepted')
        ORDER BY product_id, channel, price_per_kg_rial
    ) ordered
    GROUP BY product_id, channel
), located AS (
    SELECT product_id, channel, n, total, q, a, n / 10 AS k,
           (n - 1) / 2 + 1 AS k_low, n / 2 + 1 AS k_high,
           (ln(a[(n + 1) / 2]) + ln(a[(n + 2) / 2])) / 2 AS median_log
    FROM cells
), search (product_id, channel, k, lo, hi) AS (
    -- binary search, per cell and per middle order statistic k, for the first window of k
    -- neighbours whose left end deviates no more than its right end
    SELECT product_id, channel, k, 1, n - k + 1
    FROM (SELECT product_id, channel, n, k_low AS k FROM located
          UNION SELECT product_id, channel, n, k_high FROM located) AS middles
    UNION ALL
    SELECT s.product_id, s.channel, s.k,
           CASE WHEN abs(ln(l.a[m.mid]) - l.median_log) <= abs(ln(l.a[m.mid + s.k - 1]) - l.median_log)
                THEN s.lo ELSE m.mid + 1 END,
           CASE WHEN abs(ln(l.a[m.mid]) - l.median_log) <= abs(ln(l.a[m.mid + s.k - 1]) - l.median_log)
                THEN m.mid ELSE s.hi END
    FROM search s
    JOIN located l USING (product_id, channel)
    CROSS JOIN LATERAL (SELECT (s.lo + s.hi) / 2 AS mid) m
    WHERE s.lo < s.hi
), order_statistics AS (
    -- the k-th smallest deviation: the smaller "largest end deviation" of the found window
    -- and of the one before it
    SELECT s.product_id, s.channel, s.k,
           least(greatest(abs(ln(l.a[s.lo]) - l.median_log), abs(ln(l.a[s.lo + s.k - 1]) - l.median_log)),
                 CASE WHEN s.lo > 1 THEN greatest(abs(ln(l.a[s.lo - 1]) - l.median_log),
                                                  abs(ln(l.a[s.lo + s.k - 2]) - l.median_log)) END) AS deviation
    FROM search s JOIN located l USING (product_id, channel)
    WHERE s.lo = s.hi
), spread AS (
    SELECT l.product_id, l.channel, l.n, l.q, l.a, l.median_log,
           (l.total - coalesce((SELECT sum(x) FROM unnest(l.a[1:l.k]) AS x), 0)
                    - coalesce((SELECT sum(x) FROM unnest(l.a[l.n - l.k + 1:l.n]) AS x), 0)) / (l.n - 2 * l.k)
               AS trimmed,
           (low.deviation + high.deviation) / 2 AS mad_log
    FROM located l
    JOIN order_statistics low ON low.product_id = l.product_id AND low.channel = l.channel AND low.k = l.k_low
    JOIN order_statistics high ON high.product_id = l.product_id AND high.channel = l.channel AND high.k = l.k_high
)
SELECT product_id, channel, n, q[2], q[1], q[3], trimmed, a[1], a[n],
       GREATEST(
           CASE WHEN n >= 3 THEN width_bucket(floor(q[2] / 3), a) ELSE 0 END,
           CASE WHEN n >= 5 AND mad_log > 0
                THEN width_bucket(ceil(exp(median_log - 3 * mad_log / 0.6745)) - 1, a) ELSE 0 END
       ) + GREATEST(
           CASE WHEN n >= 3 THEN n - width_bucket(ceil(3 * q[2]) - 1, a) ELSE 0 END,
           CASE WHEN n >= 5 AND mad_log > 0
                THEN n - width_bucket(floor(exp(median_log + 3 * mad_log / 0.6745)), a) ELSE 0 END
       ) AS outliers,
       median_log, mad_log
FROM spread
ORDER BY product_id, channel
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
