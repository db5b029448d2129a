"""Reads of the estate app. Milestones and the published ranking are public; the ranking shows
ranks and points, never who holds them (a member sees its own row marked; staff see names)."""

from django.db.models import Count, Subquery, Sum

from .models import (
    Allocation,
    CriterionKind,
    DemandRegistration,
    EstateFollower,
    Milestone,
    MilestoneChange,
    Ranking,
    RankingEntry,
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
    entry.labelled_points = [
        {"label": CriterionKind(kind).label, "weight": weight, "points": entry.points.get(kind)}
        for kind, weight in ranking.criteria
    ]
    return entry
