"""Reads, scoped to who asks. A permit's state is computed in the database from today's date
in Tehran (timezone.localdate()) — never stored, so it is never stale."""

import datetime
import functools
import statistics
from collections import defaultdict

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    DurationField,
    Exists,
    F,
    FloatField,
    Func,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from catalogue.models import Product, product_name
from core.jalali import jalali_month_of, jalali_month_range
from core.statements import aware_datetime, json_value, placeholders
from members.dashboard_cache import tables_token
from members.models import Member
from members.roles import is_estates_staff, member_of

from .models import (
    OPEN_STEPS,
    CaseEscalation,
    CaseStep,
    CaseStepKind,
    HolderKind,
    Permit,
    PermitCase,
    PermitState,
    PermitType,
    StepDeadline,
    Worker,
    expiring_soon_days,
    permit_type_name,
)

HEALTH_CARD = "health_card"
HOME_BUSINESS = "home_business"


def _today(today=None) -> datetime.date:
    return today or timezone.localdate()


def permit_types_active():
    return list(PermitType.objects.filter(is_active=True).prefetch_related("prerequisites", "checklist_items"))


def permit_state_expression(*, today=None, types=None):
    """A CASE expression giving each permit's PermitState. `types` (all permit types, one
    query) lets the "expiring soon" threshold follow each type's first reminder offset."""
    today = _today(today)
    types = types if types is not None else list(PermitType.objects.all())
    soon = defaultdict(list)
    for permit_type in types:
        soon[permit_type.expiring_soon_days].append(permit_type.pk)
    soon_q = Q(pk__in=[])
    for days, type_ids in soon.items():
        soon_q |= Q(permit_type_id__in=type_ids, expiry_date__lte=today + datetime.timedelta(days=days))
    renewal_open = renewal_open_condition()
    return Case(
        When(replaced_by__isnull=False, then=Value(PermitState.REPLACED)),
        When(revoked_condition(today=today), then=Value(PermitState.REVOKED)),
        When(suspended_condition(today=today), then=Value(PermitState.SUSPENDED)),
        When(renewal_open, then=Value(PermitState.RENEWAL)),
        When(expiry_date__lt=today, then=Value(PermitState.EXPIRED)),
        When(soon_q, then=Value(PermitState.EXPIRING_SOON)),
        default=Value(PermitState.VALID),
        output_field=CharField(),
    )


def renewal_open_condition() -> Exists:
    return Exists(PermitCase.objects.filter(renewal_of=OuterRef("pk"), step__in=OPEN_STEPS))


def expired_condition(*, today=None) -> Q:
    """The permits whose state (permit_state_expression) is "expired" on `today`, as plain
    predicates: a range on the expiry date the indexes can walk (the planner cannot see through
    the CASE)."""
    today = _today(today)
    return (
        Q(replaced_by__isnull=True, expiry_date__lt=today)
        & (Q(revoked_on__isnull=True) | Q(revoked_on__gt=today))
        & (Q(suspended_from__isnull=True) | Q(suspended_from__gt=today) | Q(suspended_until__lt=today))
        & ~renewal_open_condition()
    )


MANUFACTURING_LICENCE = "manufacturing_licence"


def revoked_condition(*, today=None) -> Q:
    return Q(revoked_on__isnull=False, revoked_on__lte=_today(today))


def suspended_condition(*, today=None) -> Q:
    """Suspended on `today`: from `suspended_from` to `suspended_until` (both included; open
    ended while no end date is set)."""
    today = _today(today)
    return Q(suspended_from__isnull=False, suspended_from__lte=today) & (
        Q(suspended_until__isnull=True) | Q(suspended_until__gte=today)
    )


def in_force_condition(*, today=None) -> Q:
    """A permit is in force on `today` when it was issued by then, is not replaced, is not past
    its expiry date, and is neither revoked nor suspended that day. (Unlike the displayed state,
    a renewal in progress does not keep an expired permit in force.)"""
    today = _today(today)
    return (
        Q(replaced_by__isnull=True, issue_date__lte=today)
        & (Q(expiry_date__isnull=True) | Q(expiry_date__gte=today))
        & (Q(revoked_on__isnull=True) | Q(revoked_on__gt=today))
        & (Q(suspended_from__isnull=True) | Q(suspended_from__gt=today) | Q(suspended_until__lt=today))
    )


def permits_in_force(queryset=None, *, today=None):
    """Permits in force on `today` (in_force_condition)."""
    queryset = Permit.objects.all() if queryset is None else queryset
    return queryset.filter(in_force_condition(today=today))


def product_licences(queryset=None, *, today=None, in_force=True):
    """Manufacturing health licences (one per business and product: `products` says which they
    cover); with in_force, only those in force today. Filter by member and products."""
    queryset = Permit.objects.all() if queryset is None else queryset
    queryset = queryset.filter(permit_type__code=MANUFACTURING_LICENCE)
    return permits_in_force(queryset, today=today) if in_force else queryset.filter(replaced_by__isnull=True)


def permits_with_state(queryset=None, *, today=None, types=None):
    queryset = Permit.objects.all() if queryset is None else queryset
    return queryset.annotate(state=permit_state_expression(today=today, types=types))


def permit_state(permit, *, today=None) -> str:
    """The state of one loaded permit (same rules as permit_state_expression)."""
    if getattr(permit, "state", None):
        return permit.state
    return permits_with_state(Permit.objects.filter(pk=permit.pk), today=today).values_list("state", flat=True)[0]


def missing_prerequisites(*, member, permit_type, worker=None, today=None) -> list[dict]:
    """The prerequisites of `permit_type` not in force today for this member (or, for a worker's
    own permit, for that worker), in two queries (three when workers are needed). A prerequisite
    held by workers (health cards) of a business permit must be in force for every active
    worker; one held by a person (the technical officer) for one of them. Each item: {"type", "workers" (those missing it), "no_workers" (none on the list)}."""
    prerequisites = [pre for pre in permit_type.prerequisites.all() if pre.is_active]
    if not prerequisites:
        return []
    held = set(
        permits_in_force(
            Permit.objects.filter(member=member, permit_type__in=[pre.pk for pre in prerequisites]), today=today
        ).values_list("permit_type_id", "worker_id")
    )
    needs_workers = any(_each_worker_needs(pre, permit_type) for pre in prerequisites) and not (
        permit_type.held_by_worker and worker
    )
    workers = (
        list(Worker.objects.filter(member=member, is_active=True).order_by("full_name", "id")) if needs_workers else []
    )
    return _missing_from(prerequisites, permit_type=permit_type, worker=worker, held=held, workers=workers)


def _each_worker_needs(pre, permit_type) -> bool:
    """A worker's prerequisite (health card) of a business permit: every worker needs one. A
    business's or one person's (the technical officer): one in force is enough."""
    return pre.held_by_worker and not (pre.holder_kind == HolderKind.PERSON and not permit_type.held_by_worker)


def _missing_from(prerequisites, *, permit_type, worker, held, workers) -> list[dict]:
    """missing_prerequisites without queries: `held` is {(type id, worker id)} of the permits in
    force, `workers` the member's active workers."""
    held_types = {type_id for type_id, _worker_id in held}
    missing = []
    for pre in prerequisites:
        if not _each_worker_needs(pre, permit_type):
            if pre.pk not in held_types:
                missing.append({"type": pre, "workers": [], "no_workers": False})
            continue
        if permit_type.held_by_worker and worker is not None:
            if (pre.pk, worker.pk) not in held:
                missing.append({"type": pre, "workers": [], "no_workers": False})
            continue
        lacking = [w for w in workers if (pre.pk, w.pk) not in held]
        if not workers or lacking:
            missing.append({"type": pre, "workers": lacking, "no_workers": not workers})
    return missing


