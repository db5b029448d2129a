"""The cluster's indicators. Each one is a documented function of live data **as of a date**:
only rows that existed on that date count (created, decided, issued and answered timestamps,
status histories), so the figure for a past quarter comes out the same whenever it is
computed. Where a model keeps no history, the docstring says what that limits; the quarterly
snapshots (services.quarter_store) freeze the published figures in any case.

Competition law: no indicator shows a number that moves with one member's price. Price
reporting is counted (who reported), never priced.

A result is plain JSON, stored as is in a snapshot:
    {"columns": [label, ...],            # the first column heads the row labels
     "rows": [{"label": label, "values": [number | None, ...]}],
     "kinds": ["count" | "percent" | "days", ...],   # one per value column
     "chart": {"column": i, "stacked": false} | None, # which value column is drawn
     "notes": [label, ...]}
where every label is {"fa": "...", "en": "..."} (both languages, fixed when computed)."""

import datetime
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.jalali import jalali_month_label, jalali_month_range
from events.models import Answer, Commitment, CommitmentNote, Organisation, Question, Topic
from members.models import County, Member, MemberStatusChange
from permits.models import CaseStep, CaseStepKind, HolderKind, Issuer, Permit, PermitType
from pricing.models import PriceRound, PriceSubmission
from programmes.models import Application, ApplicationStatusChange, Call
from showcase.models import ScanCount

from .quarters import Quarter, day_end, day_start

LANGUAGES = ("fa", "en")
MIN_CASES_FOR_MEDIAN = 3
MIN_MEMBERS_FOR_SCANS = 5  # a month's scans are shown when at least five members' labels were scanned
# A health licence: a permit held by the business itself (or per product), issued by the
# county health centre or the food & drug office.
HEALTH_LICENCE_ISSUERS = (Issuer.HEALTH_CENTRE, Issuer.FOOD_DRUG)
HEALTH_LICENCE_HOLDERS = (HolderKind.BUSINESS, HolderKind.BUSINESS_PRODUCT)
STATUS_COLUMNS = (
    Member.Status.ACTIVE,
    Member.Status.APPLIED,
    Member.Status.SUSPENDED,
    Member.Status.LAPSED,
    Member.Status.RESIGNED,
)


def both(text) -> dict:
    """A label in both languages, fixed now (a snapshot keeps it)."""
    out = {}
    for language in LANGUAGES:
        with translation.override(language):
            out[language] = str(text() if callable(text) else text)
    return out


def _share(part: int, whole: int):
    return round(100 * part / whole, 1) if whole else None


def _result(columns, rows, kinds, chart=None, notes=()):
    return {
        "columns": [both(c) for c in columns],
        "rows": rows,
        "kinds": list(kinds),
        "chart": chart,
        "notes": [both(n) for n in notes],
    }


def _row(label, values):
    return {"label": label if isinstance(label, dict) else both(label), "values": list(values)}


def member_status_at(at: datetime.datetime):
    """Members who had applied before `at`, each annotated `status_then`: the `to` of its last
    status change before `at`; "applied" when it had none yet; its present status when it has
    no recorded history at all (members entered before histories were kept)."""
    last = MemberStatusChange.objects.filter(member=OuterRef("pk"), created_at__lt=at).order_by("-created_at", "-id")
    any_change = MemberStatusChange.objects.filter(member=OuterRef("pk"))
    return Member.objects.filter(created_at__lt=at).annotate(
        status_then=Coalesce(
            Subquery(last.values("to_status")[:1]),
            Case(
                When(~Exists(any_change), then=F("status")),
                default=Value(Member.Status.APPLIED),
                output_field=CharField(),
            ),
        )
    )


# -- the indicators ---------------------------------------------------------------------------------


