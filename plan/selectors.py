"""Reads of the plan app: the endorsed action plan (public) and the indicators of a quarter
(the public subset for everyone, the full set for estates staff and the union head), from the
stored snapshot when there is one, computed live otherwise."""

import datetime
from collections import Counter

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.exports import Table
from core.jalali import format_date
from core.persian import digits_to_persian
from members import roles

from . import indicators
from .models import Action, ActionPlan, ActionStatus, IndicatorSnapshot, Objective
from .quarters import Quarter


def sees_all_indicators(user) -> bool:
    return roles.is_estates_staff(user) or roles.is_union_head(user)


def endorsed_plan():
    """The newest endorsed plan with its objectives and actions (3 queries), or None."""
    actions = Action.objects.select_related("commitment", "owner_user").order_by("sort_order", "id")
    objectives = Objective.objects.prefetch_related(Prefetch("actions", queryset=actions)).order_by("sort_order", "id")
    return (
        ActionPlan.objects.filter(endorsed_on__isnull=False)
        .prefetch_related(Prefetch("objectives", queryset=objectives))
        .order_by("-endorsed_on", "-id")
        .first()
    )


def plan_progress(plan) -> dict:
    """Actions by effective status (from the prefetched tree), and how many are overdue."""
    actions = [action for objective in plan.objectives.all() for action in objective.actions.all()]
    counts = Counter(action.effective_status for action in actions)
    return {
        "total": len(actions),
        "overdue": sum(1 for action in actions if action.is_overdue),
        "by_status": [(ActionStatus(s).label, s, counts.get(s, 0)) for s in ActionStatus.values],
    }


def _language() -> str:
    return "en" if (get_language() or "fa").startswith("en") else "fa"


def _format(value, kind: str, persian: bool) -> str:
    if value is None:
        return "—"
    if kind == "percent":
        text = f"{value:.1f}".rstrip("0").rstrip(".")
        return (digits_to_persian(text).replace(".", "٫") + "٪") if persian else f"{text}%"
    fraction = isinstance(value, float) and not value.is_integer()
    text = f"{value:.1f}" if fraction else f"{int(value):,}"
    return digits_to_persian(text).replace(",", "٬").replace(".", "٫") if persian else text


def present(indicator, data: dict) -> dict:
    """A result in the current language: header, rows of formatted cells and the chart's data
    (labels and raw numbers of one column)."""
    language = _language()
    persian = language == "fa"
    rows = [
        {
            "label": row["label"][language],
            "cells": [_format(v, k, persian) for v, k in zip(row["values"], data["kinds"], strict=True)],
        }
        for row in data["rows"]
    ]
    chart = None
    spec = data.get("chart")
    if spec and data["rows"]:
        chart_rows = data["rows"][:-1] if spec.get("skip_last") and len(data["rows"]) > 1 else data["rows"]
        column = spec["column"]
        chart = {
            "id": f"chart-{indicator.id}",
            "data_id": f"chart-{indicator.id}-data",
            "labels": [row["label"][language] for row in chart_rows],
            "values": [row["values"][column] for row in chart_rows],
            "series": data["columns"][column + 1][language],
            "percent": data["kinds"][column] == "percent",
            "persian": persian,
        }
        if not any(v for v in chart["values"] if v is not None):
            chart = None
    return {
        "indicator": indicator,
        "columns": [c[language] for c in data["columns"]],
        "rows": rows,
        "notes": [n[language] for n in data.get("notes", [])],
        "chart": chart,
    }


def quarter_figures(*, quarter: Quarter, user, today: datetime.date | None = None) -> dict:
    """The quarter's indicators the user may see: stored figures where the quarter was stored,
    live ones (as of today, or the quarter's last day) otherwise. One query for the snapshots,
    then a fixed number per live indicator."""
    today = today or timezone.localdate()
    shown = indicators.visible(full=sees_all_indicators(user))
    stored = {
        s.indicator: s
        for s in IndicatorSnapshot.objects.filter(
            year=quarter.year, quarter=quarter.number, indicator__in=[i.id for i in shown]
        )
    }
    as_of = quarter.as_of(today)
    items = []
    for indicator in shown:
        snap = stored.get(indicator.id)
        data = snap.data if snap else indicators.compute(indicator, quarter, as_of)
        item = present(indicator, data)
        item["stored"] = snap
        item["data"] = data
        items.append(item)
    return {"quarter": quarter, "as_of": as_of, "items": items, "live": quarter.is_over(today) is False}


def quarter_choices(today: datetime.date | None = None) -> list[Quarter]:
    """The last eight quarters and every stored one, newest first."""
    from .quarters import recent

    quarters = set(recent(8, today))
    quarters.update(
        Quarter(year, number)
        for year, number in IndicatorSnapshot.objects.values_list("year", "quarter").distinct().order_by()
    )
    return sorted(quarters, reverse=True)


def export_tables(figures: dict):
    """The quarter's indicators as spreadsheet tables (one sheet each)."""

    tables = []
    for item in figures["items"]:
        language = _language()
        rows = [item["columns"]] + [[row["label"][language], *row["values"]] for row in item["data"]["rows"]]
        for note in item["notes"]:
            rows.append([note])
        rows.append([_("As of"), format_date(figures["as_of"], numeric=True)])
        tables.append(Table(title=str(item["indicator"].title), rows=rows))
    return tables