# -- the public verification page -----------------------------------------------------------


def permit_for_verification(code: str, *, today=None):
    """The permit behind a public code with what the page shows (one query), or None. Its
    verdict is computed from today's date: never stored."""
    if not code or len(code) > 40:
        return None
    today = _today(today)
    permit = (
        Permit.objects.filter(public_code=code)
        .select_related("permit_type", "member")
        .only(
            "number",
            "issue_date",
            "expiry_date",
            "replaced_by_id",
            "suspended_from",
            "suspended_until",
            "revoked_on",
            "public_code",
            "permit_type__name_fa",
            "permit_type__name_en",
            "member__business_name",
        )
        .first()
    )
    if permit is None:
        return None
    permit.verdict = permit_verdict(permit, today=today)
    return permit


def permit_verdict(permit, *, today=None) -> dict:
    """Green only when the permit is in force today (in_force_condition, in Python for one
    loaded permit); otherwise red with the first reason that applies."""
    today = _today(today)
    if permit.revoked_on is not None and permit.revoked_on <= today:
        reason = "revoked"
    elif permit.replaced_by_id is not None:
        reason = "replaced"
    elif (
        permit.suspended_from is not None
        and permit.suspended_from <= today
        and (permit.suspended_until is None or permit.suspended_until >= today)
    ):
        reason = "suspended"
    elif permit.issue_date > today:
        reason = "not_yet"
    elif permit.expiry_date is not None and permit.expiry_date < today:
        reason = "expired"
    else:
        reason = ""
    return {"ok": reason == "", "reason": reason}


# -- access helpers -------------------------------------------------------------------------


def case_for_user_or_404(*, user, case_id):
    """A case of the user's own (active) member, or any case for estates staff; else 404."""
    queryset = PermitCase.objects.select_related("member", "permit_type", "worker", "product", "renewal_of")
    if is_estates_staff(user):
        case = queryset.filter(pk=case_id).first()
    else:
        member = member_of(user)
        case = queryset.filter(pk=case_id, member=member).first() if member else None
    if case is None:
        raise Http404
    return case


def document_for_user_or_404(*, user, document_id):
    from .models import CaseDocument

    queryset = CaseDocument.objects.select_related("case")
    if is_estates_staff(user):
        document = queryset.filter(pk=document_id).first()
    else:
        member = member_of(user)
        active = member is not None and member.is_active_member
        document = queryset.filter(pk=document_id, case__member=member).first() if active else None
    if document is None:
        raise Http404
    return document


# -- the member's own pages ------------------------------------------------------------------


def member_permits_overview(*, member, today=None) -> dict:
    """Everything /permits/ shows, in a constant number of queries."""
    today = _today(today)
    types = permit_types_active()
    permits = list(
        permits_with_state(
            Permit.objects.filter(member=member).select_related("permit_type", "worker").prefetch_related("products"),
            today=today,
            types=types,
        ).order_by("permit_type__sort_order", "expiry_date", "id")
    )
    cases = list(
        PermitCase.objects.filter(member=member)
        .select_related("permit_type", "worker", "product")
        .order_by("-updated_at", "-id")
    )
    workers = list(Worker.objects.filter(member=member, is_active=True).order_by("full_name", "id"))
    current = [p for p in permits if p.state != PermitState.REPLACED]
    cards_by_worker = defaultdict(list)
    for permit in current:
        if permit.worker_id:
            cards_by_worker[permit.worker_id].append(permit)
    for worker in workers:
        worker.current_permits = cards_by_worker.get(worker.pk, [])
    needed = [t for t in types if (t.for_home if member.kind == Member.Kind.HOME else t.for_guild)]
    not_in_force = (PermitState.EXPIRED, PermitState.SUSPENDED, PermitState.REVOKED)
    # the same test as a new case's prerequisites (permit_case_open)
    in_force = {(p.permit_type_id, p.worker_id) for p in current if permit_verdict(p, today=today)["ok"]}
    held = {p.permit_type_id for p in current if p.state not in not_in_force}
    open_types = {c.permit_type_id for c in cases if c.is_open}
    requirements = []
    for permit_type in needed:
        if permit_type.held_by_worker:
            holders = {
                p.worker_id for p in current if p.permit_type_id == permit_type.pk and p.state not in not_in_force
            }
            missing_workers = [w for w in workers if w.pk not in holders]
            done = bool(workers) and not missing_workers
        else:
            missing_workers = []
            done = permit_type.pk in held
        active_prerequisites = [pre for pre in permit_type.prerequisites.all() if pre.is_active]
        missing = {
            item["type"].pk
            for item in _missing_from(
                active_prerequisites, permit_type=permit_type, worker=None, held=in_force, workers=workers
            )
        }
        prerequisites = [{"type": pre, "done": pre.pk not in missing} for pre in active_prerequisites]
        requirements.append(
            {
                "type": permit_type,
                "done": done,
                "in_progress": permit_type.pk in open_types,
                "missing_workers": missing_workers,
                "prerequisites": prerequisites,
                "ready": all(p["done"] for p in prerequisites),
            }
        )
    return {
        "requirements": requirements,
        "permits": current,
        "old_permits": [p for p in permits if p.state == PermitState.REPLACED],
        "open_cases": [c for c in cases if c.is_open],
        "closed_cases": [c for c in cases if not c.is_open],
        "workers": workers,
        "types": types,
    }


def loaded_permit_state(permit, *, renewal_open: bool, today=None) -> str:
    """The state of a permit already loaded with its permit type, given whether a renewal case
    is open for it: the same rules, in the same order, as permit_state_expression (tested
    equal), without building that expression for a handful of rows."""
    return permit_state_of_values(
        replaced=permit.replaced_by_id is not None,
        revoked_on=permit.revoked_on,
        suspended_from=permit.suspended_from,
        suspended_until=permit.suspended_until,
        renewal_open=renewal_open,
        expiry_date=permit.expiry_date,
        expiring_soon_days=permit.permit_type.expiring_soon_days,
        today=_today(today),
    )


def permit_state_of_values(
    *, replaced, revoked_on, suspended_from, suspended_until, renewal_open, expiry_date, expiring_soon_days, today
) -> str:
    """loaded_permit_state's rules on the permit's values as read (a row, no model instance)."""
    if replaced:
        return PermitState.REPLACED
    if revoked_on is not None and revoked_on <= today:
        return PermitState.REVOKED
    if suspended_from is not None and suspended_from <= today and (suspended_until is None or suspended_until >= today):
        return PermitState.SUSPENDED
    if renewal_open:
        return PermitState.RENEWAL
    if expiry_date is not None and expiry_date < today:
        return PermitState.EXPIRED
    if expiry_date is not None and expiry_date <= today + datetime.timedelta(days=expiring_soon_days):
        return PermitState.EXPIRING_SOON
    return PermitState.VALID


