"""CSV and XLSX exports of the report: one row per product × channel × round (aggregates
only; min/max only for the union head)."""

from django.utils.translation import gettext as _

from core.money import rial_to_toman

from .models import Channel


def export_rows(*, rounds, by_round, products, with_min_max):
    header = [
        _("Round"),
        _("Product"),
        _("Channel"),
        _("Reporters"),
        _("Median (Toman/kg)"),
        _("Q1 (Toman/kg)"),
        _("Q3 (Toman/kg)"),
        _("Trimmed mean (Toman/kg)"),
    ]
    if with_min_max:
        header += [_("Minimum (Toman/kg)"), _("Maximum (Toman/kg)")]
    header += [_("Change of median (%)"), _("Outliers")]
    rows = [header]
    channel_labels = dict(Channel.choices)
    previous = {}
    for price_round in rounds:
        cells = by_round.get(price_round.pk, {})
        for key in sorted(cells, key=lambda k: (products[k[0]].sort_order, products[k[0]].name_fa, k[1])):
            cell = cells[key]
            before = previous.get(key)
            change = round((cell.median / before - 1) * 100, 1) if before else ""
            row = [
                price_round.label,
                products[key[0]].name,
                str(channel_labels[key[1]]),
                cell.members,
                _toman(cell.median),
                _toman(cell.q1),
                _toman(cell.q3),
                _toman(cell.trimmed_mean),
            ]
            if with_min_max:
                row += [_toman(cell.minimum), _toman(cell.maximum)]
            row += [change, cell.outliers]
            rows.append(row)
        previous = {key: cell.median for key, cell in cells.items()}
    return rows


def _toman(rial):
    return int(round(rial_to_toman(round(rial))))


def shared_export_rows(*, history):
    """The export for readers who do not see individual prices: per round (published ones,
    and the chosen round when it is not published) and cell, the reporters and — for a
    published cell of ≥ 5 members — the rounded median and quartiles; empty otherwise."""
    rows = [
        [
            _("Round"),
            _("Product"),
            _("Channel"),
            _("Reporters"),
            _("Median (Toman/kg)"),
            _("Q1 (Toman/kg)"),
            _("Q3 (Toman/kg)"),
            _("Change of median (%)"),
        ]
    ]
    for price_round, cells in history:
        for cell in cells:
            change = cell.change
            rows.append(
                [
                    price_round.label,
                    cell.product.name,
                    cell.channel_label,
                    cell.members,
                    _blank_or_toman(cell.median),
                    _blank_or_toman(cell.q1),
                    _blank_or_toman(cell.q3),
                    "" if change is None else round(change, 1),
                ]
            )
    return rows


def _blank_or_toman(rial):
    return "" if rial is None else _toman(rial)
