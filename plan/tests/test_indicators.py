"""Each indicator computed on known data for a past quarter (summer 1404: Tir–Shahrivar), and
the as-of rule: the figure for a past quarter is the same before and after new data arrives."""

import datetime

import pytest
from django.utils import timezone

from conftest import make_member, make_user
from events.models import Organisation, Topic
from members.models import County, Member
from permits.models import CaseStep, CaseStepKind, Permit, PermitCase, PermitType
from plan import indicators
from plan.quarters import Quarter
from plan.tests import factories as f
from pricing.models import PriceRound
from pricing.tests.factories import ensure_products
from programmes.models import Application, ApplicationStatusChange, Call
from showcase.models import ScanCount
from showcase.tests import factories as showcase_factories

pytestmark = pytest.mark.django_db

SUMMER = Quarter(1404, 2)
END = SUMMER.end  # 31 Shahrivar 1404


def table(result, language="en"):
    return [(row["label"][language], row["values"]) for row in result["rows"]]


def compute(indicator_id, as_of=END):
    return indicators.BY_ID[indicator_id].compute(SUMMER, as_of)


def test_quarter_bounds_and_parsing():
    assert (SUMMER.start, SUMMER.end) == (datetime.date(2025, 6, 22), datetime.date(2025, 9, 22))
    assert Quarter.parse("۱۴۰۴-۲") == SUMMER == Quarter.of(datetime.date(2025, 8, 1))
    assert (Quarter(1404, 1).previous(), Quarter(1404, 4).next()) == (Quarter(1403, 4), Quarter(1405, 1))
    for bad in ("1404-5", "abc", "", "14042"):
        with pytest.raises(ValueError):
            Quarter.parse(bad)


def _members():
    active = Member.Status.ACTIVE
    f.member(created=f.at(1404, 1, 10), history=[(f.at(1404, 1, 20), active)])
    f.member(
        kind=Member.Kind.HOME,
        county=County.TAKESTAN,
        created=f.at(1404, 3, 1),
        history=[(f.at(1404, 3, 5), active), (f.at(1404, 5, 10), Member.Status.SUSPENDED)],
    )
    # applied in the quarter, approved after it: "awaiting approval" at its end
    f.member(created=f.at(1404, 5, 1), history=[(f.at(1404, 5, 1), "applied"), (f.at(1404, 7, 10), active)])
    f.member(created=f.at(1404, 7, 5), history=[(f.at(1404, 7, 6), active)])  # after the quarter
    f.member(created=f.at(1404, 2, 1), history=[(f.at(1404, 2, 10), Member.Status.REJECTED)])  # not a member


def test_members_by_kind_county_and_status_on_the_as_of_date():
    _members()
    result = compute("members")
    assert [c["en"] for c in result["columns"]] == [
        "County · kind",
        "Active",
        "Awaiting approval",
        "Suspended",
        "Lapsed",
        "Resigned",
    ]
    assert table(result) == [
        ("Qazvin · Guild-based", [1, 1, 0, 0, 0]),
        ("Takestan · Home-based", [0, 0, 1, 0, 0]),
        ("All", [1, 1, 1, 0, 0]),
    ]
    # in the middle of the quarter, before the suspension and the second application
    assert table(compute("members", as_of=f.day(1404, 4, 15)))[-1] == ("All", [2, 0, 0, 0, 0])


def _permit(member, code, *, issued, expiry, created):
    permit_type = PermitType.objects.get(code=code)
    permit = Permit.objects.create(
        permit_type=permit_type,
        member=member,
        number=f"P-{Permit.objects.count() + 1}",
        issuer=permit_type.get_issuer_display(),
        issue_date=issued,
        expiry_date=expiry,
    )
    Permit.objects.filter(pk=permit.pk).update(created_at=created)
    return permit