def member_permits_expiring(*, member, days=60, today=None, limit=10):
    """Permits of the member that expire within `days` (or already have), soonest first, each
    with its `state` (one query)."""
    today = _today(today)
    permits = list(
        Permit.objects.filter(
            member=member, replaced_by__isnull=True, expiry_date__lte=today + datetime.timedelta(days=days)
        )
        .select_related("permit_type", "worker")
        .annotate(renewal_open=renewal_open_condition())
        .order_by("expiry_date", "id")[:limit]
    )
    for permit in permits:
        permit.state = loaded_permit_state(permit, renewal_open=permit.renewal_open, today=today)
    return permits


@functools.cache
def _dashboard_expiring_sql() -> str:
    """One statement: `member_permits_expiring`'s rows with only what the dashboard shows and
    what the state needs (the type's names and reminder offsets, the worker's name, whether a
    renewal case is open)."""
    permit, permit_type, worker, case = (model._meta.db_table for model in (Permit, PermitType, Worker, PermitCase))
    steps = placeholders(len(OPEN_STEPS))
    return f"""
        SELECT p.revoked_on, p.suspended_from, p.suspended_until, p.expiry_date,
            t.name_fa, t.name_en, t.reminder_offsets, w.full_name,
            EXISTS (SELECT 1 FROM {case} k WHERE k.renewal_of_id = p.id AND k.step IN ({steps}))
        FROM {permit} p
        JOIN {permit_type} t ON t.id = p.permit_type_id
        LEFT JOIN {worker} w ON w.id = p.worker_id
        WHERE p.member_id = %s AND p.replaced_by_id IS NULL AND p.expiry_date <= %s
        ORDER BY p.expiry_date, p.id
        LIMIT %s
    """  # noqa: S608 (table names from the models, values are parameters)


def member_dashboard_permits_expiring(*, member, days=60, today=None, limit=10) -> list[dict]:
    """For the member dashboard: `member_permits_expiring`'s permits as dicts with `type_name`
    (in the active language), `worker_name` ("" for the business's own), `expiry_date` and
    `state`. One query, no model instances."""
    today = _today(today)
    until = connection.ops.adapt_datefield_value(today + datetime.timedelta(days=days))
    with connection.cursor() as cursor:
        cursor.execute(_dashboard_expiring_sql(), [*OPEN_STEPS, member.pk, until, limit])
        rows = cursor.fetchall()
    permits = []
    for revoked_on, suspended_from, suspended_until, expiry, name_fa, name_en, offsets, worker, renewal in rows:
        state = permit_state_of_values(
            replaced=False,
            revoked_on=revoked_on,
            suspended_from=suspended_from,
            suspended_until=suspended_until,
            renewal_open=bool(renewal),
            expiry_date=expiry,
            expiring_soon_days=expiring_soon_days(json_value(offsets)),
            today=today,
        )
        permits.append(
            {
                "type_name": permit_type_name(name_fa, name_en),
                "worker_name": worker or "",
                "expiry_date": expiry,
                "state": state,
            }
        )
    return permits


def case_detail(*, case) -> dict:
    steps = list(case.steps.select_related("actor").order_by("entered_at", "id"))
    items = list(case.permit_type.checklist_items.all())
    ticked = set(case.ticks.values_list("item_id", flat=True))
    for item in items:
        item.ticked = item.pk in ticked
    documents = list(case.documents.select_related("checklist_item", "uploaded_by").order_by("uploaded_at"))
    return {"steps": steps, "items": items, "documents": documents}


# -- the staff dashboard (aggregates in the database; a constant number of queries) --------


class Median(Aggregate):
    """PostgreSQL's median (percentile_cont); other databases compute it in Python."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False


class EpochDays(Func):
    template = "EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0"
    output_field = FloatField()


STAFF_LIST_LIMIT = 10


def _expired_cards(*, today, types):
    """Expired health cards (the state "expired") of workers still working for their member."""
    card_types = [t.pk for t in types if t.code == HEALTH_CARD]
    return Permit.objects.filter(expired_condition(today=today), permit_type_id__in=card_types, worker__is_active=True)


def _expired_cards_members(*, today, types):
    """Members with an expired health card of a worker still working for them, the latest
    expired first (then by id), with how many cards each has expired (`expired_cards`)."""
    cards = _expired_cards(today=today, types=types).filter(member_id=OuterRef("pk"))
    latest = cards.order_by("-expiry_date").values("expiry_date")[:1]
    return (
        Member.objects.filter(Exists(cards))
        .only("business_name")
        .annotate(last_expired=Subquery(latest), expired_cards=Subquery(_expired_card_count(today=today, types=types)))
        .order_by("-last_expired", "id")
    )


def _expired_card_count(*, today, types):
    card_types = [t.pk for t in types if t.code == HEALTH_CARD]
    return (
        Permit.objects.filter(
            member_id=OuterRef("pk"),
            permit_type_id__in=card_types,
            replaced_by__isnull=True,
            expiry_date__lt=today,
        )
        .order_by()
        .values("member_id")
        .annotate(n=Count("id"))
        .values("n")
    )


def _home_without_permit(*, today, types):
    """Active home producers without a home-business permit in force (not replaced, not past
    its expiry date), by name."""
    home_types = [t.pk for t in types if t.code == HOME_BUSINESS]
    has_home_permit = Permit.objects.filter(
        member=OuterRef("pk"), permit_type_id__in=home_types, replaced_by__isnull=True
    ).filter(Q(expiry_date__isnull=True) | Q(expiry_date__gte=today))
    return (
        Member.objects.filter(kind=Member.Kind.HOME, status=Member.Status.ACTIVE)
        .exclude(Exists(has_home_permit))
        .order_by("business_name", "id")
    )


_LISTED_PERMIT_FIELDS = (
    "permit_type",
    "member",
    "worker",
    "number",
    "expiry_date",
    "replaced_by_id",
    "revoked_on",
    "suspended_from",
    "suspended_until",
    "permit_type__name_fa",
    "permit_type__name_en",
    "permit_type__reminder_offsets",
    "member__business_name",
    "worker__full_name",
)


def _expiring_permits(*, today):
    """Permits (not replaced) expiring from today to 30 days on, soonest first (their state
    worked out by _with_states)."""
    return (
        Permit.objects.filter(
            replaced_by__isnull=True, expiry_date__gte=today, expiry_date__lte=today + datetime.timedelta(days=30)
        )
        .select_related("permit_type", "member", "worker")
        .only(*_LISTED_PERMIT_FIELDS)
        .order_by("expiry_date", "id")
    )


def _expired_permits(*, today):
    """Permits in the state "expired", the latest first. An expired permit is past its expiry
    date: the range lets the index on it find them."""
    return (
        Permit.objects.filter(expired_condition(today=today))
        .select_related("permit_type", "member", "worker")
        .only(*_LISTED_PERMIT_FIELDS)
        .order_by("-expiry_date", "id")
    )


def _with_states(permits, *, today, expired=False):
    """The listed permits' states: "expired" for the expired list (expired_condition); else
    worked out in Python, with the permits that have a renewal open read in one query (an
    EXISTS per row made PostgreSQL hash every open renewal first)."""
    if expired:
        for permit in permits:
            permit.state = PermitState.EXPIRED
        return permits
    renewing = set(
        PermitCase.objects.filter(renewal_of__in=[p.pk for p in permits], step__in=OPEN_STEPS).values_list(
            "renewal_of_id", flat=True
        )
    )
    for permit in permits:
        permit.state = loaded_permit_state(permit, renewal_open=permit.pk in renewing, today=today)
    return permits


def _stale_cases():
    return (
        PermitCase.objects.filter(step__in=OPEN_STEPS)
        .select_related("member", "permit_type", "worker", "product")
        .only(*_LISTED_CASE_FIELDS)
        .order_by("updated_at", "id")
    )


def _with_case_ages(cases, *, now):
    for case in cases:
        case.age_days = (now - case.created_at).days
        case.idle_days = (now - case.updated_at).days
    return cases


# -- the staff dashboard's lists as plain rows ---------------------------------------------------
#
# The dashboard shows the first STAFF_LIST_LIMIT rows of six lists, read live on every render.
# Each is one hand-written statement (docs/CONVENTIONS.md: a fixed, hot read whose ORM cost was
# measured: ≈ 2–4 ms a list through the ORM, most of it building queries and model instances)
# giving plain dicts with what the row shows. The ORM reads they stand for stay: staff_list(kind)
# pages through them on the "see all" pages and staff_list_rows turns a page into the same dicts,
# and permits/tests/test_dashboard_lists.py asserts both give the same rows.


def _tables(*models) -> tuple:
    return tuple(model._meta.db_table for model in models)


def _date(value):
    return connection.ops.adapt_datefield_value(value)


def _permit_row(permit) -> dict:
    """A listed permit (staff_list "expiring"/"expired", with its `state`) as the lists show it."""
    return {
        "id": permit.pk,
        "number": permit.number,
        "type_name": permit.permit_type.name,
        "business_name": permit.member.business_name,
        "worker_name": permit.worker.full_name if permit.worker_id else "",
        "expiry_date": permit.expiry_date,
        "state": permit.state,
    }


def _card_member_row(member) -> dict:
    return {"id": member.pk, "business_name": member.business_name, "expired_cards": member.expired_cards}


def _home_row(member) -> dict:
    return {"id": member.pk, "business_name": member.business_name, "county": member.get_county_display()}


def _stale_row(case) -> dict:
    return {
        "id": case.pk,
        "business_name": case.member.business_name,
        "type_name": case.permit_type.name,
        "subject": case.subject,
        "step_label": case.get_step_display(),
        "age_days": case.age_days,
        "idle_days": case.idle_days,
    }


def _overdue_row(case) -> dict:
    return {
        "id": case.pk,
        "business_name": case.member.business_name,
        "type_name": case.permit_type.name,
        "issuer_label": case.permit_type.get_issuer_display(),
        "step_label": case.get_step_display(),
        "days_allowed": case.days_allowed,
        "due_on": case.due_on,
        "delay_days": case.delay_days,
        "escalated_at": case.escalated_at,
    }


@functools.cache
def _permit_types_sql() -> str:
    return f"""
        SELECT id, code, name_fa, name_en, issuer, reminder_offsets
        FROM {PermitType._meta.db_table}
        ORDER BY sort_order, id
    """  # noqa: S608 (table name from the model)


def staff_permit_types() -> list[dict]:
    """Every permit type in their order, as the dashboard needs them (one query): `id`, `code`,
    `name` (in the active language), `issuer` and `expiring_soon_days`. The lists below take
    them (`types`) to name their rows' types instead of reading them again."""
    with connection.cursor() as cursor:
        cursor.execute(_permit_types_sql())
        rows = cursor.fetchall()
    return [
        {
            "id": pk,
            "code": code,
            "name": permit_type_name(name_fa, name_en),
            "issuer": issuer,
            "expiring_soon_days": expiring_soon_days(json_value(offsets)),
        }
        for pk, code, name_fa, name_en, issuer, offsets in rows
    ]


