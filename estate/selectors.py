"""Reads of the estate app. Milestones and the published ranking are public; the ranking shows
ranks and points, never who holds them (a member sees its own row marked; staff see names)."""

import functools
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Subquery, Sum

from core.statements import json_value
from members.models import Member

from .models import (
    Allocation,
    CriterionKind,
    DemandRegistration,
    EstateFollower,
    Milestone,
    MilestoneChange,
    Ranking,
    RankingEntry,
    Readiness,
)


def milestones():
    return list(Milestone.objects.order_by("sort_order", "planned_date", "id"))


def recent_changes(limit=5):
    return list(MilestoneChange.objects.select_related("milestone").order_by("-created_at", "-id")[:limit])


def register_summary() -> dict:
    """Public totals of the demand register (no names)."""
    return DemandRegistration.objects.filter(status=DemandRegistration.Status.ACTIVE).aggregate(
        registrations=Count("id"), plot_m2=Sum("plot_size_m2"), workers=Sum("workers")
    )


def is_following(user) -> bool:
    return user.is_authenticated and EstateFollower.objects.filter(user=user).exists()


def member_registration(member, *, products=True):
    if member is None:
        return None
    registrations = DemandRegistration.objects.filter(member=member)
    return (registrations.prefetch_related("products") if products else registrations).first()


def published_ranking():
    """The newest published ranking of a published allocation, or None."""
    return (
        Ranking.objects.filter(published_at__isnull=False, allocation__status=Allocation.Status.PUBLISHED)
        .select_related("allocation")
        .order_by("-published_at", "-id")
        .first()
    )


def criteria_labels(ranking) -> list[dict]:
    return [{"kind": kind, "weight": weight, "label": CriterionKind(kind).label} for kind, weight in ranking.criteria]


def ranking_rows(ranking, *, with_names=False) -> list[RankingEntry]:
    entries = RankingEntry.objects.filter(ranking=ranking).order_by("rank")
    if with_names:
        entries = entries.select_related("member")
    rows = list(entries)
    kinds = [kind for kind, _weight in ranking.criteria]
    for entry in rows:
        entry.point_cells = [entry.points.get(kind) for kind in kinds]
    return rows


def member_rank(*, member, ranking=None):
    """The member's entry in the published ranking (or None), with `of` = how many are ranked."""
    ranking = ranking or published_ranking()
    if ranking is None or member is None:
        return None
    # The entry and how many are ranked, in one query.
    ranked = RankingEntry.objects.filter(ranking=ranking).order_by().values("ranking").annotate(n=Count("id"))
    entry = (
        RankingEntry.objects.filter(ranking=ranking, member=member)
        .annotate(of=Subquery(ranked.values("n")[:1]))
        .first()
    )
    if entry is None:
        return None
    entry.ranking = ranking
    entry.labelled_points = _labelled_points(ranking.criteria, entry.points)
    return entry


def _labelled_points(criteria, points) -> list[dict]:
    return [
        {"label": CriterionKind(kind).label, "weight": weight, "points": points.get(kind)} for kind, weight in criteria
    ]


@functools.cache
def _dashboard_sql() -> str:
    """One statement: the member's registration, and its entry in the newest published ranking
    of a published allocation with how many are ranked there (what `member_registration` and
    `member_rank` read)."""
    member, registration, ranking, allocation, entry = (
        model._meta.db_table for model in (Member, DemandRegistration, Ranking, Allocation, RankingEntry)
    )
    return f"""
        SELECT d.status, d.plot_size_m2, d.readiness, e.rank, e.total, e.points, r.criteria,
            CASE WHEN e.id IS NOT NULL THEN (SELECT COUNT(*) FROM {entry} c WHERE c.ranking_id = r.id) END
        FROM {member} m
        LEFT JOIN {registration} d ON d.member_id = m.id
        LEFT JOIN (
            SELECT k.id, k.criteria FROM {ranking} k JOIN {allocation} a ON a.id = k.allocation_id
            WHERE k.published_at IS NOT NULL AND a.status = %s
            ORDER BY k.published_at DESC, k.id DESC LIMIT 1
        ) r ON 1 = 1
        LEFT JOIN {entry} e ON e.ranking_id = r.id AND e.member_id = m.id
        WHERE m.id = %s
    """  # noqa: S608 (table names from the models, values are parameters)


def member_dashboard_estate(*, member) -> dict:
    """For the member dashboard: `registration` (status, plot size, readiness label) or None,
    and `my_rank` (rank, of, total, labelled_points: the values `member_rank` gives) or None.
    One query, no model instances."""
    with connection.cursor() as cursor:
        cursor.execute(_dashboard_sql(), [Allocation.Status.PUBLISHED, member.pk])
        row = cursor.fetchone()
    if row is None:
        return {"registration": None, "my_rank": None}
    status, plot_size_m2, readiness, rank, total, points, criteria, of = row
    registration = None
    if status is not None:
        registration = {
            "status": status,
            "plot_size_m2": plot_size_m2,
            "readiness_label": Readiness(readiness).label,
        }
    my_rank = None
    if rank is not None:
        my_rank = {
            "rank": rank,
            "of": of,
            "total": total if isinstance(total, Decimal) else Decimal(str(total)).quantize(Decimal("0.01")),
            "labelled_points": _labelled_points(json_value(criteria), json_value(points)),
        }
    return {"registration": registration, "my_rank": my_rank}
