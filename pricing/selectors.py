"""Reads, scoped to who asks. A member only ever reads its own prices; aggregates come from
statistics.round_statistics or the stored PriceCellStat rows."""

import operator
from dataclasses import dataclass, field
from functools import reduce

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from catalogue.models import Product

from .models import COST_FIELDS, COST_LINES, Channel, PriceCellStat, PriceRound, PriceSubmission
from .statistics import INCLUDED_STATUSES, round_statistics

PUBLISH_MIN_MEMBERS = 5
BIG_MOVE = 0.15
UNIT_SUSPECT_RATIO = 5  # "near 10× or 0.1×": at least 5× away from the median asks Toman or Rial
HISTORY_ROUNDS = 12


def open_round():
    return PriceRound.objects.filter(status=PriceRound.Status.OPEN).first()


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


def running_median(*, price_round, product, channel, exclude_member=None) -> float | None:
    """The median price per kg of the round so far (others' prices), or of the previous finished
    round when nobody has reported yet; used only to ask "Toman or Rial?", never shown."""
    from .statistics import percentile_cont

    qs = PriceSubmission.objects.filter(
        price_round=price_round, product=product, channel=channel, is_current=True, status__in=INCLUDED_STATUSES
    )
    if exclude_member is not None:
        qs = qs.exclude(member=exclude_member)
    prices = sorted(qs.values_list("price_per_kg_rial", flat=True)[:5000])
    if prices:
        return percentile_cont(prices, 0.5)
    stat = (
        PriceCellStat.objects.filter(product=product, channel=channel, price_round__in=finished_rounds())
        .order_by("-price_round__year", "-price_round__month")
        .values_list("median", flat=True)
        .first()
    )
    return float(stat) if stat else None


# ---- the member's own prices ------------------------------------------------------------


def member_current_submissions(*, member, price_round):
    return (
        PriceSubmission.objects.filter(member=member, price_round=price_round, is_current=True)
        .select_related("product")
        .order_by("product__sort_order", "product__name_fa", "channel")
    )


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
    """The member's current prices in finished rounds with its own position (percentile) in
    each cell. The percentile is only given for cells of ≥ 5 members, so it never reveals
    another member's price. Constant number of queries."""
    rounds = list(finished_rounds().order_by("-year", "-month")[:limit_rounds])
    cell = PriceSubmission.objects.filter(
        price_round_id=OuterRef("price_round_id"),
        product_id=OuterRef("product_id"),
        channel=OuterRef("channel"),
        is_current=True,
        status__in=INCLUDED_STATUSES,
    )

    def count(extra):
        return Coalesce(
            Subquery(
                cell.filter(extra).order_by().values("price_round_id").annotate(c=Count("id")).values("c")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        )

    rows = list(
        PriceSubmission.objects.filter(member=member, price_round__in=rounds, is_current=True)
        .select_related("product", "price_round")
        .annotate(
            cell_n=count(Q()),
            cell_below=count(Q(price_per_kg_rial__lt=OuterRef("price_per_kg_rial"))),
            cell_equal=count(Q(price_per_kg_rial=OuterRef("price_per_kg_rial"))),
        )
        .order_by("-price_round__year", "-price_round__month", "product__sort_order", "channel")
    )
    for row in rows:
        row.percentile = None
        if row.status in INCLUDED_STATUSES and row.cell_n >= PUBLISH_MIN_MEMBERS:
            row.percentile = round(100 * (row.cell_below + 0.5 * row.cell_equal) / row.cell_n)
    return rows


# ---- review queue -----------------------------------------------------------------------


@dataclass
class QueueRow:
    submission: PriceSubmission
    flags: list = field(default_factory=list)
    previous_price: int | None = None
    median: float | None = None


def review_queue(*, price_round, status=None, flagged_only=False):
    """Current submissions of a round with their flags (outliers by DESIGN.md's rules, big
    moves, missing cost lines). Two queries whatever the size: statistics + rows (+ reviews)."""
    from django.utils.translation import gettext as _

    stats = round_statistics(price_round.pk)
    qs = (
        PriceSubmission.objects.filter(price_round=price_round, is_current=True)
        .select_related("product", "member")
        .prefetch_related("reviews__reviewer")
        .annotate(
            round_key=Value(price_round.year * 100 + price_round.month), previous_price=_previous_accepted_subquery()
        )
        .order_by("product__sort_order", "channel", "price_per_kg_rial", "id")
    )
    if status:
        qs = qs.filter(status=status)
    rows = []
    for submission in qs:
        row = QueueRow(submission=submission, previous_price=submission.previous_price)
        cell = stats.get((submission.product_id, submission.channel))
        if cell:
            row.median = round(cell.median)
            if submission.status in INCLUDED_STATUSES and cell.is_outlier(submission.price_per_kg_rial):
                row.flags.append(("outlier", _("Outlier")))
        if row.previous_price and abs(submission.price_per_kg_rial / row.previous_price - 1) > BIG_MOVE:
            row.flags.append(("big_move", _("Big move")))
        if all(getattr(submission, name) is None for name in COST_FIELDS):
            row.flags.append(("no_costs", _("No cost lines")))
        if not flagged_only or row.flags:
            rows.append(row)
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


def published_bands(*, price_round):
    """Median and Q1–Q3 per product × channel of a published round; cells with fewer than
    5 members are withheld (members=None, no numbers). Never min/max or single prices."""
    if price_round.status != PriceRound.Status.PUBLISHED:
        return []
    stats = PriceCellStat.objects.filter(price_round=price_round).select_related("product")
    bands = []
    channel_labels = dict(Channel.choices)
    for stat in stats:
        shown = stat.members >= PUBLISH_MIN_MEMBERS
        bands.append(
            {
                "product": stat.product,
                "channel": stat.channel,
                "channel_label": channel_labels[stat.channel],
                "withheld": not shown,
                "members": stat.members if shown else None,
                "median": stat.median if shown else None,
                "q1": stat.q1 if shown else None,
                "q3": stat.q3 if shown else None,
            }
        )
    bands.sort(key=lambda b: (b["product"].sort_order, b["product"].name_fa, b["channel"]))
    return bands