def _types_by_id(types) -> dict:
    return {row["id"]: row for row in (staff_permit_types() if types is None else types)}


def _name_of(table: str, column: str, key: str) -> str:
    """A scalar sub-select of one column of the row `key` points at: a look-up by primary key
    for each of the listed rows, which PostgreSQL plans in a fraction of a join's time."""
    return f"(SELECT x.{column} FROM {table} x WHERE x.id = {key})"  # noqa: S608 (names from the models)


@functools.cache
def _staff_expiring_sql() -> str:
    """The first rows of _expiring_permits with what the state needs; whether a renewal case is
    open is asked of those rows only (a scalar sub-select: an EXISTS made PostgreSQL hash every
    open renewal first)."""
    permit, member, worker, case = _tables(Permit, Member, Worker, PermitCase)
    return f"""
        SELECT p.id, p.number, p.expiry_date, p.revoked_on, p.suspended_from, p.suspended_until, p.permit_type_id,
            {_name_of(member, "business_name", "p.member_id")},
            {_name_of(worker, "full_name", "p.worker_id")},
            (SELECT k.id FROM {case} k
             WHERE k.renewal_of_id = p.id AND k.step IN ({placeholders(len(OPEN_STEPS))}) LIMIT 1)
        FROM {permit} p
        WHERE p.replaced_by_id IS NULL AND p.expiry_date >= %s AND p.expiry_date <= %s
        ORDER BY p.expiry_date, p.id
        LIMIT %s
    """  # noqa: S608 (table names from the models, values are parameters)


def staff_expiring_rows(*, today=None, limit=STAFF_LIST_LIMIT, types=None) -> list[dict]:
    """The dashboard's first `limit` permits of staff_list("expiring") as rows (one query, and
    one for the permit types unless `types` are given)."""
    today = _today(today)
    types = _types_by_id(types)
    params = [*OPEN_STEPS, _date(today), _date(today + datetime.timedelta(days=30)), limit]
    with connection.cursor() as cursor:
        cursor.execute(_staff_expiring_sql(), params)
        rows = cursor.fetchall()
    listed = []
    for pk, number, expiry, revoked_on, suspended_from, suspended_until, type_id, business, worker, renewal in rows:
        permit_type = types[type_id]
        state = permit_state_of_values(
            replaced=False,
            revoked_on=revoked_on,
            suspended_from=suspended_from,
            suspended_until=suspended_until,
            renewal_open=renewal is not None,
            expiry_date=expiry,
            expiring_soon_days=permit_type["expiring_soon_days"],
            today=today,
        )
        listed.append(
            {
                "id": pk,
                "number": number,
                "type_name": permit_type["name"],
                "business_name": business,
                "worker_name": worker or "",
                "expiry_date": expiry,
                "state": state,
            }
        )
    return listed


def _expired_sql_condition(case: str) -> str:
    """expired_condition on the permit `p`, as SQL: its parameters are _expired_sql_params."""
    return f"""p.replaced_by_id IS NULL AND p.expiry_date < %s
        AND (p.revoked_on IS NULL OR p.revoked_on > %s)
        AND (p.suspended_from IS NULL OR p.suspended_from > %s OR p.suspended_until < %s)
        AND NOT EXISTS (SELECT 1 FROM {case} k WHERE k.renewal_of_id = p.id AND k.step IN ({placeholders(len(OPEN_STEPS))}))"""  # noqa: S608 (table name from the model)


def _expired_sql_params(today) -> list:
    day = _date(today)
    return [day, day, day, day, *OPEN_STEPS]


