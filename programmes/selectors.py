"""Reads, scoped to who asks. A member sees published calls, its own applications and their
documents; estates staff see everything. Published results are counts, never names."""

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from core.statements import json_value
from members.models import County, Member
from members.roles import is_estates_staff, member_of

from .eligibility import FACT_RULES, evaluate, member_facts, member_facts_brief, qualifies
from .models import Application, ApplicationDocument, ApplicationStatusChange, Call, EligibilityRule
from .scoring import with_total_scores

A = Application.Status
SMALL_CELL = 5  # counts under this are shown as "fewer than 5"
LIVE = [A.SUBMITTED, A.UNDER_REVIEW, A.ACCEPTED, A.WAITLISTED, A.REJECTED]


def _calls_with_rules(queryset, *, documents=True):
    rules = Prefetch("rules", queryset=EligibilityRule.objects.prefetch_related("permit_types").order_by("id"))
    return queryset.prefetch_related(rules, *(["documents_required"] if documents else []))


def calls_for_member(*, member, today=None, documents=True) -> list[Call]:
    """Open calls (deadline today or later), soonest deadline first, each with `eligibility`
    and the member's `application` (or None). Eight queries whatever the number of calls (seven
    without the required documents, which the dashboard does not show)."""
    today = today or timezone.localdate()
    calls = list(
        _calls_with_rules(
            Call.objects.filter(status=Call.Status.PUBLISHED, deadline__gte=today), documents=documents
        ).order_by("deadline", "id")
    )
    facts = member_facts(member, today=today)
    mine = {
        a.call_id: a
        for a in Application.objects.filter(member=member, call__in=[c.pk for c in calls]).exclude(status=A.WITHDRAWN)
    }
    for call in calls:
        call.eligibility = evaluate(list(call.rules.all()), facts)
        call.application = mine.get(call.pk)
    return calls


@functools.cache
def _dashboard_calls_sql() -> str:
    """The open calls, soonest deadline first, one row per rule and licence type, with the
    member's application that is not withdrawn (at most one per call)."""
    call, rule, application = (model._meta.db_table for model in (Call, EligibilityRule, Application))
    types = EligibilityRule.permit_types.field
    link, rule_column, type_column = types.m2m_db_table(), types.m2m_column_name(), types.m2m_reverse_name()
    return f"""
        SELECT c.id, c.title, c.deadline, r.id, r.kind, r.number, r.member_kind, r.counties, t.{type_column},
            a.id, a.status
        FROM {call} c
        LEFT JOIN {rule} r ON r.call_id = c.id
        LEFT JOIN {link} t ON t.{rule_column} = r.id
        LEFT JOIN {application} a ON a.call_id = c.id AND a.member_id = %s AND a.status <> %s
        WHERE c.status = %s AND c.deadline >= %s
        ORDER BY c.deadline, c.id, r.id
    """  # noqa: S608 (table and column names from the models, values are parameters)


def dashboard_calls(*, member, today=None, limit=5) -> dict:
    """For the member dashboard, as `calls_for_member` decides them: `qualifying`, up to `limit`
    open calls the member qualifies for and has not applied to (`url`, `title`, `deadline`);
    `not_qualifying`, how many others it has not applied to; `applied`, up to `limit` calls it
    applied to (`url` of the application, `title`, `status`, `status_label`). Two queries (one
    when no open call has a rule on the member's history, permits or price reports)."""
    today = today or timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(
            _dashboard_calls_sql(),
            [member.pk, A.WITHDRAWN, Call.Status.PUBLISHED, connection.ops.adapt_datefield_value(today)],
        )
        rows = cursor.fetchall()
    calls, rules = {}, {}
    for call_id, title, deadline, rule_id, kind, number, member_kind, counties, type_id, app_id, status in rows:
        if call_id not in calls:
            calls[call_id] = {"title": title, "deadline": deadline, "application": app_id, "status": status}
            rules[call_id] = {}
        if rule_id is not None:
            if rule_id not in rules[call_id]:
                rules[call_id][rule_id] = (kind, number, member_kind, json_value(counties), set())
            if type_id is not None:
                rules[call_id][rule_id][4].add(type_id)
    needs_facts = any(rule[0] in FACT_RULES for by_id in rules.values() for rule in by_id.values())
    facts = member_facts_brief(member, today=today, read=needs_facts)
    qualifying, applied, not_qualifying = [], [], 0
    for call_id, call in calls.items():
        if call["application"]:
            if len(applied) < limit:
                applied.append(
                    {
                        "url": reverse("programmes:application", args=[call["application"]]),
                        "title": call["title"],
                        "status": call["status"],
                        "status_label": A(call["status"]).label,
                    }
                )
        elif qualifies(rules[call_id].values(), facts):
            if len(qualifying) < limit:
                qualifying.append(
                    {
                        "url": reverse("programmes:detail", args=[call_id]),
                        "title": call["title"],
                        "deadline": call["deadline"],
                    }
                )
        else:
            not_qualifying += 1
    return {"qualifying": qualifying, "not_qualifying": not_qualifying, "applied": applied}