def members_by_kind_county_status(quarter: Quarter, as_of: datetime.date) -> dict:
    """Members by county and kind (rows) and status (columns) on the as-of date.

    Counts every member that had applied by the end of the as-of day, in the status it was in
    then (the status history, `member_status_at`). Rejected applications are not members and
    are left out. Limit: kind and county are those recorded today (changing them leaves no
    history); a change would move past figures — the stored snapshots keep the published ones."""
    at = day_end(as_of)
    counts = defaultdict(int)
    for row in member_status_at(at).values("county", "kind", "status_then").annotate(n=Count("id")).order_by():
        counts[(row["county"], row["kind"], row["status_then"])] = row["n"]
    rows = []
    totals = [0] * len(STATUS_COLUMNS)
    for county in County:
        for kind in Member.Kind:
            values = [counts[(county.value, kind.value, status.value)] for status in STATUS_COLUMNS]
            if any(values):
                rows.append(_row(lambda c=county, k=kind: f"{c.label} · {k.label}", values))
                totals = [t + v for t, v in zip(totals, values, strict=True)]
    rows.append(_row(_("All"), totals))
    return _result(
        [_("County · kind"), *[s.label for s in STATUS_COLUMNS]],
        rows,
        ["count"] * len(STATUS_COLUMNS),
        chart={"column": 0, "skip_last": True},
    )


def health_licence_share(quarter: Quarter, as_of: datetime.date) -> dict:
    """Share of the members active on the as-of date that held a health licence in force that
    day, by kind.

    A health licence is a permit held by the business (or per product) and issued by the county
    health centre or the food & drug office. In force on the day: recorded by the end of the
    day, issued on or before it, and not past its expiry date. Replacement is not looked at (a
    replaced licence was in force until its own expiry date, and the question is only whether
    the member held one). Limit: a permit recorded late (after the day) does not count for it."""
    at = day_end(as_of)
    licence = Permit.objects.filter(
        member=OuterRef("pk"),
        created_at__lt=at,
        issue_date__lte=as_of,
        permit_type__issuer__in=HEALTH_LICENCE_ISSUERS,
        permit_type__holder_kind__in=HEALTH_LICENCE_HOLDERS,
    ).filter(Q(expiry_date__isnull=True) | Q(expiry_date__gte=as_of))
    figures = {
        row["kind"]: (row["active"], row["licensed"])
        for row in member_status_at(at)
        .filter(status_then=Member.Status.ACTIVE)
        .annotate(licensed=Exists(licence))
        .values("kind")
        .annotate(active=Count("id"), licensed=Count("id", filter=Q(licensed=True)))
        .order_by()
    }
    rows = []
    total_active = total_licensed = 0
    for kind in Member.Kind:
        active, licensed = figures.get(kind.value, (0, 0))
        total_active += active
        total_licensed += licensed
        rows.append(_row(kind.label, [active, licensed, _share(licensed, active)]))
    rows.append(_row(_("All"), [total_active, total_licensed, _share(total_licensed, total_active)]))
    return _result(
        [_("Kind"), _("Active members"), _("With a valid health licence"), _("Share")],
        rows,
        ["count", "count", "percent"],
        chart={"column": 2},
    )