@functools.cache
def _staff_expired_sql() -> str:
    permit, member, worker, case = _tables(Permit, Member, Worker, PermitCase)
    return f"""
        SELECT p.id, p.number, p.expiry_date, p.permit_type_id,
            {_name_of(member, "business_name", "p.member_id")},
            {_name_of(worker, "full_name", "p.worker_id")}
        FROM {permit} p
        WHERE {_expired_sql_condition(case)}
        ORDER BY p.expiry_date DESC, p.id
        LIMIT %s
    """  # noqa: S608 (table names from the models, values are parameters)


def staff_expired_rows(*, today=None, limit=STAFF_LIST_LIMIT, types=None) -> list[dict]:
    """The dashboard's first `limit` permits of staff_list("expired") as rows (one query, and
    one for the permit types unless `types` are given)."""
    today = _today(today)
    types = _types_by_id(types)
    with connection.cursor() as cursor:
        cursor.execute(_staff_expired_sql(), [*_expired_sql_params(today), limit])
        rows = cursor.fetchall()
    return [
        {
            "id": pk,
            "number": number,
            "type_name": types[type_id]["name"],
            "business_name": business,
            "worker_name": worker or "",
            "expiry_date": expiry,
            "state": PermitState.EXPIRED,
        }
        for pk, number, expiry, type_id, business, worker in rows
    ]


@functools.cache
def _staff_expired_cards_sql() -> str:
    """The first members of _expired_cards_members in one statement: the members of the
    5 × limit latest expired cards of workers still working for them (a walk back along the
    index on the expiry date), each with how many of its cards have expired
    (_expired_card_count)."""
    permit, permit_type, member, worker, case = _tables(Permit, PermitType, Member, Worker, PermitCase)
    card_type = f"(SELECT ct.id FROM {permit_type} ct WHERE ct.code = %s)"  # noqa: S608 (table name from the model)
    return f"""
        SELECT latest.member_id, {_name_of(member, "business_name", "latest.member_id")}, latest.cards,
            (SELECT COUNT(*) FROM {permit} q
             WHERE q.member_id = latest.member_id AND q.permit_type_id = {card_type}
                AND q.replaced_by_id IS NULL AND q.expiry_date < %s)
        FROM (
            SELECT chunk.member_id, MAX(chunk.expiry_date) AS last_expired, COUNT(*) AS cards
            FROM (
                SELECT p.member_id, p.expiry_date
                FROM {permit} p
                WHERE p.permit_type_id = {card_type} AND {_expired_sql_condition(case)}
                    AND (SELECT w.is_active FROM {worker} w WHERE w.id = p.worker_id) = %s
                ORDER BY p.expiry_date DESC, p.member_id
                LIMIT %s
            ) chunk
            GROUP BY chunk.member_id
        ) latest
        ORDER BY latest.last_expired DESC, latest.member_id
        LIMIT %s
    """  # noqa: S608 (table names from the models, values are parameters)


def staff_expired_cards_rows(*, today=None, limit=STAFF_LIST_LIMIT) -> list[dict]:
    """The dashboard's first `limit` members of staff_list("expired-cards") as rows: one query,
    found among the members of the 5 × `limit` latest expired cards; when there are that many
    cards and they belong to fewer members than `limit`, the whole list is read instead
    (through the ORM: the permit types and the list, two more)."""
    today = _today(today)
    chunk = 5 * limit
    day = _date(today)
    params = [HEALTH_CARD, day, HEALTH_CARD, *_expired_sql_params(today), True, chunk, limit]
    with connection.cursor() as cursor:
        cursor.execute(_staff_expired_cards_sql(), params)
        rows = cursor.fetchall()
    if len(rows) < limit and sum(row[2] for row in rows) == chunk:
        types = list(PermitType.objects.all())
        return [_card_member_row(m) for m in _expired_cards_members(today=today, types=types)[:limit]]
    return [{"id": pk, "business_name": name, "expired_cards": count} for pk, name, _cards, count in rows]


@functools.cache
def _staff_home_without_sql() -> str:
    permit, permit_type, member = _tables(Permit, PermitType, Member)
    return f"""
        SELECT m.id, m.business_name, m.county
        FROM {member} m
        WHERE m.kind = %s AND m.status = %s AND NOT EXISTS (
            SELECT 1 FROM {permit} p
            WHERE p.member_id = m.id AND p.replaced_by_id IS NULL
                AND p.permit_type_id = (SELECT ht.id FROM {permit_type} ht WHERE ht.code = %s)
                AND (p.expiry_date IS NULL OR p.expiry_date >= %s))
        ORDER BY m.business_name, m.id
        LIMIT %s
    """  # noqa: S608 (table names from the models, values are parameters)


def staff_home_without_rows(*, today=None, limit=STAFF_LIST_LIMIT) -> list[dict]:
    """The dashboard's first `limit` members of staff_list("home-without") as rows (one query)."""
    today = _today(today)
    params = [Member.Kind.HOME, Member.Status.ACTIVE, HOME_BUSINESS, _date(today), limit]
    with connection.cursor() as cursor:
        cursor.execute(_staff_home_without_sql(), params)
        rows = cursor.fetchall()
    counties = dict(Member._meta.get_field("county").flatchoices)
    return [{"id": pk, "business_name": name, "county": str(counties.get(county, county))} for pk, name, county in rows]


@functools.cache
def _staff_stale_sql() -> str:
    case, member, worker, product = _tables(PermitCase, Member, Worker, Product)
    return f"""
        SELECT k.id, k.step, k.created_at, k.updated_at, k.permit_type_id,
            {_name_of(member, "business_name", "k.member_id")},
            {_name_of(worker, "full_name", "k.worker_id")},
            {_name_of(product, "name_fa", "k.product_id")},
            {_name_of(product, "name_en", "k.product_id")}
        FROM {case} k
        WHERE k.step IN ({placeholders(len(OPEN_STEPS))})
        ORDER BY k.updated_at, k.id
        LIMIT %s
    """  # noqa: S608 (table names from the models, values are parameters)


def staff_stale_rows(*, now=None, limit=STAFF_LIST_LIMIT, types=None) -> list[dict]:
    """The dashboard's first `limit` cases of staff_list("stale") as rows (one query, and one
    for the permit types unless `types` are given)."""
    now = now or timezone.now()
    types = _types_by_id(types)
    with connection.cursor() as cursor:
        cursor.execute(_staff_stale_sql(), [*OPEN_STEPS, limit])
        rows = cursor.fetchall()
    listed = []
    for pk, step, created, updated, type_id, business, worker, product_fa, product_en in rows:
        if worker is not None:
            subject = worker
        elif product_fa is not None:
            subject = product_name(product_fa, product_en)
        else:
            subject = business
        listed.append(
            {
                "id": pk,
                "business_name": business,
                "type_name": types[type_id]["name"],
                "subject": subject,
                "step_label": str(CaseStepKind(step).label),
                "age_days": (now - aware_datetime(created)).days,
                "idle_days": (now - aware_datetime(updated)).days,
            }
        )
    return listed