def calls_qualifying(*, member, today=None, limit=5) -> list[Call]:
    """For the dashboard: open calls the member qualifies for and has not applied to."""
    return [c for c in calls_for_member(member=member, today=today) if c.eligibility.qualifies and not c.application][
        :limit
    ]


def calls_for_staff():
    return list(
        Call.objects.annotate(
            applied=Count("applications", filter=~Q(applications__status=A.WITHDRAWN)),
            accepted=Count("applications", filter=Q(applications__status=A.ACCEPTED)),
            waiting=Count("applications", filter=Q(applications__status__in=[A.SUBMITTED, A.UNDER_REVIEW])),
            flagged=Count(
                "applications",
                filter=Q(applications__status__in=[A.SUBMITTED, A.UNDER_REVIEW, A.WAITLISTED])
                & ~Q(applications__eligibility_lost_reasons=[]),
            ),
        ).order_by("-deadline", "-id")
    )


def call_for_user_or_404(*, user, call_id) -> Call:
    queryset = _calls_with_rules(Call.objects.all())
    if not is_estates_staff(user):
        queryset = queryset.exclude(status=Call.Status.DRAFT)
    call = queryset.filter(pk=call_id).prefetch_related("criteria").first()
    if call is None:
        raise Http404
    return call


def member_applications(*, member):
    return list(Application.objects.filter(member=member).select_related("call").order_by("-submitted_at", "-id"))


def application_for_user_or_404(*, user, application_id) -> Application:
    """The member's own application, or any for estates staff; else 404."""
    queryset = Application.objects.select_related("call", "member")
    if is_estates_staff(user):
        application = queryset.filter(pk=application_id).first()
    else:
        member = member_of(user)
        application = queryset.filter(pk=application_id, member=member).first() if member else None
    if application is None:
        raise Http404
    return application


def document_for_user_or_404(*, user, document_id) -> ApplicationDocument:
    queryset = ApplicationDocument.objects.select_related("application")
    if is_estates_staff(user):
        document = queryset.filter(pk=document_id).first()
    else:
        member = member_of(user)
        active = member is not None and member.is_active_member
        document = queryset.filter(pk=document_id, application__member=member).first() if active else None
    if document is None:
        raise Http404
    return document


def application_detail(*, application) -> dict:
    history = list(application.status_changes.select_related("changed_by").order_by("created_at", "id"))
    documents = list(application.documents.select_related("required").order_by("uploaded_at"))
    with_total_scores([application])
    return {"history": history, "documents": documents}


def review_sheet(*, call) -> list[Application]:
    """Every application of the call (withdrawn last), scored, best total first within each
    status group. Four queries whatever the number of applications."""
    applications = with_total_scores(
        list(
            Application.objects.filter(call=call)
            .select_related("member", "call")
            .annotate(documents_count=Count("documents"))
        )
    )
    order = {A.SUBMITTED: 0, A.UNDER_REVIEW: 0, A.WAITLISTED: 1, A.ACCEPTED: 2, A.REJECTED: 3, A.WITHDRAWN: 4}
    return sorted(
        applications,
        key=lambda a: (
            order[a.status],
            -(a.total_score if a.total_score is not None else -1),
            a.submitted_at,
            a.pk,
        ),
    )