def licence_median_days(quarter: Quarter, as_of: datetime.date) -> dict:
    """Median days to obtain each permit type (with its issuer), over the cases issued in the
    quarter up to the as-of date.

    A case counts when its "issued" step was entered within the quarter and by the end of the
    as-of day. Its duration runs from the first time it was submitted to the authority (the
    case's opening when it never passed through "submitted") to its issue. Medians of fewer
    than three cases are not shown (one member's case would be readable)."""
    start, at = day_start(quarter.start), day_end(as_of)
    submitted = (
        CaseStep.objects.filter(case=OuterRef("case"), step=CaseStepKind.SUBMITTED)
        .order_by()
        .values("case")
        .annotate(first=Min("entered_at"))
        .values("first")
    )
    durations = defaultdict(list)
    for row in (
        CaseStep.objects.filter(step=CaseStepKind.ISSUED, entered_at__gte=start, entered_at__lt=at)
        .annotate(began=Coalesce(Subquery(submitted[:1]), F("case__created_at")))
        .values("case__permit_type", "entered_at", "began")
    ):
        durations[row["case__permit_type"]].append(max((row["entered_at"] - row["began"]).days, 0))
    types = PermitType.objects.filter(pk__in=durations).order_by("sort_order", "id")
    rows = []
    for permit_type in types:
        days = durations[permit_type.pk]
        median = statistics.median(days) if len(days) >= MIN_CASES_FOR_MEDIAN else None
        label = {
            "fa": f"{permit_type.name_fa} · {both(Issuer(permit_type.issuer).label)['fa']}",
            "en": f"{permit_type.name_en or permit_type.name_fa} · {both(Issuer(permit_type.issuer).label)['en']}",
        }
        rows.append(_row(label, [len(days), median]))
    return _result(
        [_("Permit type · issuer"), _("Cases issued"), _("Median days")],
        rows,
        ["count", "days"],
        chart={"column": 1},
        notes=[_("A median of fewer than three cases is not shown.")],
    )


def price_reporting_rate(quarter: Quarter, as_of: datetime.date) -> dict:
    """Per price round of the quarter closed by the as-of date: the members active when it
    closed and how many of them reported at least one unit price before it closed.

    Counts members, never prices (competition law). A submission counts when it was made
    before the round's close (any version, whatever its review). Rounds still open on the
    as-of date are left out."""
    at = day_end(as_of)
    rounds = list(
        PriceRound.objects.filter(
            closed_at__isnull=False,
            closed_at__lt=at,
            year=quarter.year,
            month__in=[month for _year, month in quarter.months],
        ).order_by("month")
    )
    rows = []
    for price_round in rounds:
        active_ids = member_status_at(price_round.closed_at).filter(status_then=Member.Status.ACTIVE).values("id")
        figures = Member.objects.filter(pk__in=active_ids).aggregate(
            active=Count("id"),
            reported=Count(
                "id",
                filter=Q(
                    Exists(
                        PriceSubmission.objects.filter(
                            member=OuterRef("pk"), price_round=price_round, created_at__lt=price_round.closed_at
                        )
                    )
                ),
            ),
        )
        label = both(lambda r=price_round: jalali_month_label(r.year, r.month))
        rows.append(
            _row(label, [figures["active"], figures["reported"], _share(figures["reported"], figures["active"])])
        )
    return _result(
        [_("Price round"), _("Active members"), _("Members who reported"), _("Reporting rate")],
        rows,
        ["count", "count", "percent"],
        chart={"column": 2},
        notes=[_("Counts of members who reported; no price is shown.")],
    )


def commitments_on_time(quarter: Quarter, as_of: datetime.date) -> dict:
    """Of the commitments due within the quarter up to the as-of date, by owner organisation:
    how many were met on time (marked done on or before the due date), met late (done after it,
    by the as-of date) or not met by the as-of date (dropped ones included).

    "Done" is read from the commitment's progress notes (the status change and when it was
    recorded), not from its present status. Limit: a status set without a note (only possible
    outside the portal's pages) leaves no trace and is not seen."""
    at = day_end(as_of)
    done = CommitmentNote.objects.filter(
        commitment=OuterRef("pk"), status_to=Commitment.Status.DONE, created_at__lt=at
    ).order_by("created_at")
    figures = defaultdict(lambda: [0, 0, 0])
    for row in (
        Commitment.objects.filter(created_at__lt=at, due_date__gte=quarter.start, due_date__lte=as_of)
        .annotate(done_at=Subquery(done.values("created_at")[:1]))
        .values("owner_organisation", "due_date", "done_at")
    ):
        cell = figures[row["owner_organisation"]]
        if row["done_at"] is None:
            cell[2] += 1
        elif row["done_at"] < day_end(row["due_date"]):
            cell[0] += 1
        else:
            cell[1] += 1
    rows = []
    total = [0, 0, 0]
    for organisation in Organisation:
        if organisation.value in figures:
            on_time, late, missed = figures[organisation.value]
            due = on_time + late + missed
            total = [total[0] + on_time, total[1] + late, total[2] + missed]
            rows.append(_row(organisation.label, [due, on_time, late, missed, _share(on_time, due)]))
    due = sum(total)
    rows.append(_row(_("All"), [due, *total, _share(total[0], due)]))
    return _result(
        [_("Owner"), _("Due"), _("Met on time"), _("Met late"), _("Not met"), _("On time")],
        rows,
        ["count", "count", "count", "count", "percent"],
        chart={"column": 4, "skip_last": True},
    )