@functools.cache
def _staff_overdue_sql(shape: tuple[int, ...]) -> str:
    """The longest-late cases of each step and legal response time: for each (step, days)
    group (`shape` holds how many issuers each has), the cases at that step, of a permit type
    of one of those issuers, that entered it before the start of the day `today - days`, the
    earliest first, cut to the limit (a walk along the index on step and step_changed_at);
    merged in Python by due date (within a group, the order of entering is the order of due
    dates)."""
    case, permit_type, member, step, escalation = _tables(PermitCase, PermitType, Member, CaseStep, CaseEscalation)
    groups = []
    for index, issuers in enumerate(shape):
        groups.append(
            f"""SELECT * FROM (
                SELECT k.id, k.step, k.step_changed_at, k.member_id, k.permit_type_id
                FROM {case} k JOIN {permit_type} gt ON gt.id = k.permit_type_id
                WHERE k.step = %s AND k.step_changed_at < %s AND gt.issuer IN ({placeholders(issuers)})
                ORDER BY k.step_changed_at, k.id
                LIMIT %s
            ) g{index}"""  # noqa: S608 (table names from the models, values are parameters)
        )
    late = " UNION ALL ".join(groups)
    return f"""
        SELECT late.id, late.step, late.step_changed_at, late.permit_type_id,
            {_name_of(member, "business_name", "late.member_id")},
            (SELECT e.escalated_at FROM {escalation} e
             WHERE e.case_id = late.id
                AND (SELECT s.left_at FROM {step} s WHERE s.id = e.case_step_id) IS NULL
             LIMIT 1)
        FROM ({late}) late
    """  # noqa: S608 (table names from the models, values are parameters)


@functools.cache
def _step_deadlines_sql() -> str:
    return f"SELECT issuer, step, days FROM {StepDeadline._meta.db_table}"  # noqa: S608 (table name from the model)


def staff_overdue_rows(*, today=None, limit=STAFF_LIST_LIMIT, types=None) -> list[dict]:
    """The dashboard's first `limit` cases of staff_list("overdue") as rows, the longest late
    first (then the earliest to enter its step, then by id): the legal response times, then
    one statement (and the permit types first unless `types` are given)."""
    today = _today(today)
    types = _types_by_id(types)
    with connection.cursor() as cursor:
        cursor.execute(_step_deadlines_sql())
        deadlines = {(issuer, step): days for issuer, step, days in cursor.fetchall()}
        by_step = defaultdict(list)
        for (issuer, step), days in sorted(deadlines.items()):
            by_step[(step, days)].append(issuer)
        groups = sorted(by_step.items())
        if not groups:
            return []
        params = []
        for (step, days), issuers in groups:
            start = timezone.make_aware(
                datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time.min)
            )
            # As the ORM sends it: SQLite compares the naive UTC text it stores.
            params += [step, connection.ops.adapt_datetimefield_value(start), *issuers, limit]
        cursor.execute(_staff_overdue_sql(tuple(len(issuers) for _key, issuers in groups)), params)
        rows = cursor.fetchall()
    tz = timezone.get_current_timezone()
    late = []
    for row in rows:
        entered = aware_datetime(row[2])
        days = deadlines[(types[row[3]]["issuer"], row[1])]
        late.append((due_on(entered, days, tz=tz), entered, row[0], days, row))
    late.sort(key=lambda item: item[:3])
    issuers = dict(_issuer_choices())
    listed = []
    for due, _entered, pk, days, (_pk, step, _at, type_id, business, escalated) in late[:limit]:
        permit_type = types[type_id]
        listed.append(
            {
                "id": pk,
                "business_name": business,
                "type_name": permit_type["name"],
                "issuer_label": str(issuers.get(permit_type["issuer"], permit_type["issuer"])),
                "step_label": str(CaseStepKind(step).label),
                "days_allowed": days,
                "due_on": due,
                "delay_days": (today - due).days,
                "escalated_at": aware_datetime(escalated),
            }
        )
    return listed


def staff_dashboard_figures(*, today=None) -> dict:
    """The staff dashboard's aggregates over whole tables, as JSON-ready data: permits by type
    and state, the expiry windows and months, open cases by step and age, the step medians by
    issuer, the cases past their legal response time (count and median delay) and how many
    rows each of the dashboard's lists holds. About 15 queries and ≈ 150 ms on the scale-100
    data: computed by the summary's task (permits.summary), not in a request."""
    today = _today(today)
    now = timezone.now()
    types = list(PermitType.objects.all())
    state = permit_state_expression(today=today, types=types)

    by_type = defaultdict(dict)
    for row in (
        Permit.objects.annotate(state=state).values("permit_type_id", "state").annotate(n=Count("id")).order_by()
    ):
        by_type[str(row["permit_type_id"])][row["state"]] = row["n"]

    windows = Permit.objects.filter(replaced_by__isnull=True).aggregate(
        in_90=Count("id", filter=Q(expiry_date__gte=today, expiry_date__lte=today + datetime.timedelta(days=90))),
        in_30=Count("id", filter=Q(expiry_date__gte=today, expiry_date__lte=today + datetime.timedelta(days=30))),
        in_7=Count("id", filter=Q(expiry_date__gte=today, expiry_date__lte=today + datetime.timedelta(days=7))),
        expired=Count("id", filter=Q(expiry_date__lt=today)),
    )

    open_cases = PermitCase.objects.filter(step__in=OPEN_STEPS)
    by_step_rows = {
        row["step"]: row
        for row in open_cases.values("step")
        .annotate(
            n=Count("id"),
            oldest=Min("created_at"),
            stalest=Min("updated_at"),
            young=Count("id", filter=Q(created_at__gt=now - datetime.timedelta(days=30))),
            middle=Count(
                "id",
                filter=Q(
                    created_at__lte=now - datetime.timedelta(days=30),
                    created_at__gt=now - datetime.timedelta(days=90),
                ),
            ),
            old=Count("id", filter=Q(created_at__lte=now - datetime.timedelta(days=90))),
        )
        .order_by()
    }
    cases_by_step = []
    for step in OPEN_STEPS:
        row = by_step_rows.get(step)
        cases_by_step.append(
            {
                "step": str(step),
                "count": row["n"] if row else 0,
                "oldest_days": (now - row["oldest"]).days if row else None,
                "stalest_days": (now - row["stalest"]).days if row else None,
                # open for under 30 days, 30 to 90 days, over 90 days
                "ages": [row["young"], row["middle"], row["old"]] if row else [0, 0, 0],
            }
        )

    late = _late_current_steps(today=today, deadlines=step_deadlines())
    delays = [row[4] for row in late]
    return {
        "by_type": dict(by_type),
        "windows": windows,
        "expiring_by_month": [list(row) for row in expiring_by_month(today=today)],
        "cases_by_step": cases_by_step,
        "bottlenecks": [{"issuer": row["issuer"], "cells": row["cells"]} for row in bottleneck_table()],
        "overdue": {
            "count": len(late),
            "median_delay_days": statistics.median(delays) if delays else None,
        },
        "list_counts": {
            "expired_cards": _expired_cards_members(today=today, types=types).count(),
            "home_without": _home_without_permit(today=today, types=types).count(),
            "stale": sum(row["count"] for row in cases_by_step),
        },
    }


