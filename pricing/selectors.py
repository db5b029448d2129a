"""Reads, scoped to who asks. A member only ever reads its own prices; aggregates come from
statistics.round_statistics or the stored PriceCellStat rows."""

import functools
import operator
from dataclasses import dataclass, field
from functools import reduce

from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum, Value

from catalogue.models import Product
from core.jalali import jalali_month_label

from .models import COST_FIELDS, COST_LINES, Channel, PriceCellStat, PriceRound, PriceSubmission
from .statistics import INCLUDED_STATUSES, round_statistics

PUBLISH_MIN_MEMBERS = 5
BIG_MOVE = 0.15  # a price that moved more than ±15 % from the member's last accepted one
HISTORY_ROUNDS = 12


def open_round():
    return PriceRound.objects.filter(status=PriceRound.Status.OPEN).first()


@functools.cache
def _dashboard_sql() -> str:
    """One statement: the open round (at most one, the newest first as `open_round` orders
    them) with how many current prices the member has in it and how many of those need an
    explanation."""
    price_round, submission = (model._meta.db_table for model in (PriceRound, PriceSubmission))
    return f"""
        SELECT r.year, r.month, r.closes_on, COUNT(s.id), COUNT(CASE WHEN s.status = %s THEN 1 END)
        FROM {price_round} r
        LEFT JOIN {submission} s ON s.price_round_id = r.id AND s.member_id = %s AND s.is_current
        WHERE r.status = %s
        GROUP BY r.id, r.year, r.month, r.closes_on
        ORDER BY r.year DESC, r.month DESC
        LIMIT 1
    """  # noqa: S608 (table names from the models, values are parameters)


def member_dashboard_prices(*, member) -> dict:
    """For the member dashboard: `open_round`, the open round's `label` and `closes_on` (None
    when no round is open), and `counts`, the member's current prices in it (`total`,
    `needs_info`). One query, no model instances."""
    with connection.cursor() as cursor:
        cursor.execute(_dashboard_sql(), [PriceSubmission.Status.NEEDS_INFO, member.pk, PriceRound.Status.OPEN])
        row = cursor.fetchone()
    if row is None:
        return {"open_round": None, "counts": {"total": 0, "needs_info": 0}}
    year, month, closes_on, total, needs_info = row
    return {
        "open_round": {"label": jalali_month_label(year, month), "closes_on": closes_on},
        "counts": {"total": total, "needs_info": needs_info},
    }


def previous_round(price_round):
    key = price_round.year * 100 + price_round.month
    return (
        PriceRound.objects.annotate(key=F("year") * 100 + F("month"))
        .filter(key__lt=key)
        .order_by("-year", "-month")
        .first()
    )


def finished_rounds():
    return PriceRound.objects.filter(status__in=[PriceRound.Status.CLOSED, PriceRound.Status.PUBLISHED])


def reportable_rounds():
    return PriceRound.objects.exclude(status=PriceRound.Status.DRAFT)


def _previous_accepted_subquery():
    """The member's latest accepted price per kg for the same product × channel in an earlier round."""
    return Subquery(
        PriceSubmission.objects.filter(
            member_id=OuterRef("member_id"),
            product_id=OuterRef("product_id"),
            channel=OuterRef("channel"),
            is_current=True,
            status=PriceSubmission.Status.ACCEPTED,
        )
        .annotate(key=F("price_round__year") * 100 + F("price_round__month"))
        .filter(key__lt=OuterRef("round_key"))
        .order_by("-key")
        .values("price_per_kg_rial")[:1]
    )


def previous_accepted_price(*, member, product, channel, price_round) -> int | None:
    key = price_round.year * 100 + price_round.month
    return (
        PriceSubmission.objects.filter(
            member=member, product=product, channel=channel, is_current=True, status=PriceSubmission.Status.ACCEPTED
        )
        .annotate(key=F("price_round__year") * 100 + F("price_round__month"))
        .filter(key__lt=key)
        .order_by("-key")
        .values_list("price_per_kg_rial", flat=True)
        .first()
    )


