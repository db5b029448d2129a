"""Thin views; who may see each one is stated on it."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.access import role_required
from core.exports import xlsx_response
from members import roles

from . import selectors
from .quarters import Quarter, current


@require_GET
def home(request):
    """Public: the endorsed action plan, objectives → actions with status and due dates."""
    plan = selectors.endorsed_plan()
    context = {"plan": plan, "progress": selectors.plan_progress(plan) if plan else None}
    return render(request, "plan/home.html", context)


def _quarter(request):
    """The quarter asked for (?q=1405-2, Persian digits accepted), or the running one with a
    message when the value is not a quarter or has not begun."""
    raw = request.GET.get("q", "")
    today_quarter = current()
    if not raw:
        return today_quarter, ""
    try:
        quarter = Quarter.parse(raw)
    except ValueError:
        return today_quarter, _("That is not a quarter; showing the current one.")
    if quarter > today_quarter:
        return today_quarter, _("That quarter has not begun; showing the current one.")
    return quarter, ""


@require_GET
def indicator_list(request):
    """Public: the public indicators of a quarter; estates staff and the union head see all."""
    quarter, problem = _quarter(request)
    figures = selectors.quarter_figures(quarter=quarter, user=request.user)
    context = {
        **figures,
        "problem": problem,
        "choices": selectors.quarter_choices(),
        "full": selectors.sees_all_indicators(request.user),
    }
    if not problem:
        request.canonical_path = f"{request.path}?q={quarter.key}" if request.GET.get("q") else request.path
    return render(request, "plan/indicators.html", context)


@require_GET
@role_required(roles.is_estates_staff, roles.is_union_head)
def indicator_export(request):
    """Estates staff and the union head: every indicator of the chosen quarter as XLSX."""
    quarter, _problem = _quarter(request)
    figures = selectors.quarter_figures(quarter=quarter, user=request.user)
    return xlsx_response(selectors.export_tables(figures), filename=f"cluster-indicators-{quarter.key}")