def test_health_licence_share_of_active_members():
    active = Member.Status.ACTIVE
    licensed = f.member(created=f.at(1403, 1, 1), history=[(f.at(1403, 1, 2), active)])
    _permit(
        licensed, "manufacturing_licence", issued=f.day(1404, 1, 1), expiry=f.day(1405, 1, 1), created=f.at(1404, 1, 2)
    )
    expired = f.member(created=f.at(1403, 1, 1), history=[(f.at(1403, 1, 2), active)])
    _permit(expired, "health_competency", issued=f.day(1402, 1, 1), expiry=f.day(1404, 6, 1), created=f.at(1402, 1, 2))
    late = f.member(created=f.at(1403, 1, 1), history=[(f.at(1403, 1, 2), active)])
    # valid on the day but recorded only afterwards: not known on the day
    _permit(late, "health_competency", issued=f.day(1404, 1, 1), expiry=None, created=f.at(1404, 8, 1))
    home = f.member(kind=Member.Kind.HOME, created=f.at(1403, 1, 1), history=[(f.at(1403, 1, 2), active)])
    _permit(home, "home_business", issued=f.day(1404, 1, 1), expiry=f.day(1406, 1, 1), created=f.at(1404, 1, 2))
    suspended = f.member(
        created=f.at(1403, 1, 1), history=[(f.at(1403, 1, 2), active), (f.at(1404, 5, 1), "suspended")]
    )
    _permit(suspended, "manufacturing_licence", issued=f.day(1404, 1, 1), expiry=None, created=f.at(1404, 1, 2))
    result = compute("health_licence")
    assert table(result) == [
        ("Guild-based", [3, 1, 33.3]),
        ("Home-based", [1, 0, 0.0]),
        ("All", [4, 1, 25.0]),
    ]


def _case(member, code, *, opened, submitted, issued):
    permit_type = PermitType.objects.get(code=code)
    case = PermitCase.objects.create(
        member=member,
        permit_type=permit_type,
        step=CaseStepKind.ISSUED,
        tracking_code="TR-1",
        step_changed_at=issued,
        updated_at=issued,
    )
    PermitCase.objects.filter(pk=case.pk).update(created_at=opened)
    if submitted:
        CaseStep.objects.create(case=case, step=CaseStepKind.SUBMITTED, entered_at=submitted, left_at=issued)
    CaseStep.objects.create(case=case, step=CaseStepKind.ISSUED, entered_at=issued)
    return case


def test_median_days_to_obtain_each_licence_per_issuer():
    member = f.member(created=f.at(1403, 1, 1), history=[(f.at(1403, 1, 2), "active")])
    issued = f.at(1404, 5, 1)
    for days in (10, 30, 50):  # submitted 10, 30, 50 days before issue
        _case(
            member,
            "health_competency",
            opened=issued - datetime.timedelta(days=90),
            submitted=issued - datetime.timedelta(days=days),
            issued=issued,
        )
    # never "submitted": from its opening, 20 days
    _case(member, "health_competency", opened=issued - datetime.timedelta(days=20), submitted=None, issued=issued)
    _case(
        member,
        "manufacturing_licence",
        opened=issued - datetime.timedelta(days=9),
        submitted=issued - datetime.timedelta(days=7),
        issued=issued,
    )  # one case: no median shown
    _case(
        member, "health_competency", opened=f.at(1404, 3, 1), submitted=f.at(1404, 3, 2), issued=f.at(1404, 3, 30)
    )  # issued before the quarter
    _case(
        member, "health_competency", opened=f.at(1404, 6, 1), submitted=f.at(1404, 6, 2), issued=f.at(1404, 7, 2)
    )  # issued after it
    result = compute("licence_days")
    assert table(result) == [
        ("Health competency certificate · County health centre", [4, 25.0]),
        ("Manufacturing health licence · University food & drug office", [1, None]),
    ]


def test_price_reporting_rate_per_round_counts_members_never_prices():
    ensure_products()
    active = Member.Status.ACTIVE
    members = [f.member(created=f.at(1403, 1, 1), history=[(f.at(1403, 1, 2), active)]) for _ in range(4)]
    f.member(created=f.at(1404, 4, 20), history=[(f.at(1404, 5, 2), active)])  # active only after Tir closed
    tir = PriceRound.objects.create(year=1404, month=4, status="published", closed_at=f.at(1404, 4, 31))
    mordad = PriceRound.objects.create(year=1404, month=5, status="closed", closed_at=f.at(1404, 5, 31))
    PriceRound.objects.create(year=1404, month=6, status="open")  # not closed: left out
    from pricing.tests.factories import make_submission

    for m in members[:3]:
        make_submission(member=m, price_round=tir, created_at=f.at(1404, 4, 10))
    make_submission(member=members[0], price_round=tir, product_slug="rice-cookies", created_at=f.at(1404, 4, 11))
    make_submission(member=members[0], price_round=mordad, created_at=f.at(1404, 5, 3))
    make_submission(member=members[1], price_round=mordad, created_at=f.at(1404, 6, 3))  # after the close
    result = compute("price_reporting")
    assert table(result) == [("Tir 1404", [4, 3, 75.0]), ("Mordad 1404", [5, 1, 20.0])]
    assert "price" not in " ".join(str(c) for c in result["columns"]).lower().replace("price round", "")


