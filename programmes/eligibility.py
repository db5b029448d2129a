"""Whether a member qualifies for a call, and if not, exactly why and what to do.

The member's facts are read once (a fixed number of queries: `member_facts`), then every
call's rules are evaluated in Python (`evaluate`), so a page of N calls costs the same as one.

What each rule reads (all live data, never another member's):
- membership_months: the member is active and its membership began at least N months ago
  (the first time it became active, from the status history; the application date for
  members recorded as active from the start).
- health_licence: a permit of one of the chosen types, held by the business (not a worker),
  not replaced, with no expiry date or one that is today or later.
- price_reports: of the last 6 finished price rounds (closed or published), the rounds in
  which the member has a current submission that was not rejected (its own submissions only).
- member_kind / county: the member's kind and county as recorded today.
- no_overdue: no permit held by the business (business or per-product licences, not workers'
  cards) has expired without having been replaced or having a renewal case open, unless
  another permit of the same type is valid. That is the obligation the data records; a price
  round missed is the price-report rule's business.
Every rule also needs an active membership."""

import datetime
import functools
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.jalali import format_date
from core.persian import digits_to_persian
from core.statements import aware_datetime, placeholders
from members.models import County, Member, MemberStatusChange
from permits.models import OPEN_STEPS, Permit, PermitCase, add_months
from pricing.models import PriceRound, PriceSubmission

from .models import RuleKind

ROUNDS_LOOKED_AT = 6


def _n(value) -> str:
    return digits_to_persian(value) if (get_language() or "fa").startswith("fa") else str(value)


def _type_name(name_fa: str, name_en: str) -> str:
    if (get_language() or "fa").startswith("en") and name_en:
        return name_en
    return name_fa