def panel_questions_answered(quarter: Quarter, as_of: datetime.date) -> dict:
    """Of the questions asked within the quarter up to the as-of date, by topic: how many had
    an answer recorded by the end of the as-of day.

    Questions rejected, withdrawn or merged into another are left out. Limit: questions keep no
    moderation history, so a question rejected after the as-of date would drop out of a
    recomputed past figure (moderation happens during the event; the snapshots keep the
    published figures)."""
    start, at = day_start(quarter.start), day_end(as_of)
    answered = Answer.objects.filter(question=OuterRef("pk"), answered_at__lt=at)
    figures = {
        row["topic"]: (row["asked"], row["answered"])
        for row in Question.objects.filter(created_at__gte=start, created_at__lt=at)
        .exclude(status__in=[Question.Status.REJECTED, Question.Status.WITHDRAWN, Question.Status.MERGED])
        .annotate(has_answer=Exists(answered))
        .values("topic")
        .annotate(asked=Count("id"), answered=Count("id", filter=Q(has_answer=True)))
        .order_by()
    }
    rows = []
    total_asked = total_answered = 0
    for topic in Topic:
        asked, answered_n = figures.get(topic.value, (0, 0))
        total_asked += asked
        total_answered += answered_n
        if asked:
            rows.append(_row(topic.label, [asked, answered_n, _share(answered_n, asked)]))
    rows.append(_row(_("All"), [total_asked, total_answered, _share(total_answered, total_asked)]))
    return _result(
        [_("Topic"), _("Questions asked"), _("Answered"), _("Share answered")],
        rows,
        ["count", "count", "percent"],
        chart={"column": 2, "skip_last": True},
    )


def programme_applications(quarter: Quarter, as_of: datetime.date) -> dict:
    """Applications to support programmes submitted within the quarter up to the as-of date,
    by the call's kind, and how many of them had been accepted by the end of the as-of day
    (an "accepted" entry in the application's status history). No names: counts only."""
    start, at = day_start(quarter.start), day_end(as_of)
    accepted = ApplicationStatusChange.objects.filter(
        application=OuterRef("pk"), to_status=Application.Status.ACCEPTED, created_at__lt=at
    )
    figures = {
        row["call__kind"]: (row["applied"], row["accepted"])
        for row in Application.objects.filter(submitted_at__gte=start, submitted_at__lt=at)
        .annotate(was_accepted=Exists(accepted))
        .values("call__kind")
        .annotate(applied=Count("id"), accepted=Count("id", filter=Q(was_accepted=True)))
        .order_by()
    }
    rows = []
    total_applied = total_accepted = 0
    for kind in Call.Kind:
        applied, accepted_n = figures.get(kind.value, (0, 0))
        total_applied += applied
        total_accepted += accepted_n
        if applied:
            rows.append(_row(kind.label, [applied, accepted_n, _share(accepted_n, applied)]))
    rows.append(_row(_("All"), [total_applied, total_accepted, _share(total_accepted, total_applied)]))
    return _result(
        [_("Programme"), _("Applications"), _("Accepted"), _("Acceptance rate")],
        rows,
        ["count", "count", "percent"],
        chart={"column": 0, "skip_last": True},
    )