def staff_dashboard(*, today=None, summary=None, list_limit=STAFF_LIST_LIMIT) -> dict:
    """What /permits/dashboard/ shows: the aggregates from the stored summary (`summary`, a
    StaffDashboardSummary; by default permits.summary.current(), which computes one when none
    is stored for the day) and the first `list_limit` rows of each list, read live as plain
    rows (one statement each, on an index and a limit whatever the tables hold; the overdue
    list reads the legal response times first). Each list says how many rows it has in all
    (`list_counts`, from the summary) and links to its whole list (permits:dashboard_list)."""
    today = _today(today)
    if summary is None:
        from .summary import current

        summary = current(today=today)
    figures = summary.figures

    types = staff_permit_types()
    by_type = []
    for permit_type in types:
        counts = figures["by_type"].get(str(permit_type["id"]), {})
        by_type.append(
            {
                "type": permit_type,
                "states": [counts.get(s, 0) for s in PermitState.values],
                "total": sum(counts.values()),
            }
        )
    state_totals = [sum(row["states"][i] for row in by_type) for i in range(len(PermitState.values))]
    cases_by_step = [{**row, "label": CaseStepKind(row["step"]).label} for row in figures["cases_by_step"]]
    labels = dict(_issuer_choices())
    bottlenecks = [{**row, "label": labels.get(row["issuer"], row["issuer"])} for row in figures["bottlenecks"]]
    overdue = {**figures["overdue"], "cases": staff_overdue_rows(today=today, limit=list_limit, types=types)}
    list_counts = {
        **figures["list_counts"],
        "expiring": figures["windows"]["in_30"],
        "expired": state_totals[PermitState.values.index(PermitState.EXPIRED)],
        "overdue": overdue["count"],
    }
    return {
        "today": today,
        "as_of": summary.computed_at,
        "figures_for": summary.computed_for,
        "expiring_by_month": [tuple(row) for row in figures["expiring_by_month"]],
        "states": PermitState.choices,
        "by_type": by_type,
        "state_totals": state_totals,
        "windows": figures["windows"],
        "expiring": staff_expiring_rows(today=today, limit=list_limit, types=types),
        "expired": staff_expired_rows(today=today, limit=list_limit, types=types),
        "members_expired_cards": staff_expired_cards_rows(today=today, limit=list_limit),
        "cases_by_step": cases_by_step,
        "stale_cases": staff_stale_rows(limit=list_limit, types=types),
        "home_without_count": figures["list_counts"]["home_without"],
        "home_without": staff_home_without_rows(today=today, limit=list_limit),
        "bottlenecks": bottlenecks,
        "overdue": overdue,
        "list_counts": list_counts,
        "list_limit": list_limit,
    }


def _issuer_choices():
    from .models import Issuer

    return Issuer.choices


def staff_list(kind: str, *, today=None):
    """One of the dashboard's lists in full, as a queryset in the dashboard's order (the view
    pages through it): permits, members or cases. None for an unknown list."""
    today = _today(today)
    if kind == "expiring":
        return _expiring_permits(today=today)
    if kind == "expired":
        return _expired_permits(today=today)
    if kind in ("expired-cards", "home-without"):
        types = list(PermitType.objects.all())
        if kind == "home-without":
            return _home_without_permit(today=today, types=types).only("business_name", "county")
        return _expired_cards_members(today=today, types=types)
    if kind == "stale":
        return _stale_cases()
    if kind == "overdue":
        return overdue_ids(today=today)
    return None


def staff_list_rows(kind: str, rows, *, today=None, now=None) -> list[dict]:
    """A page of staff_list(kind) as the rows the lists show (the dicts the dashboard's
    statements give): the permits' states, the cases' ages, the overdue cases' due dates and
    delays worked out in Python."""
    today = _today(today)
    if kind in ("expiring", "expired"):
        return [_permit_row(p) for p in _with_states(list(rows), today=today, expired=kind == "expired")]
    if kind == "expired-cards":
        return [_card_member_row(member) for member in rows]
    if kind == "home-without":
        return [_home_row(member) for member in rows]
    if kind == "stale":
        return [_stale_row(case) for case in _with_case_ages(list(rows), now=now or timezone.now())]
    if kind == "overdue":
        return [_overdue_row(case) for case in overdue_rows(rows, today=today)]
    return list(rows)


EXPIRY_MONTHS = 12


def expiring_by_month(*, today=None, months=EXPIRY_MONTHS) -> list[tuple[int, int, int]]:
    """How many permits in force (not replaced) expire in each Jalali month from this one on
    (from today): [(year, month, n)], `months` of them, in one query whatever the permits."""
    today = _today(today)
    year, month = jalali_month_of(today)
    keys = []
    for _i in range(months):
        keys.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    end = jalali_month_range(*keys[-1])[1]
    counts = defaultdict(int)
    for row in (
        Permit.objects.filter(replaced_by__isnull=True, expiry_date__gte=today, expiry_date__lte=end)
        .values("expiry_date")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[jalali_month_of(row["expiry_date"])] += row["n"]
    return [(y, m, counts[(y, m)]) for y, m in keys]


STAFF_DASHBOARD_CACHE_SECONDS = 120
# Saving or deleting a row of these renews the cached staff dashboard at once.
STAFF_DASHBOARD_MODELS = ("Permit", "PermitCase", "CaseStep", "PermitType", "Worker", "CaseEscalation", "StepDeadline")
STAFF_DASHBOARD_TABLES = (*(f"permits.{name.lower()}" for name in STAFF_DASHBOARD_MODELS), "members.member")


def staff_dashboard_cache_key(*, today=None, token=None) -> str:
    """The staff dashboard is the same for every estates staff member (nothing in it depends on
    who asks), so permits.views.dashboard keeps it rendered in the shared cache for
    STAFF_DASHBOARD_CACHE_SECONDS under this key: per day and language, renewed at once when a
    permit, case, step, permit type, worker or member is saved or deleted. The lists stay
    live: at most that old (for changes made with QuerySet.update()), and a new day starts a
    new entry. `token` is the tables' version when the caller has read it already."""
    from django.utils.translation import get_language

    today = _today(today)
    token = token or tables_token(*STAFF_DASHBOARD_TABLES)
    return f"permits:staff-dashboard:{today.isoformat()}:{get_language()}:{token}"


def bottleneck_table() -> list[dict]:
    """Median days a case spends in each step, by issuer (finished steps only)."""
    from .models import Issuer

    steps = CaseStep.objects.filter(left_at__isnull=False, step__in=OPEN_STEPS)
    medians = {}
    if connection.vendor == "postgresql":
        rows = (
            steps.values("case__permit_type__issuer", "step")
            .annotate(
                median=Median(EpochDays(F("left_at") - F("entered_at"))),
                n=Count("id"),
                longest=Max(EpochDays(F("left_at") - F("entered_at"))),
            )
            .order_by()
        )
        for row in rows:
            medians[(row["case__permit_type__issuer"], row["step"])] = (row["median"], row["n"])
    else:
        durations = defaultdict(list)
        for issuer, step, entered, left in steps.values_list(
            "case__permit_type__issuer", "step", "entered_at", "left_at"
        ).iterator(chunk_size=5000):
            durations[(issuer, step)].append((left - entered).total_seconds() / 86400)
        for key, values in durations.items():
            medians[key] = (statistics.median(values), len(values))
    table = []
    for issuer, label in Issuer.choices:
        cells = []
        for step in OPEN_STEPS:
            median, n = medians.get((issuer, step), (None, 0))
            cells.append({"median": None if median is None else round(float(median), 1), "n": n})
        if any(cell["n"] for cell in cells):
            table.append({"issuer": issuer, "label": label, "cells": cells})
    return table


def bottleneck_headers() -> list[str]:
    return [str(CaseStepKind(step).label) for step in OPEN_STEPS]


# -- legal response times and escalations -------------------------------------------------------


def step_deadlines() -> dict:
    """{(issuer, step): days} from the admin's legal response times (one query)."""
    return {(issuer, step): days for issuer, step, days in StepDeadline.objects.values_list("issuer", "step", "days")}


def due_on(entered_at, days: int, *, tz=None) -> datetime.date:
    """The last day the issuer may answer: the day the step was entered (in `tz`, by default
    the current time zone) plus its legal days. The case is late from the next day on."""
    return timezone.localtime(entered_at, tz).date() + datetime.timedelta(days=days)


def _late_current_steps(*, today, deadlines):
    """(case_id, step, issuer, due date, days late) of every open case now at an issuer's step
    past its legal response time: one query."""
    if not deadlines:
        return []
    longest_allowed_start = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=min(deadlines.values())), datetime.time.min)
    )
    rows = PermitCase.objects.filter(
        step__in={step for _issuer, step in deadlines},
        step_changed_at__lt=longest_allowed_start,
    ).values_list("pk", "step", "permit_type__issuer", "step_changed_at")
    late = []
    for case_id, step, issuer, entered_at in rows.iterator(chunk_size=2000):
        days = deadlines.get((issuer, step))
        if days is None:
            continue
        due = due_on(entered_at, days)
        if today > due:
            late.append((case_id, step, issuer, due, (today - due).days))
    return late