def last_published_median(*, product, channel) -> int | None:
    """The median of the cell's last published band (≥ 5 members), rounded as published: one
    of the references of "Toman or Rial?" (public, so the question reveals nothing)."""
    stat = (
        PriceCellStat.objects.filter(
            product=product,
            channel=channel,
            price_round__status=PriceRound.Status.PUBLISHED,
            members__gte=PUBLISH_MIN_MEMBERS,
        )
        .order_by("-price_round__year", "-price_round__month")
        .values_list("median", flat=True)
        .first()
    )
    return product.rounded(stat) if stat else None


# ---- the member's own prices ------------------------------------------------------------


def member_current_submissions(*, member, price_round):
    return (
        PriceSubmission.objects.filter(member=member, price_round=price_round, is_current=True)
        .select_related("product")
        .order_by("product__sort_order", "product__name_fa", "channel")
    )


def member_current_submission(*, member, price_round, product, channel):
    return PriceSubmission.objects.filter(
        member=member, price_round=price_round, product=product, channel=channel, is_current=True
    ).first()


def member_submission_or_none(*, member, pk):
    return PriceSubmission.objects.filter(member=member, pk=pk).select_related("product", "price_round").first()


def member_submission_versions(*, submission):
    return (
        PriceSubmission.objects.filter(
            member_id=submission.member_id,
            price_round_id=submission.price_round_id,
            product_id=submission.product_id,
            channel=submission.channel,
        )
        .prefetch_related("reviews")
        .order_by("-version")
    )


def member_positions(*, member, limit_rounds=6):
    """The member's current prices in the last finished rounds, each beside its cell's
    published band when there is one (≥ 5 members, rounded as published): `band` is None
    otherwise, and `position` says where the member's own price per kg lies (below, inside or
    above the middle half). Only the member's own rows and published figures are read, so
    nothing here moves with another member's price. Three queries whatever the rows."""
    rounds = list(finished_rounds().order_by("-year", "-month")[:limit_rounds])
    rows = list(
        PriceSubmission.objects.filter(member=member, price_round__in=rounds, is_current=True)
        .select_related("product", "price_round")
        .order_by("-price_round__year", "-price_round__month", "product__sort_order", "product__name_fa", "channel")
    )
    published = [r.pk for r in rounds if r.status == PriceRound.Status.PUBLISHED]
    stats = {
        (stat.price_round_id, stat.product_id, stat.channel): stat
        for stat in PriceCellStat.objects.filter(price_round_id__in=published, members__gte=PUBLISH_MIN_MEMBERS)
    }
    for row in rows:
        stat = stats.get((row.price_round_id, row.product_id, row.channel))
        row.band = _published_band(stat, row.product) if stat else None
        row.position = None
        if row.band:
            if row.price_per_kg_rial < row.band["q1"]:
                row.position = "below"
            elif row.price_per_kg_rial > row.band["q3"]:
                row.position = "above"
            else:
                row.position = "inside"
    return rows


def _published_band(stat, product) -> dict:
    """A stored cell of ≥ 5 members as it is published: median and quartiles rounded to the
    product's step; never min/max, mean or outliers."""
    return {
        "members": stat.members,
        "median": product.rounded(stat.median),
        "q1": product.rounded(stat.q1),
        "q3": product.rounded(stat.q3),
    }


# ---- review queue -----------------------------------------------------------------------


@dataclass
class QueueRow:
    submission: PriceSubmission | int  # the id until review_page loads the page's rows
    flags: list = field(default_factory=list)
    previous_price: int | None = None
    median: float | None = None
    sort_key: tuple = ()


REVIEW_PAGE_SIZE = 25


