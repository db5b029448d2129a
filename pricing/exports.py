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
