"""The score sheet's arithmetic: each criterion gives 0–10 points; an application's total is
the weighted mean of the points it got (0–10, two decimals), None until it is scored."""

from decimal import ROUND_HALF_UP, Decimal

from .models import Criterion, Score


def weighted_total(points_by_criterion: dict, criteria) -> Decimal | None:
    scored = [(c.weight, points_by_criterion[c.pk]) for c in criteria if c.pk in points_by_criterion]
    if not scored:
        return None
    weight = sum(w for w, _p in scored)
    total = Decimal(sum(w * p for w, p in scored)) / Decimal(weight)
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def with_total_scores(applications: list) -> list:
    """Sets `points` ({criterion id: points}) and `total_score` on each application (two
    queries for any number of applications of any calls)."""
    call_ids = {a.call_id for a in applications}
    criteria_by_call = {}
    for criterion in Criterion.objects.filter(call_id__in=call_ids).order_by("sort_order", "id"):
        criteria_by_call.setdefault(criterion.call_id, []).append(criterion)
    points = {}
    for application_id, criterion_id, value in Score.objects.filter(
        application_id__in=[a.pk for a in applications]
    ).values_list("application_id", "criterion_id", "points"):
        points.setdefault(application_id, {})[criterion_id] = value
    for application in applications:
        application.points = points.get(application.pk, {})
        application.criteria = criteria_by_call.get(application.call_id, [])
        application.point_cells = [application.points.get(c.pk) for c in application.criteria]
        application.total_score = weighted_total(application.points, application.criteria)
    return applications