def review_queue(*, price_round, status=None, flagged_only=False, product_id=None, channel=None):
    """Current submissions of a round with their flags (outliers by the rules of pricing.statistics, big
    moves, missing cost lines), flagged first, then by product, channel and price. Returns the
    light rows of the whole filtered queue (for counting and paging); `review_page` loads one
    page of them in full. Two queries whatever the size: statistics + light rows."""
    from django.utils.translation import gettext as _

    stats = round_statistics(price_round.pk)
    qs = PriceSubmission.objects.filter(price_round=price_round, is_current=True)
    if status:
        qs = qs.filter(status=status)
    if product_id:
        qs = qs.filter(product_id=product_id)
    if channel:
        qs = qs.filter(channel=channel)
    no_costs = reduce(operator.and_, (Q(**{f"{name}__isnull": True}) for name in COST_FIELDS))
    light = qs.annotate(
        round_key=Value(price_round.year * 100 + price_round.month),
        previous_price=_previous_accepted_subquery(),
        no_costs=ExpressionWrapper(no_costs, output_field=BooleanField()),
        product_order=F("product__sort_order"),
    ).values_list(
        "pk", "product_id", "channel", "price_per_kg_rial", "status", "previous_price", "no_costs", "product_order"
    )
    rows = []
    for pk, product_id_, channel_, per_kg, status_, previous, no_cost_lines, order in light:
        row = QueueRow(submission=pk, previous_price=previous)
        cell = stats.get((product_id_, channel_))
        if cell:
            row.median = round(cell.median)
            if status_ in INCLUDED_STATUSES and cell.is_outlier(per_kg):
                row.flags.append(("outlier", _("Outlier")))
        if previous and abs(per_kg / previous - 1) > BIG_MOVE:
            row.flags.append(("big_move", _("Big move")))
        if no_cost_lines:
            row.flags.append(("no_costs", _("No cost lines")))
        if not flagged_only or row.flags:
            row.sort_key = (0 if row.flags else 1, order, product_id_, channel_, per_kg, pk)
            rows.append(row)
    rows.sort(key=lambda r: r.sort_key)
    return rows


def review_queue_ids(*, price_round) -> list[int]:
    """The ids a decision may name: the round's current submissions (any page, any filter)."""
    if price_round is None:
        return []
    return list(PriceSubmission.objects.filter(price_round=price_round, is_current=True).values_list("pk", flat=True))


def current_submissions(*, ids):
    return PriceSubmission.objects.filter(pk__in=ids, is_current=True).order_by("id")


def review_page(rows):
    """The full submissions of one page of queue rows (member, product, decisions): two
    queries."""
    submissions = (
        PriceSubmission.objects.filter(pk__in=[row.submission for row in rows])
        .select_related("product", "member")
        .prefetch_related("reviews__reviewer")
        .in_bulk()
    )
    for row in rows:
        row.submission = submissions[row.submission]
    return rows


# ---- report -----------------------------------------------------------------------------


@dataclass
class ReportRow:
    product: Product
    channel: str
    channel_label: str
    stats: object
    previous_median: float | None = None

    @property
    def change(self):
        if self.previous_median:
            return (self.stats.median / self.previous_median - 1) * 100
        return None


def round_report(*, price_round):
    """Rows per product × channel of one round (live statistics, one query), the change of
    the median against the previous round, the last 12 rounds for the chart and the cost
    composition per product. A constant number of queries."""
    stats = round_statistics(price_round.pk)
    products = {p.pk: p for p in Product.objects.all()}
    previous = previous_round(price_round)
    previous_medians = {}
    if previous:
        previous_medians = {
            (s.product_id, s.channel): s.median for s in PriceCellStat.objects.filter(price_round=previous)
        }
    channel_labels = dict(Channel.choices)
    rows = [
        ReportRow(
            product=products[key[0]],
            channel=key[1],
            channel_label=str(channel_labels[key[1]]),
            stats=cell,
            previous_median=previous_medians.get(key),
        )
        for key, cell in stats.items()
    ]
    rows.sort(key=lambda r: (r.product.sort_order, r.product.name_fa, r.channel))
    return rows, previous, products


def round_history(*, price_round, live_stats=None):
    """The stored aggregates of the last 12 rounds up to this one (the chart and the exports);
    the round itself from its live statistics when given."""
    key = price_round.year * 100 + price_round.month
    rounds = list(
        reportable_rounds()
        .annotate(key=F("year") * 100 + F("month"))
        .filter(key__lte=key)
        .order_by("-year", "-month")[:HISTORY_ROUNDS]
    )
    rounds.reverse()
    stored = PriceCellStat.objects.filter(price_round__in=[r.pk for r in rounds if r.pk != price_round.pk])
    by_round = {}
    for stat in stored:
        by_round.setdefault(stat.price_round_id, {})[(stat.product_id, stat.channel)] = stat
    if live_stats is not None:
        by_round[price_round.pk] = live_stats
    return rounds, by_round


