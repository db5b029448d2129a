"""The price pages' charts (core.charts.Chart), all in Toman per kg. Only what the page's reader
may read goes in: published bands (≥ 5 members, rounded to the product's step) for everyone,
the member's own prices on /prices/, and on the report what that reader's table shows."""

from django.utils.translation import gettext as _

from core.charts import Chart
from core.money import rial_to_toman

from .models import Channel


def _toman(rial):
    return None if rial is None else round(rial_to_toman(round(rial)))


def _channels():
    # Retail and wholesale side by side, always in the same order and colours.
    return [(Channel.RETAIL, Channel.RETAIL.label, 1), (Channel.WHOLESALE, Channel.WHOLESALE.label, 0)]


def bands_chart(*, bands, price_round) -> Chart:
    """The round's published bands: the middle half (Q1–Q3) as a floating bar per product,
    retail and wholesale side by side, the median as a marker across it. Withheld cells (fewer
    than 5 members) are gaps."""
    products = []
    cells = {}
    for band in bands:
        if band["product"] not in products:
            products.append(band["product"])
        if not band["withheld"]:
            cells[(band["product"].pk, band["channel"])] = band
    datasets = []
    for channel, label, colour in _channels():
        found = [cells.get((p.pk, channel)) for p in products]
        datasets.append(
            {
                "label": str(label),
                "color": colour,
                "data": [[_toman(b["q1"]), _toman(b["q3"])] if b else None for b in found],
                "medians": [_toman(b["median"]) if b else None for b in found],
            }
        )
    return Chart(
        id="bands-chart",
        title=_("Middle half and median per product, %(round)s") % {"round": price_round.label},
        description=_("Each bar spans the middle half of the members' prices; the dark line across it is the median."),
        labels=[p.name for p in products],
        datasets=datasets,
        unit=_("Toman per kg"),
        horizontal=True,
        min_zero=False,
        table_id="bands-list",
        extra={"medianLabel": _("Median")},
    )


def trend_chart(*, rounds, stats) -> Chart:
    """The median of every product × channel over the last published rounds (oldest first),
    from the stored, rounded aggregates of cells of ≥ 5 members (`stats`: those cells only).
    One product's lines at a time (retail and wholesale), chosen in a list above the chart."""
    by_cell = {}
    for stat in stats:
        by_cell.setdefault((stat.product, stat.channel), {})[stat.price_round_id] = stat
    ordered = sorted(by_cell, key=lambda key: (key[0].sort_order, key[0].name_fa, key[1] != Channel.RETAIL))
    first_product = ordered[0][0] if ordered else None
    labels = dict(Channel.choices)
    datasets = []
    groups = {}
    for index, (product, channel) in enumerate(ordered):
        per_round = by_cell[(product, channel)]
        groups.setdefault(product, []).append(index)
        datasets.append(
            {
                "label": f"{product.name} · {labels[channel]}",
                "color": 1 if channel == Channel.RETAIL else 0,
                "data": [
                    _toman(product.rounded(per_round[r.pk].median)) if r.pk in per_round else None for r in rounds
                ],
                "hidden": product != first_product,
            }
        )
    return Chart(
        id="trend-chart",
        kind="line",
        title=_("Median over the last published rounds"),
        description=_("Choose a product to see its lines."),
        labels=[r.label for r in rounds],
        datasets=datasets,
        unit=_("Toman per kg"),
        min_zero=False,
        extra={
            "groupLabel": _("Product"),
            "groups": [{"label": product.name, "datasets": indices} for product, indices in groups.items()],
        },
    )


def position_chart(*, positions) -> Chart:
    """/prices/: the member's own price per kg beside the published band (Q1–Q3, median
    marker) round by round, oldest first; one product × channel at a time, chosen in a list
    above the chart."""
    rounds = sorted({row.price_round for row in positions}, key=lambda r: (r.year, r.month))
    cells = {}
    for row in positions:
        cells.setdefault((row.product, row.channel), {})[row.price_round.pk] = row
    channel_labels = dict(Channel.choices)
    datasets, groups = [], []
    band_label, mine_label = _("Published middle half"), _("My price")
    ordered = sorted(cells.items(), key=lambda item: (item[0][0].sort_order, item[0][0].name_fa, item[0][1]))
    for index, ((product, channel), rows) in enumerate(ordered):
        found = [rows.get(r.pk) for r in rounds]
        name = f"{product.name} · {channel_labels[channel]}"
        groups.append({"label": name, "datasets": [len(datasets), len(datasets) + 1]})
        datasets += [
            {
                "label": f"{band_label} ({name})",
                "color": 0,
                "data": [
                    [_toman(row.band["q1"]), _toman(row.band["q3"])] if row and row.band else None for row in found
                ],
                "medians": [_toman(row.band["median"]) if row and row.band else None for row in found],
                "hidden": index > 0,
            },
            {
                "label": f"{mine_label} ({name})",
                "type": "line",
                "showLine": False,
                "color": 1,
                "data": [_toman(row.price_per_kg_rial) if row else None for row in found],
                "hidden": index > 0,
            },
        ]
    return Chart(
        id="position-chart",
        title=_("My price against the published band"),
        description=_("Your price per kg against the published middle half and median, round by round."),
        labels=[r.label for r in rounds],
        datasets=datasets,
        unit=_("Toman per kg"),
        table_id="positions-table",
        min_zero=False,
        extra={"medianLabel": _("Median"), "groupLabel": _("Product"), "groups": groups},
    )


def cost_chart(*, composition) -> Chart:
    """The report's cost composition per kg: one stacked bar per product (× channel for the
    published view), one colour per cost line."""
    from .models import COST_LINES

    labels = [
        f"{item['product'].name} · {item['channel_label']}" if item.get("channel_label") else item["product"].name
        for item in composition
    ]
    amounts = [dict(item["lines"]) for item in composition]
    datasets = []
    for index, (_name, label) in enumerate(COST_LINES):
        data = [_toman(found.get(label)) for found in amounts]
        if any(value is not None for value in data):
            datasets.append({"label": str(label), "color": index, "data": data, "stack": "costs"})
    return Chart(
        id="cost-chart",
        title=_("Cost composition per kg"),
        labels=labels,
        datasets=datasets,
        unit=_("Toman per kg"),
        horizontal=True,
        stacked=True,
    )


def history_chart(chart_data) -> Chart:
    """The report's median and middle half (Q1–Q3) of each product × channel over the last
    rounds (views._chart_data: what that reader's table shows), one at a time."""
    datasets, groups = [], []
    for index, series in enumerate(chart_data["series"]):
        groups.append({"label": series["label"], "datasets": [index]})
        datasets.append(
            {
                "label": series["label"],
                "color": 0,
                "data": [
                    [q1, q3] if q1 is not None and q3 is not None else None
                    for q1, q3 in zip(series["q1"], series["q3"], strict=True)
                ],
                "medians": series["median"],
                "hidden": index > 0,
            }
        )
    return Chart(
        id="history-chart",
        title=_("Median and Q1–Q3 over the last rounds"),
        description=_("Each bar spans the middle half of the members' prices; the dark line across it is the median."),
        labels=chart_data["labels"],
        datasets=datasets,
        unit=_("Toman per kg"),
        min_zero=False,
        extra={"medianLabel": _("Median"), "groupLabel": _("Product"), "groups": groups},
    )