def test_commitments_met_on_time_from_the_notes_history():
    ev = f.event()
    created = f.at(1404, 1, 1)
    f.commitment(ev, due=f.day(1404, 5, 1), created=created, done_at=f.at(1404, 4, 20))  # on time
    f.commitment(ev, due=f.day(1404, 5, 1), created=created, done_at=f.at(1404, 5, 1, hour=23))  # on the day
    f.commitment(ev, due=f.day(1404, 5, 1), created=created, done_at=f.at(1404, 6, 10))  # late
    f.commitment(ev, due=f.day(1404, 6, 1), created=created, done_at=f.at(1404, 8, 1))  # not by the as-of date
    f.commitment(ev, due=f.day(1404, 6, 1), created=created, organisation=Organisation.UNION)  # not met
    f.commitment(ev, due=f.day(1404, 8, 1), created=created)  # due after the quarter
    f.commitment(ev, due=f.day(1404, 3, 1), created=created)  # due before it
    result = compute("commitments")
    assert table(result) == [
        ("Industrial Estates Company", [4, 2, 1, 1, 50.0]),
        ("Union", [1, 0, 0, 1, 0.0]),
        ("All", [5, 2, 1, 2, 40.0]),
    ]


def test_panel_questions_answered(actors):
    ev = f.event()
    asker = actors.member_a
    f.question(ev, asker, asked=f.at(1404, 4, 2), answered_at=f.at(1404, 4, 2))
    f.question(ev, asker, asked=f.at(1404, 4, 2))
    f.question(ev, asker, asked=f.at(1404, 4, 3), answered_at=f.at(1404, 7, 2))  # answered after the quarter
    f.question(ev, asker, asked=f.at(1404, 4, 3), topic=Topic.HEALTH_PERMITS, answered_at=f.at(1404, 4, 5))
    f.question(ev, asker, asked=f.at(1404, 4, 3), status="rejected")
    f.question(ev, asker, asked=f.at(1404, 3, 3))  # asked before the quarter
    result = compute("questions")
    assert table(result) == [
        ("Unit price", [3, 1, 33.3]),
        ("Health permits", [1, 1, 100.0]),
        ("All", [4, 2, 50.0]),
    ]


def _application(call, member, *, submitted, accepted=None):
    application = Application.objects.create(call=call, member=member, submitted_at=submitted)
    if accepted:
        ApplicationStatusChange.objects.create(
            application=application, from_status="under_review", to_status="accepted", created_at=accepted
        )
        Application.objects.filter(pk=application.pk).update(status="accepted", decided_at=accepted)
    return application


def test_programme_applications_and_acceptances():
    members = [f.member(created=f.at(1403, 1, 1), history=[(f.at(1403, 1, 2), "active")]) for _ in range(4)]
    loan = Call.objects.create(kind=Call.Kind.LOAN, title="وام", summary="-", deadline=f.day(1404, 6, 1), capacity=2)
    booth = Call.objects.create(kind=Call.Kind.BOOTH, title="غرفه", summary="-", deadline=f.day(1404, 6, 1), capacity=2)
    _application(loan, members[0], submitted=f.at(1404, 4, 5), accepted=f.at(1404, 5, 1))
    _application(loan, members[1], submitted=f.at(1404, 4, 6), accepted=f.at(1404, 7, 1))  # accepted afterwards
    _application(loan, members[2], submitted=f.at(1404, 4, 7))
    _application(booth, members[3], submitted=f.at(1404, 6, 30), accepted=f.at(1404, 6, 31))
    _application(booth, members[0], submitted=f.at(1404, 7, 2))  # after the quarter
    result = compute("programmes")
    assert table(result) == [
        ("Loan or facility", [3, 1, 33.3]),
        ("Exhibition or bazaar booth", [1, 1, 100.0]),
        ("All", [4, 2, 50.0]),
    ]