def cost_sums(*, price_round):
    """{(product_id, channel): (reporters, {cost field: (sum, count)})} over the round's counted
    submissions: one aggregate query."""
    any_cost = reduce(operator.or_, (Q(**{f"{name}__isnull": False}) for name in COST_FIELDS))
    aggregates = {"reporters": Count("id", filter=any_cost)}
    for name in COST_FIELDS:
        aggregates[f"{name}__sum"] = Sum(name)
        aggregates[f"{name}__count"] = Count(name)
    rows = (
        PriceSubmission.objects.filter(price_round=price_round, is_current=True, status__in=INCLUDED_STATUSES)
        .values("product_id", "channel")
        .annotate(**aggregates)
        .order_by()
    )
    return {
        (row["product_id"], row["channel"]): (
            row["reporters"],
            {name: (row[f"{name}__sum"], row[f"{name}__count"]) for name in COST_FIELDS if row[f"{name}__count"]},
        )
        for row in rows
    }


def cost_composition(*, price_round):
    """Average of each cost line (per kg) per product over the round's counted submissions:
    stored with the aggregates of a finished round, computed (one query) for an open one."""
    per_product = {}
    cells = []
    if price_round.is_finished:
        cells = [
            (stat.product_id, stat.cost_reporters, stat.costs)
            for stat in PriceCellStat.objects.filter(price_round=price_round)
        ]
    if not cells:  # an open round (or a finished one whose aggregates were never stored)
        cells = [(key[0], reporters, sums) for key, (reporters, sums) in cost_sums(price_round=price_round).items()]
        cells = [(pid, reporters, {n: [t, c] for n, (t, c) in sums.items()}) for pid, reporters, sums in cells]
    for product_id, reporters, sums in cells:
        entry = per_product.setdefault(product_id, {"reporters": 0, "sums": {}})
        entry["reporters"] += reporters
        for name, (total, count) in sums.items():
            acc = entry["sums"].setdefault(name, [0, 0])
            acc[0] += total
            acc[1] += count
    result = []
    for product_id in sorted(per_product):
        entry = per_product[product_id]
        lines = [
            (label, round(entry["sums"][name][0] / entry["sums"][name][1]))
            for name, label in COST_LINES
            if name in entry["sums"] and entry["sums"][name][1]
        ]
        if lines:
            result.append(
                {
                    "product_id": product_id,
                    "reporters": entry["reporters"],
                    "lines": lines,
                    "total": sum(v for _l, v in lines),
                }
            )
    return result


# ---- published bands --------------------------------------------------------------------


def published_rounds():
    return PriceRound.objects.filter(status=PriceRound.Status.PUBLISHED)


def published_trend_stats(*, rounds):
    """The stored, published cells of ≥ 5 members of these published rounds (the bands' trend
    chart): one query, whatever the rounds and products."""
    return list(
        PriceCellStat.objects.filter(
            price_round_id__in=[r.pk for r in rounds],
            price_round__status=PriceRound.Status.PUBLISHED,
            members__gte=PUBLISH_MIN_MEMBERS,
        ).select_related("product")
    )


def published_bands(*, price_round):
    """Median and Q1–Q3 per product × channel of a published round, rounded to the product's
    step; cells with fewer than 5 members are withheld (members=None, no numbers). Never
    min/max or single prices."""
    if price_round.status != PriceRound.Status.PUBLISHED:
        return []
    stats = PriceCellStat.objects.filter(price_round=price_round).select_related("product")
    bands = []
    channel_labels = dict(Channel.choices)
    for stat in stats:
        shown = stat.members >= PUBLISH_MIN_MEMBERS
        band = _published_band(stat, stat.product) if shown else {}
        bands.append(
            {
                "product": stat.product,
                "channel": stat.channel,
                "channel_label": channel_labels[stat.channel],
                "withheld": not shown,
                "members": band.get("members"),
                "median": band.get("median"),
                "q1": band.get("q1"),
                "q3": band.get("q3"),
            }
        )
    bands.sort(key=lambda b: (b["product"].sort_order, b["product"].name_fa, b["channel"]))
    return bands


# ---- what readers without individual prices get (estates staff) ---------------------------


@dataclass
class SharedRow:
    """One cell as readers who do not see individual prices get it: the number of reporters,
    and for a published cell of ≥ 5 members its band, rounded (no min/max, mean or outliers)."""

    product: Product
    channel: str
    channel_label: str
    members: int
    median: int | None = None
    q1: int | None = None
    q3: int | None = None
    previous_median: int | None = None

    @property
    def change(self):
        if self.median and self.previous_median:
            return (self.median / self.previous_median - 1) * 100
        return None


