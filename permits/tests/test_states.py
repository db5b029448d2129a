"""A permit's state is computed from today's date in Tehran: the day before, of and after
expiry; renewal in progress; replaced."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from permits import services
from permits.models import Permit, PermitState
from permits.selectors import permit_state, permits_with_state
from permits.tests import factories

TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")
EXPIRY = datetime.date(2026, 3, 20)  # a health card: first offset 21 days


def _at_tehran(monkeypatch, year, month, day, hour, minute=0):
    moment = datetime.datetime(year, month, day, hour, minute, tzinfo=TEHRAN)
    monkeypatch.setattr(timezone, "now", lambda: moment.astimezone(datetime.UTC))


@pytest.fixture
def card(actors):
    worker = factories.worker(actors.a)
    return Permit.objects.create(
        permit_type=factories.permit_type("health_card"),
        member=actors.a,
        worker=worker,
        number="HC-1",
        issuer="مرکز بهداشت",
        issue_date=datetime.date(2025, 3, 21),
        expiry_date=EXPIRY,
    )


@pytest.mark.parametrize(
    ("tehran_moment", "expected"),
    [
        ((2026, 2, 26, 23, 59), PermitState.VALID),  # 22 days before: not yet "soon"
        ((2026, 2, 27, 0, 1), PermitState.EXPIRING_SOON),  # 21 days before: the first offset
        ((2026, 3, 19, 12, 0), PermitState.EXPIRING_SOON),  # the day before
        ((2026, 3, 20, 0, 0), PermitState.EXPIRING_SOON),  # the day of expiry: still valid that day
        ((2026, 3, 20, 23, 59), PermitState.EXPIRING_SOON),
        ((2026, 3, 21, 0, 0), PermitState.EXPIRED),  # the day after, at midnight in Tehran
    ],
)
def test_state_around_expiry_in_tehran_time(card, monkeypatch, tehran_moment, expected):
    _at_tehran(monkeypatch, *tehran_moment)
    assert permits_with_state(Permit.objects.filter(pk=card.pk)).get().state == expected
    assert permit_state(card) == expected


def test_tehran_midnight_is_already_the_next_day_in_utc_evening(card, monkeypatch):
    # 2026-03-20 21:00 UTC is 2026-03-21 00:30 in Tehran: the card has expired there.
    moment = datetime.datetime(2026, 3, 20, 21, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    assert timezone.localdate() == datetime.date(2026, 3, 21)
    assert permit_state(card) == PermitState.EXPIRED


def test_expiring_soon_follows_the_types_first_offset(actors):
    today = timezone.localdate()
    licence = factories.permit(actors.a, "business_licence", expiry_in=90)  # offsets 90/60/30/7/0
    later = factories.permit(actors.a, "business_licence", expiry_in=91)
    forever = factories.permit(actors.a, "health_competency", expiry_in=None)
    states = dict(permits_with_state(Permit.objects.all(), today=today).values_list("pk", "state"))
    assert states == {licence.pk: "expiring_soon", later.pk: "valid", forever.pk: "valid"}


def test_renewal_in_progress_then_replaced(actors):
    old = factories.permit(actors.a, "business_licence", expiry_in=10)
    factories.grant_prerequisites(actors.a, "business_licence")
    case = services.permit_case_open(
        member=actors.a, actor=actors.member_a, permit_type=old.permit_type, renewal_of=old
    )
    assert permit_state(old) == PermitState.RENEWAL
    services.permit_case_advance(case=case, actor=actors.member_a, step="preparing")
    services.permit_case_advance(case=case, actor=actors.member_a, step="submitted", tracking_code="T-1")
    new = services.permit_issue(
        case=case,
        actor=actors.member_a,
        number="BL-NEW",
        issuer="اتحادیه",
        issue_date=timezone.localdate(),
        expiry_date=timezone.localdate() + datetime.timedelta(days=365),
    )
    old.refresh_from_db()
    assert (old.replaced_by_id, permit_state(old), permit_state(new)) == (new.pk, "replaced", "valid")


def test_withdrawn_renewal_no_longer_counts(actors):
    old = factories.permit(actors.a, "business_licence", expiry_in=-3)
    factories.grant_prerequisites(actors.a, "business_licence")
    case = services.permit_case_open(
        member=actors.a, actor=actors.member_a, permit_type=old.permit_type, renewal_of=old
    )
    services.permit_case_advance(case=case, actor=actors.member_a, step="withdrawn")
    assert permit_state(old) == PermitState.EXPIRED


def _permits_in_every_state(actors):
    """Permits of member A around today in every state the rules tell apart: expired, expiring
    today, valid, suspended (today, over, from tomorrow), revoked (today, from tomorrow),
    replaced, a renewal still open, a renewal closed, no expiry date."""
    import itertools

    from permits.models import CaseStepKind, PermitCase

    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    numbers = itertools.count(1)

    def make(expiry_in, **fields):
        permit = factories.permit(actors.a, number=f"X-{next(numbers)}", expiry_in=expiry_in)
        if fields:
            if "replaced_by" not in fields and "expiry_date" not in fields:
                fields["status_note"] = "بازدید"  # a suspension or revocation carries its reason
            Permit.objects.filter(pk=permit.pk).update(**fields)
        return permit

    make(-5)  # expired
    make(0)  # expires today: still valid
    make(30)  # valid
    make(5)  # expiring soon
    make(5, expiry_date=None)  # no expiry date
    make(-5, suspended_from=today - 10 * day, suspended_until=today + day)  # suspended today
    make(-5, suspended_from=today - 10 * day, suspended_until=today - day)  # suspension over
    make(-5, suspended_from=today + day)  # suspended from tomorrow
    make(-5, revoked_on=today)  # revoked today
    make(-5, revoked_on=today + day)  # revoked from tomorrow
    replaced = make(-5)
    Permit.objects.filter(pk=replaced.pk).update(replaced_by=make(100))

    def renewal(permit, step, **fields):
        now = timezone.now()
        PermitCase.objects.create(
            member=actors.a,
            permit_type=permit.permit_type,
            renewal_of=permit,
            step=step,
            step_changed_at=now,
            updated_at=now,
            **fields,
        )

    renewal(make(-5), CaseStepKind.PREPARING)  # a renewal still open
    renewal(make(-5), CaseStepKind.ISSUED, tracking_code="TR-1")  # a renewal closed
    return today


def _as_the_dashboard_shows(permits):
    return [
        {
            "type_name": p.permit_type.name,
            "worker_name": p.worker.full_name if p.worker else "",
            "expiry_date": p.expiry_date,
            "state": p.state,
        }
        for p in permits
    ]


def test_the_dashboards_expiring_permits_are_one_query_and_what_the_orm_selector_gives(
    actors, django_assert_num_queries
):
    """The member dashboard reads its expiring permits as rows (one statement); they must be
    member_permits_expiring's, in its order and with its states, for every state, on three days,
    in both languages, with a worker's card and another member's permits left out."""
    from django.utils import translation

    from permits.selectors import member_dashboard_permits_expiring, member_permits_expiring

    with django_assert_num_queries(1):
        assert member_dashboard_permits_expiring(member=actors.a) == []
    today = _permits_in_every_state(actors)
    factories.permit(actors.a, "health_card", worker=factories.worker(actors.a, full_name="مریم کارگر"), expiry_in=3)
    factories.permit(actors.a, "health_competency", expiry_in=45)  # no reminders: soon is 30 days, so valid
    factories.permit(actors.b, expiry_in=3)
    for day in (today, today + datetime.timedelta(days=1), today - datetime.timedelta(days=6)):
        for limit in (10, 50):
            with django_assert_num_queries(1):
                rows = member_dashboard_permits_expiring(member=actors.a, today=day, limit=limit)
            assert rows == _as_the_dashboard_shows(member_permits_expiring(member=actors.a, today=day, limit=limit))
            assert len(rows) == limit if limit == 10 else len(rows) > 10
    states = {row["state"] for row in member_dashboard_permits_expiring(member=actors.a, today=today, limit=50)}
    assert states == set(PermitState.values) - {PermitState.REPLACED}  # every state it can show
    with translation.override("en"):
        rows = member_dashboard_permits_expiring(member=actors.a, today=today, limit=50)
        assert rows == _as_the_dashboard_shows(member_permits_expiring(member=actors.a, today=today, limit=50))
    assert {(row["type_name"], row["worker_name"]) for row in rows} == {
        ("Business licence", ""),
        ("Health competency certificate", ""),
        ("Health card", "مریم کارگر"),
    }


def test_expired_condition_selects_exactly_the_expired_state(actors):
    """The staff dashboard's expired lists filter with plain predicates an index can walk
    (selectors.expired_condition); they must pick exactly the permits whose computed state is
    "expired": past expiry, not replaced, not suspended or revoked today, no renewal open."""
    from django.db.models import Q

    from permits.selectors import expired_condition, permit_state_expression

    today = _permits_in_every_state(actors)
    by_state = set(
        Permit.objects.annotate(state=permit_state_expression(today=today))
        .filter(state=PermitState.EXPIRED)
        .values_list("pk", flat=True)
    )
    by_condition = set(Permit.objects.filter(Q(expired_condition(today=today))).values_list("pk", flat=True))
    # Expired: the plain one, the suspension over, suspended or revoked only from tomorrow, the
    # one whose renewal case is closed (issued) — not the one with a renewal still open.
    assert len(by_state) == 5
    assert by_condition == by_state


def test_a_loaded_permits_state_is_the_computed_state(actors):
    """The member dashboard and the staff dashboard's lists work the state out from the loaded
    rows (selectors.loaded_permit_state); it must be the state the database computes, for every
    state, today and on other days."""
    from permits.selectors import loaded_permit_state, permit_state_expression, renewal_open_condition

    today = _permits_in_every_state(actors)
    states_today = set()
    for day in (today, today + datetime.timedelta(days=1), today - datetime.timedelta(days=6)):
        rows = (
            Permit.objects.select_related("permit_type")
            .annotate(state=permit_state_expression(today=day), renewal_open=renewal_open_condition())
            .order_by("pk")
        )
        computed = [(p.pk, p.state) for p in rows]
        loaded = [(p.pk, loaded_permit_state(p, renewal_open=p.renewal_open, today=day)) for p in rows]
        assert loaded == computed
        if day == today:
            states_today = {state for _pk, state in computed}
    assert states_today == set(PermitState.values)  # every state was compared