def showcase_scans(quarter: Quarter, as_of: datetime.date) -> dict:
    """Scans of the showcase's box labels (QR codes) per Jalali month of the quarter, and how
    many labels were scanned at least once that month.

    Scans are counted by month, with no time of day: a month that has not ended by the as-of
    date is shown as "so far" and its count grows until it ends; a finished month never
    changes. Months that had not begun on the as-of date are left out. A month in which the
    labels of fewer than five members were scanned shows no figures (scans are a sales figure:
    with one or two producers, the total minus one's own would be a competitor's)."""
    rows = []
    notes = []
    small = False
    for year, month in quarter.months:
        first, last = jalali_month_range(year, month)
        if first > as_of:
            continue
        figures = ScanCount.objects.filter(month=first).aggregate(
            scans=Coalesce(Sum("count"), 0),
            codes=Count("id", filter=Q(count__gt=0)),
            members=Count("code__listing__member", filter=Q(count__gt=0), distinct=True),
        )
        label = both(lambda y=year, m=month: jalali_month_label(y, m))
        if last > as_of:
            label = {lang: f"{text} *" for lang, text in label.items()}
            notes.append(_("* The month is not over: its count so far."))
        values = [figures["scans"], figures["codes"]]
        if 0 < figures["members"] < MIN_MEMBERS_FOR_SCANS:
            values = [None, None]  # a competitor's scans (a sales figure) would be readable
            small = True
        rows.append(_row(label, values))
    if small:
        notes.append(_("— Fewer than five members' labels were scanned that month: not shown."))
    return _result(
        [_("Month"), _("Scans"), _("Labels scanned")],
        rows,
        ["count", "count"],
        chart={"column": 0},
        notes=notes,
    )


# -- the registry --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    id: str
    title: object
    description: object
    public: bool
    compute: Callable[[Quarter, datetime.date], dict]

    @property
    def query(self) -> str:
        """The documented query in words (the function's docstring)."""
        return " ".join((self.compute.__doc__ or "").split())


INDICATORS = [
    Indicator(
        "members",
        _("Members by kind, county and status"),
        _("Every member that had applied by the date, in the status it was in that day."),
        True,
        members_by_kind_county_status,
    ),
    Indicator(
        "health_licence",
        _("Active members with a valid health licence"),
        _("Of the members active that day, those holding a health licence in force that day."),
        True,
        health_licence_share,
    ),
    Indicator(
        "licence_days",
        _("Median days to obtain each licence"),
        _("From submission to issue, for the cases issued in the quarter, by permit type and issuer."),
        False,
        licence_median_days,
    ),
    Indicator(
        "price_reporting",
        _("Price reporting rate per round"),
        _("Of the members active when a round closed, those who reported before it closed. No prices."),
        False,
        price_reporting_rate,
    ),
    Indicator(
        "commitments",
        _("Commitments met on time"),
        _("Commitments due in the quarter: done by the due date, done late, or not done."),
        True,
        commitments_on_time,
    ),
    Indicator(
        "questions",
        _("Panel questions answered"),
        _("Questions asked in the quarter that had an answer on record by the date."),
        True,
        panel_questions_answered,
    ),
    Indicator(
        "programmes",
        _("Programme applications and acceptances"),
        _("Applications submitted in the quarter and how many were accepted by the date."),
        # Not public: a call kind with one to four applicants would tell whether a known
        # applicant was accepted, which the programmes' published results hide ("fewer than 5").
        False,
        programme_applications,
    ),
    Indicator(
        "scans",
        _("Showcase label scans per month"),
        _("Scans of the QR codes on members' boxes, per month of the quarter."),
        True,
        showcase_scans,
    ),
]
BY_ID = {indicator.id: indicator for indicator in INDICATORS}


def visible(*, full: bool) -> list[Indicator]:
    return [indicator for indicator in INDICATORS if full or indicator.public]


def compute(indicator: Indicator, quarter: Quarter, as_of: datetime.date) -> dict:
    return indicator.compute(quarter, as_of)