def _shared_rows(*, price_round, stats, counts, previous_stats, products):
    channel_labels = dict(Channel.choices)
    rows = []
    for key, members in counts.items():
        product = products[key[0]]
        row = SharedRow(product=product, channel=key[1], channel_label=str(channel_labels[key[1]]), members=members)
        stat = stats.get(key)
        if stat is not None and stat.members >= PUBLISH_MIN_MEMBERS:
            band = _published_band(stat, product)
            row.median, row.q1, row.q3 = band["median"], band["q1"], band["q3"]
            before = previous_stats.get(key)
            if before is not None and before.members >= PUBLISH_MIN_MEMBERS:
                row.previous_median = product.rounded(before.median)
        rows.append(row)
    rows.sort(key=lambda r: (r.product.sort_order, r.product.name_fa, r.channel))
    return rows


def shared_report(*, price_round):
    """The report for readers who do not see individual prices, with its history (the last
    12 rounds up to this one): (rows of this round, [(round, rows)] oldest first, products).
    Figures come only from published rounds' stored bands, so they never move with a price
    of an open or closed round; an unpublished round shows how many members reported (every
    current submission, whatever its review). Four queries whatever the size."""
    products = {p.pk: p for p in Product.objects.all()}
    key = price_round.year * 100 + price_round.month
    rounds = list(
        reportable_rounds()
        .annotate(key=F("year") * 100 + F("month"))
        .filter(key__lte=key)
        .order_by("-year", "-month")[:HISTORY_ROUNDS]
    )
    rounds.reverse()
    published = [r for r in rounds if r.status == PriceRound.Status.PUBLISHED]
    stats = {}
    for stat in PriceCellStat.objects.filter(price_round__in=[r.pk for r in published]):
        stats.setdefault(stat.price_round_id, {})[(stat.product_id, stat.channel)] = stat
    history = []
    previous_stats = {}
    for past in published:
        round_stats = stats.get(past.pk, {})
        counts = {cell: stat.members for cell, stat in round_stats.items()}
        history.append(
            (
                past,
                _shared_rows(
                    price_round=past,
                    stats=round_stats,
                    counts=counts,
                    previous_stats=previous_stats,
                    products=products,
                ),
            )
        )
        previous_stats = round_stats
    if price_round.status == PriceRound.Status.PUBLISHED:
        rows = next(rows for past, rows in history if past.pk == price_round.pk)
    else:
        counts = {
            (row["product_id"], row["channel"]): row["n"]
            for row in PriceSubmission.objects.filter(price_round=price_round, is_current=True)
            .values("product_id", "channel")
            .annotate(n=Count("member_id", distinct=True))
            .order_by()
        }
        rows = _shared_rows(price_round=price_round, stats={}, counts=counts, previous_stats={}, products=products)
        history.append((price_round, rows))
    return rows, history, products


def shared_cost_composition(*, price_round):
    """The cost composition for readers who do not see individual prices: a published round's
    stored averages per product × channel, each cost line only when at least 5 members gave
    it, rounded to the product's step."""
    if price_round.status != PriceRound.Status.PUBLISHED:
        return []
    channel_labels = dict(Channel.choices)
    result = []
    stats = PriceCellStat.objects.filter(price_round=price_round, cost_reporters__gte=PUBLISH_MIN_MEMBERS)
    for stat in stats.select_related("product"):
        lines = [
            (label, stat.product.rounded(stat.costs[name][0] / stat.costs[name][1]))
            for name, label in COST_LINES
            if name in stat.costs and stat.costs[name][1] >= PUBLISH_MIN_MEMBERS
        ]
        if lines:
            result.append(
                {
                    "product_id": stat.product_id,
                    "product": stat.product,
                    "channel_label": channel_labels[stat.channel],
                    "order": (stat.product.sort_order, stat.product.name_fa, stat.channel),
                    "reporters": stat.cost_reporters,
                    "lines": lines,
                    "total": sum(v for _l, v in lines),
                }
            )
    result.sort(key=lambda item: item.pop("order"))
    return result
