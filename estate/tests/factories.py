"""Test data for the estate app (real models, real services)."""

import datetime

from django.utils import timezone

from estate import services
from estate.models import Allocation, AllocationCriterion, DemandRegistration, Milestone, Readiness


def milestone(
    *, title="آب و برق شهرک", planned_in=30, status=Milestone.Status.PLANNED, phase="infrastructure", done_in=None
):
    today = timezone.localdate()
    return Milestone.objects.create(
        phase=phase,
        title=title,
        planned_date=today + datetime.timedelta(days=planned_in),
        actual_date=None if done_in is None else today + datetime.timedelta(days=done_in),
        status=status,
    )


def registration(member, *, plot=400, workers=5, readiness=Readiness.NOW, days_ago=10):
    return DemandRegistration.objects.create(
        member=member,
        plot_size_m2=plot,
        workers=workers,
        readiness=readiness,
        registered_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def allocation(
    *,
    weights=(("membership_age", 20), ("valid_licence", 25), ("workers", 20), ("readiness", 25)),
    publish=True,
    actor=None,
):
    result = Allocation.objects.create(title="واگذاری فاز اول")
    for kind, weight in weights:
        AllocationCriterion.objects.create(allocation=result, kind=kind, weight=weight)
    if publish:
        services.allocation_publish(allocation=result, actor=actor)
        result.refresh_from_db()
    return result