# -- published results (aggregates only) ---------------------------------------------------------


@dataclass
class Cell:
    value: int

    @property
    def suppressed(self) -> bool:
        return 0 < self.value < SMALL_CELL


def _results_table(rows) -> dict:
    """rows: (member kind, county, applied, accepted). One line per kind × county that had
    applicants; a count of 1–4 shows as "fewer than 5"; a total is shown only when it cannot
    give a hidden count away (none hidden, or at least two)."""
    grid = {(kind, county): [0, 0] for kind in Member.Kind.values for county in County.values}
    for kind, county, applied, accepted in rows:
        grid[(kind, county)][0] += applied
        grid[(kind, county)][1] += accepted
    lines = [
        {
            "kind": kind_label,
            "county": county_label,
            "applied": Cell(grid[(kind, county)][0]),
            "accepted": Cell(grid[(kind, county)][1]),
        }
        for kind, kind_label in Member.Kind.choices
        for county, county_label in County.choices
        if grid[(kind, county)][0]
    ]
    totals = []
    for measure in (0, 1):
        values = [v[measure] for v in grid.values()]
        hidden = sum(1 for v in values if 0 < v < SMALL_CELL)
        total = Cell(sum(values))
        totals.append({"cell": total, "shown": hidden != 1 and not total.suppressed})
    return {"lines": lines, "applied": totals[0], "accepted": totals[1]}


def published_results() -> list[dict]:
    """Each call whose results are published, with its kind × county table. Two queries."""
    calls = list(Call.objects.filter(results_published_at__isnull=False).order_by("-results_published_at", "-id"))
    rows = defaultdict(list)
    for row in (
        Application.objects.filter(call__in=calls, status__in=LIVE)
        .values("call_id", "member__kind", "member__county")
        .annotate(applied=Count("id"), accepted=Count("id", filter=Q(status=A.ACCEPTED)))
        .order_by()
    ):
        rows[row["call_id"]].append((row["member__kind"], row["member__county"], row["applied"], row["accepted"]))
    return [{"call": call, "table": _results_table(rows[call.pk])} for call in calls]


# -- counts for the cluster's indicators ---------------------------------------------------------


def _end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def programme_counts(*, as_of: datetime.date, call_kind: str | None = None) -> list[dict]:
    """Applications and acceptances as they stood at the end of `as_of` (Tehran), by call kind,
    member kind and county: `applied` counts applications submitted by then and not withdrawn
    by then; `accepted` those whose status at that moment was "accepted". Read from the status
    history, so a past date gives the same numbers after later changes. Member kind and county
    are the member's current ones. One query."""
    cutoff = _end_of_day(as_of)
    status_then = Subquery(
        ApplicationStatusChange.objects.filter(application=OuterRef("pk"), created_at__lt=cutoff)
        .order_by("-created_at", "-id")
        .values("to_status")[:1]
    )
    queryset = Application.objects.filter(submitted_at__lt=cutoff)
    if call_kind:
        queryset = queryset.filter(call__kind=call_kind)
    rows = (
        queryset.annotate(status_then=status_then)
        .exclude(status_then=A.WITHDRAWN)
        .exclude(status_then__isnull=True)
        .values("call__kind", "member__kind", "member__county")
        .annotate(applied=Count("id"), accepted=Count("id", filter=Q(status_then=A.ACCEPTED)))
        .order_by("call__kind", "member__kind", "member__county")
    )
    return [
        {
            "call_kind": row["call__kind"],
            "member_kind": row["member__kind"],
            "county": row["member__county"],
            "applied": row["applied"],
            "accepted": row["accepted"],
        }
        for row in rows
    ]


def programme_totals(*, as_of: datetime.date, call_kind: str | None = None) -> dict:
    """{"applied": n, "accepted": n} at the end of `as_of` (see programme_counts)."""
    rows = programme_counts(as_of=as_of, call_kind=call_kind)
    return {"applied": sum(r["applied"] for r in rows), "accepted": sum(r["accepted"] for r in rows)}