def _deadline_groups(deadlines, types) -> list:
    """[(step, days, permit type ids)]: the legal response times by the permit types whose
    issuer they apply to, one group per step and number of days (so the cases are filtered
    without joining their types, in as few predicates as there are distinct times)."""
    issuers = defaultdict(list)
    for permit_type in types:
        issuers[permit_type.issuer].append(permit_type.pk)
    groups = defaultdict(list)
    for (issuer, step), days in deadlines.items():
        groups[(step, days)].extend(issuers.get(issuer, []))
    return [(step, days, sorted(ids)) for (step, days), ids in sorted(groups.items()) if ids]


def overdue_ids(*, today=None, deadlines=None, types=None):
    """The ids of the open cases past their issuer's legal response time, the longest late
    first (the earliest due date, then the first to enter its step, then by id: the order the
    dashboard's statement can keep, staff_overdue_rows): the same test as _late_current_steps (late from
    the day after `due_on`, i.e. the step entered before the start of the day `today - days`),
    as predicates on the step, the permit type and when the case entered its step, ordered in
    the database."""
    today = _today(today)
    deadlines = step_deadlines() if deadlines is None else deadlines
    types = list(PermitType.objects.all()) if types is None else types
    groups = _deadline_groups(deadlines, types)
    if not groups:
        return PermitCase.objects.none().values_list("pk", flat=True)
    condition = Q(pk__in=[])
    allowed = []
    for step, days, type_ids in groups:
        start = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time.min))
        condition |= Q(step=step, permit_type_id__in=type_ids, step_changed_at__lt=start)
        allowed.append(When(step=step, permit_type_id__in=type_ids, then=Value(datetime.timedelta(days=days))))
    return (
        PermitCase.objects.filter(condition)
        .annotate(due_key=TruncDate("step_changed_at") + Case(*allowed, output_field=DurationField()))
        .order_by("due_key", "step_changed_at", "id")
        .values_list("pk", flat=True)
    )


_LISTED_CASE_FIELDS = (
    "member",
    "permit_type",
    "worker",
    "product",
    "step",
    "created_at",
    "updated_at",
    "step_changed_at",
    "member__business_name",
    "permit_type__name_fa",
    "permit_type__name_en",
    "permit_type__issuer",
    "worker__full_name",
    "product__name_fa",
    "product__name_en",
)


def overdue_rows(ids, *, today=None, deadlines=None) -> list:
    """The cases `ids` (a list or a sliced overdue_ids) with what the dashboard shows of each:
    `due_on`, `delay_days`, `days_allowed` and `escalated_at` (the current step's escalation),
    the longest late first; one query."""
    today = _today(today)
    deadlines = step_deadlines() if deadlines is None else deadlines
    escalated = CaseEscalation.objects.filter(case_id=OuterRef("pk"), case_step__left_at__isnull=True).values(
        "escalated_at"
    )[:1]
    cases = list(
        PermitCase.objects.filter(pk__in=list(ids))
        .select_related("member", "permit_type", "worker", "product")
        .only(*_LISTED_CASE_FIELDS)
        .annotate(escalated_at=Subquery(escalated))
    )
    for case in cases:
        case.days_allowed = deadlines[(case.permit_type.issuer, case.step)]
        case.due_on = due_on(case.step_changed_at, case.days_allowed)
        case.delay_days = (today - case.due_on).days
    cases.sort(key=lambda c: (-c.delay_days, c.step_changed_at, c.pk))
    return cases


def overdue_cases(*, today=None, limit=50, figures=None, types=None) -> dict:
    """Open cases past their issuer's legal response time, for the staff dashboard: how many,
    the median delay in days and the longest-late `limit` cases (each with `due_on`,
    `delay_days`, `days_allowed` and `escalated_at`). The list is read in one query (with the
    legal response times and the permit types, three); the count and median come from
    `figures` (the stored summary's {"count", "median_delay_days"}) or, without them, from
    every late case (one query more)."""
    today = _today(today)
    deadlines = step_deadlines()
    ids = list(overdue_ids(today=today, deadlines=deadlines, types=types)[:limit])
    listed = overdue_rows(ids, today=today, deadlines=deadlines)
    if figures is None:
        delays = [row[4] for row in _late_current_steps(today=today, deadlines=deadlines)]
        figures = {"count": len(delays), "median_delay_days": statistics.median(delays) if delays else None}
    return {"count": figures["count"], "median_delay_days": figures["median_delay_days"], "cases": listed}


def response_delays(*, as_of=None) -> dict:
    """For the indicators: how many cases were at an issuer's step past its legal response time
    at the end of day `as_of` (today by default), and their median delay in days, overall and
    per issuer. Computed from the kept step history, so a past date gives the same answer after
    new data arrives (as long as the legal response times are not edited). Two queries."""
    from .models import Issuer

    as_of = _today(as_of)
    deadlines = step_deadlines()
    if not deadlines:
        return {"as_of": as_of, "count": 0, "median_delay_days": None, "by_issuer": []}
    day_end = timezone.make_aware(datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min))
    latest_entry = day_end - datetime.timedelta(days=min(deadlines.values()) + 1)
    rows = (
        CaseStep.objects.filter(step__in={step for _issuer, step in deadlines}, entered_at__lt=latest_entry)
        .filter(Q(left_at__isnull=True) | Q(left_at__gte=day_end))
        .values_list("step", "case__permit_type__issuer", "entered_at")
    )
    delays = defaultdict(list)
    for step, issuer, entered_at in rows.iterator(chunk_size=2000):
        days = deadlines.get((issuer, step))
        if days is None:
            continue
        due = due_on(entered_at, days)
        if as_of > due:
            delays[issuer].append((as_of - due).days)
    every = [d for values in delays.values() for d in values]
    return {
        "as_of": as_of,
        "count": len(every),
        "median_delay_days": statistics.median(every) if every else None,
        "by_issuer": [
            {
                "issuer": issuer,
                "label": label,
                "count": len(delays[issuer]),
                "median_delay_days": statistics.median(delays[issuer]),
            }
            for issuer, label in Issuer.choices
            if delays.get(issuer)
        ],
    }
