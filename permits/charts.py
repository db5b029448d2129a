"""The staff dashboard's charts (core.charts.Chart)."""

from django.utils.translation import gettext as _

from core.charts import Chart
from core.jalali import jalali_month_label


def expiry_chart(*, expiring_by_month) -> Chart:
    """Permits in force expiring in each Jalali month from this one on."""
    return Chart(
        id="expiry-chart",
        title=_("Permits expiring by month"),
        labels=[jalali_month_label(year, month) for year, month, _n in expiring_by_month],
        datasets=[{"label": _("Permits"), "color": 1, "data": [n for _y, _m, n in expiring_by_month]}],
        unit=_("permits"),
    )


def cases_chart(*, cases_by_step) -> Chart:
    """Open cases per step, stacked by how long they have been open."""
    ages = [_("Under 30 days"), _("30 to 90 days"), _("Over 90 days")]
    return Chart(
        id="cases-chart",
        title=_("Open cases by step and age"),
        labels=[row["label"] for row in cases_by_step],
        datasets=[
            {
                "label": label,
                "color": (0, 1, 4)[index],
                "data": [row["ages"][index] for row in cases_by_step],
                "stack": "age",
            }
            for index, label in enumerate(ages)
        ],
        unit=_("cases"),
        horizontal=True,
        stacked=True,
        table_id="cases-by-step",
    )