def test_showcase_scans_per_month(actors):
    listing = showcase_factories.listing(actors.a, actors.member_a)
    batch = showcase_factories.batch(listing, actors.member_a)
    first, second = list(batch.codes.all()[:2])
    ScanCount.objects.create(code=first, month=f.day(1404, 4, 1), count=7)
    ScanCount.objects.create(code=second, month=f.day(1404, 4, 1), count=2)
    ScanCount.objects.create(code=first, month=f.day(1404, 6, 1), count=4)
    ScanCount.objects.create(code=first, month=f.day(1404, 7, 1), count=50)  # next quarter
    # one member's labels only: no figure (total minus one's own would be a competitor's scans)
    result = compute("scans")
    assert table(result) == [("Tir 1404", [None, None]), ("Mordad 1404", [0, 0]), ("Shahrivar 1404", [None, None])]
    assert "Fewer than five members" in str(result["notes"])
    # during Mordad: Shahrivar has not begun, Mordad is counted "so far"
    assert table(compute("scans", as_of=f.day(1404, 5, 10))) == [("Tir 1404", [None, None]), ("Mordad 1404 *", [0, 0])]
    # five members' labels scanned in Tir: shown
    for index in range(4):
        user = make_user(f"0915{index:07d}", f"عضو {index}")
        member = make_member(user, national_id=_nid(index), number=200 + index)
        code = showcase_factories.batch(showcase_factories.listing(member, user), user).codes.first()
        ScanCount.objects.create(code=code, month=f.day(1404, 4, 1), count=1)
    assert table(compute("scans"))[0] == ("Tir 1404", [13, 6])


def _nid(index):
    body = f"{index + 11:09d}"
    total = sum(int(d) * (10 - i) for i, d in enumerate(body)) % 11
    return body + str(total if total < 2 else 11 - total)


def test_a_past_quarter_gives_the_same_numbers_before_and_after_new_data_arrives(actors):
    """Every indicator, computed for summer 1404, then again after today's new rows and changes
    (new members, status changes, licences, cases, rounds, commitments done late, answers,
    decisions, scans): the same figures, exactly."""
    ensure_products()
    _members()
    active = Member.Status.ACTIVE
    old = f.member(created=f.at(1403, 1, 1), history=[(f.at(1403, 1, 2), active)])
    _permit(old, "manufacturing_licence", issued=f.day(1404, 1, 1), expiry=f.day(1405, 1, 1), created=f.at(1404, 1, 2))
    ev = f.event()
    late = f.commitment(ev, due=f.day(1404, 5, 1), created=f.at(1404, 1, 1))
    unanswered = f.question(ev, actors.member_a, asked=f.at(1404, 4, 2))
    tir = PriceRound.objects.create(year=1404, month=4, status="published", closed_at=f.at(1404, 4, 31))
    from pricing.tests.factories import make_submission

    make_submission(member=old, price_round=tir, created_at=f.at(1404, 4, 10))
    loan = Call.objects.create(kind=Call.Kind.LOAN, title="وام", summary="-", deadline=f.day(1404, 6, 1), capacity=2)
    pending = _application(loan, old, submitted=f.at(1404, 4, 5))
    _case(old, "health_competency", opened=f.at(1404, 4, 1), submitted=f.at(1404, 4, 2), issued=f.at(1404, 5, 2))
    before = {i.id: i.compute(SUMMER, END) for i in indicators.INDICATORS}
    assert before["members"]["rows"][-1]["values"] == [2, 1, 1, 0, 0]

    # today's data
    now = timezone.now()
    newcomer = f.member(created=now, history=[(now, active)])
    _permit(newcomer, "health_competency", issued=f.day(1404, 1, 1), expiry=None, created=now)
    old.status_changes.create(from_status="active", to_status="lapsed", reason="پایان عضویت")
    _permit(old, "health_competency", issued=f.day(1404, 2, 1), expiry=None, created=now)
    from events.models import CommitmentNote

    CommitmentNote.objects.create(
        commitment=late,
        text="انجام شد",
        status_from="open",
        status_to="done",
        author=f.staff_user(),
        date=f.day(1404, 4, 30),
    )
    from events.models import Answer

    Answer.objects.create(question=unanswered, text="پاسخ دیرهنگام", recorded_by=f.staff_user())
    make_submission(member=newcomer, price_round=tir)
    ApplicationStatusChange.objects.create(application=pending, from_status="submitted", to_status="accepted")
    _application(loan, newcomer, submitted=now, accepted=now)
    _case(newcomer, "health_competency", opened=f.at(1404, 4, 1), submitted=f.at(1404, 4, 2), issued=now)
    ScanCount.objects.create(
        code=showcase_factories.batch(
            showcase_factories.listing(actors.a, actors.member_a), actors.member_a
        ).codes.first(),
        month=f.day(1405, 9, 1) if timezone.localdate() >= f.day(1405, 9, 1) else f.day(1404, 7, 1),
        count=3,
    )

    after = {i.id: i.compute(SUMMER, END) for i in indicators.INDICATORS}
    assert after == before