def months_between(start: datetime.date, end: datetime.date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


@dataclass
class PermitFact:
    type_id: int
    name_fa: str
    name_en: str
    number: str
    expiry_date: datetime.date | None
    renewal_open: bool

    @property
    def name(self) -> str:
        return _type_name(self.name_fa, self.name_en)


@dataclass
class MemberFacts:
    """What the rules need to know about one member, read once."""

    member_id: int
    kind: str
    county: str
    status: str
    active_since: datetime.date | None
    today: datetime.date
    permits: list[PermitFact] = field(default_factory=list)
    rounds: list[tuple[str, bool]] = field(default_factory=list)  # (label, reported), newest first
    # The count alone, when the rounds themselves were not read (`member_facts_brief`).
    rounds_reported: int | None = None

    @property
    def is_active(self) -> bool:
        return self.status == Member.Status.ACTIVE

    @property
    def membership_months(self) -> int:
        if not self.is_active or self.active_since is None:
            return 0
        return months_between(self.active_since, self.today)

    def valid_permits(self, type_ids) -> list[PermitFact]:
        return [
            p for p in self.permits if p.type_id in type_ids and (p.expiry_date is None or p.expiry_date >= self.today)
        ]

    def expired_permits(self, type_ids) -> list[PermitFact]:
        return sorted(
            (p for p in self.permits if p.type_id in type_ids and p.expiry_date and p.expiry_date < self.today),
            key=lambda p: p.expiry_date,
            reverse=True,
        )

    @property
    def overdue_permits(self) -> list[PermitFact]:
        valid_types = {p.type_id for p in self.permits if p.expiry_date is None or p.expiry_date >= self.today}
        return [
            p
            for p in self.permits
            if p.expiry_date and p.expiry_date < self.today and not p.renewal_open and p.type_id not in valid_types
        ]

    @property
    def reported_rounds(self) -> int:
        if self.rounds_reported is not None:
            return self.rounds_reported
        return sum(1 for _label, reported in self.rounds if reported)


def _active_since(first_active, member: Member) -> datetime.date | None:
    """The day membership began: the first time the member became active, else (recorded
    active from the start) the day it was created."""
    since = first_active or member.created_at
    return timezone.localtime(since).date() if since else None


def member_facts(member: Member, *, today: datetime.date | None = None) -> MemberFacts:
    """Three queries, whatever the number of calls the facts are then checked against."""
    today = today or timezone.localdate()
    first_active = (
        MemberStatusChange.objects.filter(member=member, to_status=Member.Status.ACTIVE)
        .order_by("created_at", "id")
        .values_list("created_at", flat=True)
        .first()
    )
    active_since = _active_since(first_active, member)
    renewal_open = Exists(PermitCase.objects.filter(renewal_of=OuterRef("pk"), step__in=OPEN_STEPS))
    permits = [
        PermitFact(
            type_id=row["permit_type_id"],
            name_fa=row["permit_type__name_fa"],
            name_en=row["permit_type__name_en"],
            number=row["number"],
            expiry_date=row["expiry_date"],
            renewal_open=row["renewal_open"],
        )
        for row in Permit.objects.filter(member=member, worker__isnull=True, replaced_by__isnull=True)
        .annotate(renewal_open=renewal_open)
        .values(
            "permit_type_id", "permit_type__name_fa", "permit_type__name_en", "number", "expiry_date", "renewal_open"
        )
        .order_by("expiry_date", "id")
    ]
    reported = Exists(
        PriceSubmission.objects.filter(price_round=OuterRef("pk"), member=member, is_current=True).exclude(
            status=PriceSubmission.Status.REJECTED
        )
    )
    rounds = [
        (price_round.label, price_round.reported)
        for price_round in PriceRound.objects.filter(status__in=[PriceRound.Status.CLOSED, PriceRound.Status.PUBLISHED])
        .annotate(reported=reported)
        .order_by("-year", "-month")[:ROUNDS_LOOKED_AT]
    ]
    return _facts_of(member, today=today, active_since=active_since, permits=permits, rounds=rounds)


def _facts_of(member: Member, *, today, active_since, **read) -> MemberFacts:
    """The facts with the member's own kind, county and status and what was `read` of the rest."""
    return MemberFacts(
        member_id=member.pk,
        kind=member.kind,
        county=member.county,
        status=member.status,
        active_since=active_since,
        today=today,
        **read,
    )


FACT_RULES = (RuleKind.MEMBERSHIP_MONTHS, RuleKind.HEALTH_LICENCE, RuleKind.PRICE_REPORTS, RuleKind.NO_OVERDUE)


@functools.cache
def _facts_sql() -> str:
    """The reads of `member_facts` in one statement, one row per permit of the business (or one
    row with none): the first time the member became active, how many of the last 6 finished
    rounds it reported in, and each permit's type, expiry and whether a renewal case is open."""
    member, change, price_round, submission, permit, case = (
        model._meta.db_table for model in (Member, MemberStatusChange, PriceRound, PriceSubmission, Permit, PermitCase)
    )
    steps = placeholders(len(OPEN_STEPS))
    return f"""
        SELECT
            (SELECT MIN(s.created_at) FROM {change} s WHERE s.member_id = %s AND s.to_status = %s),
            (SELECT COUNT(*) FROM (
                SELECT r.id FROM {price_round} r WHERE r.status IN (%s, %s)
                ORDER BY r.year DESC, r.month DESC LIMIT {ROUNDS_LOOKED_AT}
            ) last_rounds WHERE EXISTS (
                SELECT 1 FROM {submission} x
                WHERE x.price_round_id = last_rounds.id AND x.member_id = %s AND x.is_current AND x.status <> %s
            )),
            p.permit_type_id, p.expiry_date,
            EXISTS (SELECT 1 FROM {case} k WHERE k.renewal_of_id = p.id AND k.step IN ({steps}))
        FROM {member} m
        LEFT JOIN {permit} p ON p.member_id = m.id AND p.worker_id IS NULL AND p.replaced_by_id IS NULL
        WHERE m.id = %s
    """  # noqa: S608 (table names from the models, values are parameters)


def member_facts_brief(member: Member, *, today: datetime.date | None = None, read=True) -> MemberFacts:
    """The facts `rule_passes` reads, as `member_facts` finds them, in one query: the permits
    without their names and numbers and the rounds as a count (`rounds_reported`). For
    `qualifies` only: the pages' reasons need `member_facts`. With `read=False` no query: only
    the member's own kind, county and status (enough for rules in none of FACT_RULES)."""
    today = today or timezone.localdate()
    if not read:
        return _facts_of(member, today=today, active_since=None, rounds_reported=0)
    params = [
        member.pk,
        Member.Status.ACTIVE,
        PriceRound.Status.CLOSED,
        PriceRound.Status.PUBLISHED,
        member.pk,
        PriceSubmission.Status.REJECTED,
        *OPEN_STEPS,
        member.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_facts_sql(), params)
        rows = cursor.fetchall()
    first_active, reported = (aware_datetime(rows[0][0]), rows[0][1]) if rows else (None, 0)
    return _facts_of(
        member,
        today=today,
        active_since=_active_since(first_active, member),
        permits=[
            PermitFact(
                type_id=type_id, name_fa="", name_en="", number="", expiry_date=expiry, renewal_open=bool(renewal)
            )
            for _first, _reported, type_id, expiry, renewal in rows
            if type_id is not None
        ],
        rounds_reported=reported,
    )


@dataclass
class RuleResult:
    kind: str
    label: str
    passed: bool
    reason: str = ""  # why not (empty when passed)
    fix: str = ""  # what to do about it ("" when nothing can be done)
    fix_url: str = ""
    fix_label: str = ""


@dataclass
class Eligibility:
    results: list[RuleResult]

    @property
    def qualifies(self) -> bool:
        return all(result.passed for result in self.results)

    @property
    def failing(self) -> list[RuleResult]:
        return [result for result in self.results if not result.passed]

    def reasons(self) -> list[str]:
        return [result.reason for result in self.failing]


def _list(names) -> str:
    return ("، " if (get_language() or "fa").startswith("fa") else ", ").join(str(name) for name in names)


def rule_label(rule) -> str:
    if rule.kind == RuleKind.MEMBERSHIP_MONTHS:
        return _("Active member for at least %(n)s months") % {"n": _n(rule.number)}
    if rule.kind == RuleKind.HEALTH_LICENCE:
        return _("A valid %(types)s") % {"types": _list(_type_names(rule))}
    if rule.kind == RuleKind.PRICE_REPORTS:
        return _("Prices reported in at least %(k)s of the last %(n)s price rounds") % {
            "k": _n(rule.number),
            "n": _n(ROUNDS_LOOKED_AT),
        }
    if rule.kind == RuleKind.MEMBER_KIND:
        return _("%(kind)s members") % {"kind": Member.Kind(rule.member_kind).label}
    if rule.kind == RuleKind.COUNTY:
        return _("Members in %(counties)s") % {"counties": _county_names(rule.counties)}
    return _("No overdue obligations (no expired permit of the business left without renewal)")


def _type_names(rule) -> list[str]:
    return [_type_name(t.name_fa, t.name_en) for t in rule.permit_types.all()] or [_("health licence")]


def _county_names(codes) -> str:
    return _list([str(County(code).label) for code in codes if code in County.values])


def rule_passes(kind, facts: MemberFacts, *, number=None, member_kind="", counties=(), type_ids=()) -> bool:
    """Whether the member meets one rule (the pages' `evaluate` and the dashboard's count both
    decide by this): `number`, `member_kind`, `counties` as on the rule, `type_ids` its licence
    types' ids."""
    if kind == RuleKind.MEMBERSHIP_MONTHS:
        return facts.membership_months >= number
    if kind == RuleKind.HEALTH_LICENCE:
        return bool(facts.valid_permits(type_ids))
    if kind == RuleKind.PRICE_REPORTS:
        return facts.reported_rounds >= number
    if kind == RuleKind.MEMBER_KIND:
        return facts.kind == member_kind
    if kind == RuleKind.COUNTY:
        return facts.county in counties
    return not facts.overdue_permits


def qualifies(rules, facts: MemberFacts) -> bool:
    """`evaluate(rules, facts).qualifies` without the labels and reasons: `rules` as
    (kind, number, member_kind, counties, type_ids) tuples."""
    return facts.is_active and all(
        rule_passes(kind, facts, number=number, member_kind=member_kind, counties=counties, type_ids=type_ids)
        for kind, number, member_kind, counties, type_ids in rules
    )


def _check(rule, facts: MemberFacts) -> RuleResult:
    label = rule_label(rule)
    kind = rule.kind
    type_ids = {t.pk for t in rule.permit_types.all()} if kind == RuleKind.HEALTH_LICENCE else ()
    passed = rule_passes(
        kind, facts, number=rule.number, member_kind=rule.member_kind, counties=rule.counties, type_ids=type_ids
    )
    if passed:
        return RuleResult(kind, label, True)
    if kind == RuleKind.MEMBERSHIP_MONTHS:
        have = facts.membership_months
        from_date = add_months(facts.active_since, rule.number) if facts.active_since else None
        return RuleResult(
            kind,
            label,
            False,
            reason=_("Your membership is %(have)s months old; this call asks for at least %(need)s.")
            % {"have": _n(have), "need": _n(rule.number)},
            fix=_("Stay an active member: you reach %(need)s months on %(date)s.")
            % {"need": _n(rule.number), "date": format_date(from_date)}
            if from_date and facts.is_active
            else "",
        )
    if kind == RuleKind.HEALTH_LICENCE:
        expired = facts.expired_permits(type_ids)
        if expired:
            reason = _("Your %(type)s (number %(number)s) expired on %(date)s.") % {
                "type": expired[0].name,
                "number": _n(expired[0].number),
                "date": format_date(expired[0].expiry_date),
            }
            fix = _(
                "Renew it: open a renewal case on your permits page; once the renewed licence is recorded you qualify."
            )
        else:
            reason = _("No valid %(types)s is recorded for your business.") % {"types": _list(_type_names(rule))}
            fix = _("Apply for it on your permits page; once the licence is recorded you qualify.")
        return RuleResult(
            kind, label, False, reason=reason, fix=fix, fix_url=reverse("permits:home"), fix_label=_("My permits")
        )
    if kind == RuleKind.PRICE_REPORTS:
        have, total = facts.reported_rounds, len(facts.rounds)
        return RuleResult(
            kind,
            label,
            False,
            reason=_(
                "You reported prices in %(have)s of the last %(total)s finished price rounds; this call asks for at least %(need)s."
            )
            % {"have": _n(have), "total": _n(total), "need": _n(rule.number)},
            fix=_("Submit your unit prices in every monthly round; each finished round you report in counts."),
            fix_url=reverse("pricing:my_prices"),
            fix_label=_("My prices"),
        )
    if kind == RuleKind.MEMBER_KIND:
        return RuleResult(
            kind,
            label,
            False,
            reason=_("This call is for %(kind)s members only; your business is registered as %(yours)s.")
            % {"kind": Member.Kind(rule.member_kind).label, "yours": Member.Kind(facts.kind).label},
        )
    if kind == RuleKind.COUNTY:
        return RuleResult(
            kind,
            label,
            False,
            reason=_("This call is for members in %(counties)s; your business is in %(county)s.")
            % {"counties": _county_names(rule.counties), "county": County(facts.county).label},
            fix=_("If your business has moved, update the county in your profile."),
            fix_url=reverse("members:edit"),
            fix_label=_("Edit profile"),
        )
    overdue = facts.overdue_permits
    return RuleResult(
        kind,
        label,
        False,
        reason=_("Expired with no renewal recorded: %(permits)s.")
        % {"permits": _list([f"{p.name} ({format_date(p.expiry_date)})" for p in overdue])},
        fix=_("Open a renewal case for each on your permits page (or record the renewed permit)."),
        fix_url=reverse("permits:home"),
        fix_label=_("My permits"),
    )


def evaluate(rules, facts: MemberFacts) -> Eligibility:
    """`rules`: the call's rules with their permit types prefetched (no query here)."""
    results = []
    if not facts.is_active:
        results.append(
            RuleResult(
                "active",
                _("An active membership"),
                False,
                reason=_("Your membership is not active (%(status)s).") % {"status": Member.Status(facts.status).label},
                fix=_("Contact the estates staff about your membership."),
            )
        )
    results.extend(_check(rule, facts) for rule in rules)
    return Eligibility(results)
