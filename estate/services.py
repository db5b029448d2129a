"""Every write of the estate app: atomic, audited, notifying on commit."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.audit import audit_record, diff, snapshot
from core.jalali import format_date
from core.notifications import PORTAL, notify
from core.persian import digits_to_persian
from members.dashboard_cache import bump_global
from members.models import Member, MemberStatusChange, User
from permits.models import Permit
from pricing.models import PriceRound, PriceSubmission

from . import ranking as ranking_rules
from .models import (
    Allocation,
    DemandRegistration,
    EstateFollower,
    Milestone,
    MilestoneChange,
    MilestoneNotice,
    Ranking,
    RankingEntry,
)

logger = logging.getLogger(__name__)
MOVE_FIELDS = ("planned_date", "actual_date", "status")
MILESTONE_FIELDS = ["phase", "title", "planned_date", "actual_date", "status", "progress_note", "sort_order"]
DEMAND_FIELDS = ["plot_size_m2", "workers", "readiness", "investment_rial", "note"]
LICENCE_CODE = "manufacturing_licence"


# -- milestones ------------------------------------------------------------------------------


@transaction.atomic
def milestone_save(*, milestone, actor, note="") -> Milestone:
    """Saves a new or edited milestone. A move (planned date, actual date or status changed)
    is recorded and its followers are told once, after the commit."""
    before = Milestone.objects.select_for_update().filter(pk=milestone.pk).first() if milestone.pk else None
    old = snapshot(before, MILESTONE_FIELDS) if before else {}
    if milestone.status == Milestone.Status.DONE and milestone.actual_date is None:
        raise ValidationError({"actual_date": _("A milestone that is done needs its actual date.")})
    milestone.save()
    new = snapshot(milestone, MILESTONE_FIELDS)
    changes = diff(old, new)
    audit_record(
        actor=actor,
        action="estate.milestone_change" if before else "estate.milestone_add",
        instance=milestone,
        changes=changes,
    )
    if before and any(field in changes for field in MOVE_FIELDS):
        MilestoneChange.objects.create(
            milestone=milestone,
            old_planned_date=before.planned_date,
            new_planned_date=milestone.planned_date,
            old_actual_date=before.actual_date,
            new_actual_date=milestone.actual_date,
            old_status=before.status,
            new_status=milestone.status,
            note=note or milestone.progress_note,
            changed_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        transaction.on_commit(milestone_changes_announce, robust=True)
    transaction.on_commit(bump_global, robust=True)
    return milestone


def _change_text(change) -> str:
    parts = []
    if change.old_planned_date != change.new_planned_date:
        parts.append(
            _("planned date %(old)s → %(new)s")
            % {"old": format_date(change.old_planned_date), "new": format_date(change.new_planned_date)}
        )
    if change.old_actual_date != change.new_actual_date and change.new_actual_date:
        parts.append(_("done on %(date)s") % {"date": format_date(change.new_actual_date)})
    if change.old_status != change.new_status:
        parts.append(
            _("status %(old)s → %(new)s")
            % {"old": Milestone.Status(change.old_status).label, "new": Milestone.Status(change.new_status).label}
        )
    return "؛ ".join(str(p) for p in parts) if translation.get_language().startswith("fa") else "; ".join(parts)


def milestone_changes_announce() -> int:
    """Tells each follower about each milestone change not announced yet. A follower is told
    about a change once: the notice row is inserted first, under a unique constraint, so running
    this twice (or on two servers) never tells anybody twice. Followers who began following
    after the change are not told about it. Returns the number of notices sent."""
    sent = 0
    pending = list(MilestoneChange.objects.filter(announced_at__isnull=True).select_related("milestone"))
    for change in pending:
        followers = list(
            User.objects.filter(estate_follow__created_at__lte=change.created_at, is_active=True).order_by("id")
        )
        for user in followers:
            try:
                with transaction.atomic():
                    MilestoneNotice.objects.create(change=change, user=user)
                    with translation.override(settings.LANGUAGE_CODE):
                        notify(
                            user=user,
                            subject=_("The sweets estate: “%(title)s” moved") % {"title": change.milestone.title},
                            body=_change_text(change) + (f"\n{change.note}" if change.note else ""),
                            url=reverse("estate:home") + f"#milestone-{change.milestone_id}",
                        )
            except IntegrityError:
                continue  # already told
            sent += 1
        MilestoneChange.objects.filter(pk=change.pk, announced_at__isnull=True).update(announced_at=timezone.now())
    return sent


@transaction.atomic
def estate_follow_set(*, user, follow: bool) -> bool:
    if follow:
        _follower, created = EstateFollower.objects.get_or_create(user=user)
        if created:
            audit_record(actor=user, action="estate.follow", instance=_follower)
        return True
    follower = EstateFollower.objects.filter(user=user).first()
    if follower:
        audit_record(actor=user, action="estate.unfollow", instance=follower)
        follower.delete()
    return False


# -- the demand register ---------------------------------------------------------------------------


@transaction.atomic
def demand_register(*, member, actor, products=(), **data) -> DemandRegistration:
    """Registers or updates the member's interest. A withdrawn registration that comes back
    counts from its new date (the ranking's tie-break)."""
    if not member.is_active_member:
        raise ValidationError(_("Only active members can register interest."))
    registration = DemandRegistration.objects.select_for_update().filter(member=member).first()
    now = timezone.now()
    old = snapshot(registration, DEMAND_FIELDS + ["status"]) if registration else {}
    if registration is None:
        registration = DemandRegistration(member=member, registered_at=now)
    elif registration.status == DemandRegistration.Status.WITHDRAWN:
        registration.registered_at = now
    for field in DEMAND_FIELDS:
        if field in data:
            setattr(registration, field, data[field])
    registration.status = DemandRegistration.Status.ACTIVE
    registration.withdrawn_at = None
    registration.full_clean(exclude=["member", "products"])
    registration.save()
    registration.products.set(products)
    audit_record(
        actor=actor,
        action="estate.demand_update" if old else "estate.demand_register",
        instance=registration,
        changes=diff(old, snapshot(registration, DEMAND_FIELDS + ["status"])),
    )
    return registration


@transaction.atomic
def demand_withdraw(*, member, actor) -> DemandRegistration:
    registration = (
        DemandRegistration.objects.select_for_update()
        .filter(member=member, status=DemandRegistration.Status.ACTIVE)
        .first()
    )
    if registration is None:
        raise ValidationError(_("Your business has no registered interest."))
    registration.status = DemandRegistration.Status.WITHDRAWN
    registration.withdrawn_at = timezone.now()
    registration.save(update_fields=["status", "withdrawn_at", "updated_at"])
    audit_record(
        actor=actor, action="estate.demand_withdraw", instance=registration, changes={"status": ["active", "withdrawn"]}
    )
    return registration


# -- allocation and ranking ---------------------------------------------------------------------


@transaction.atomic
def allocation_publish(*, allocation, actor) -> Allocation:
    """Freezes the criteria and weights (they cannot change once published)."""
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    if allocation.status != Allocation.Status.DRAFT:
        raise ValidationError(_("This allocation is already published."))
    criteria = list(allocation.criteria.all())
    if not criteria:
        raise ValidationError(_("Set the criteria and weights before publishing."))
    allocation.status = Allocation.Status.PUBLISHED
    allocation.published_at = timezone.now()
    allocation.save(update_fields=["status", "published_at"])
    audit_record(
        actor=actor,
        action="estate.allocation_publish",
        instance=allocation,
        changes={"criteria": [[c.kind, c.weight] for c in criteria]},
    )
    return allocation


def _months_between(start: datetime.date, end: datetime.date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def ranking_inputs(*, as_of: datetime.date) -> list[dict]:
    """The snapshot a ranking is computed from: one row per active registration of an active
    member, read from the register and live data (four queries), sorted by member id."""
    registrations = list(
        DemandRegistration.objects.filter(
            status=DemandRegistration.Status.ACTIVE, member__status=Member.Status.ACTIVE
        ).select_related("member")
    )
    member_ids = [r.member_id for r in registrations]
    first_active = dict(
        MemberStatusChange.objects.filter(member_id__in=member_ids, to_status=Member.Status.ACTIVE)
        .values("member_id")
        .annotate(first=Min("created_at"))
        .values_list("member_id", "first")
    )
    licensed = set(
        Permit.objects.filter(
            member_id__in=member_ids,
            permit_type__code=LICENCE_CODE,
            worker__isnull=True,
            replaced_by__isnull=True,
            issue_date__lte=as_of,
        )
        .filter(Q(expiry_date__isnull=True) | Q(expiry_date__gte=as_of))
        .values_list("member_id", flat=True)
    )
    rounds = list(
        PriceRound.objects.filter(status__in=[PriceRound.Status.CLOSED, PriceRound.Status.PUBLISHED])
        .order_by("-year", "-month")
        .values_list("pk", flat=True)[:6]
    )
    reports = dict(
        PriceSubmission.objects.filter(member_id__in=member_ids, price_round_id__in=rounds, is_current=True)
        .exclude(status=PriceSubmission.Status.REJECTED)
        .values("member_id")
        .annotate(n=Count("price_round_id", distinct=True))
        .values_list("member_id", "n")
    )
    rows = []
    for registration in registrations:
        member = registration.member
        since = first_active.get(member.pk) or member.created_at
        rows.append(
            {
                "member_id": member.pk,
                "registered_at": registration.registered_at.isoformat(),
                "membership_months": _months_between(timezone.localtime(since).date(), as_of),
                "valid_licence": member.pk in licensed,
                "workers": registration.workers,
                "readiness": registration.readiness,
                "price_reports": reports.get(member.pk, 0),
            }
        )
    return sorted(rows, key=lambda row: row["member_id"])


@transaction.atomic
def ranking_compute(*, allocation, actor, as_of=None) -> Ranking:
    """Computes the ranking of a published allocation from today's data and stores it with
    its inputs (and their digest), so it can be checked and recomputed."""
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    if allocation.status != Allocation.Status.PUBLISHED:
        raise ValidationError(_("Publish the allocation (and so freeze its criteria) before ranking."))
    as_of = as_of or timezone.localdate()
    criteria = [[c.kind, c.weight] for c in allocation.criteria.order_by("id")]
    inputs = ranking_inputs(as_of=as_of)
    ranking = Ranking.objects.create(
        allocation=allocation,
        computed_by=actor if getattr(actor, "is_authenticated", False) else None,
        as_of=as_of,
        criteria=criteria,
        inputs=inputs,
        inputs_digest=ranking_rules.digest(criteria, inputs),
    )
    RankingEntry.objects.bulk_create(
        RankingEntry(
            ranking=ranking, member_id=row["member_id"], rank=row["rank"], total=row["total"], points=row["points"]
        )
        for row in ranking_rules.rank(criteria, inputs)
    )
    audit_record(
        actor=actor,
        action="estate.ranking_compute",
        instance=ranking,
        changes={"entries": len(inputs), "digest": ranking.inputs_digest},
    )
    return ranking


@transaction.atomic
def ranking_publish(*, ranking, actor) -> Ranking:
    """Publishes a ranking; each ranked member is told its rank (portal)."""
    ranking = Ranking.objects.select_for_update().select_related("allocation").get(pk=ranking.pk)
    if ranking.published_at:
        raise ValidationError(_("This ranking is already published."))
    ranking.published_at = timezone.now()
    ranking.save(update_fields=["published_at"])
    audit_record(actor=actor, action="estate.ranking_publish", instance=ranking)
    entries = list(ranking.entries.all())
    total = len(entries)
    users = {}
    for user in User.objects.filter(
        member_link__member_id__in=[e.member_id for e in entries], is_active=True
    ).select_related("member_link"):
        users.setdefault(user.member_link.member_id, []).append(user)
    with translation.override(settings.LANGUAGE_CODE):
        for entry in entries:
            for user in users.get(entry.member_id, []):
                notify(
                    user=user,
                    subject=_("The estate's allocation ranking is published: you are %(rank)s of %(total)s")
                    % {"rank": _digits(entry.rank), "total": _digits(total)},
                    url=reverse("estate:ranking"),
                    channels=(PORTAL,),
                )
    transaction.on_commit(bump_global, robust=True)
    return ranking


def _digits(value) -> str:
    return digits_to_persian(value) if (translation.get_language() or "fa").startswith("fa") else str(value)


def ranking_recompute_from_snapshot(ranking) -> list[dict]:
    """The order the stored inputs give today (what anyone checking the ranking would get)."""
    return ranking_rules.rank(ranking.criteria, ranking.inputs)
