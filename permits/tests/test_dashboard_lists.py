"""The staff dashboard's six lists are read by hand-written statements (selectors.staff_*_rows,
docs/CONVENTIONS.md); the ORM reads behind their "see all" pages stay (staff_list, turned into
rows by staff_list_rows). Each statement must give those reads' first rows — the same rows,
in the same order, showing the same things — on data built to tell them apart (every permit
state, other members, workers who left, replaced, suspended and revoked permits, closed cases,
escalations of earlier steps, cases falling due the same day, both languages, several days),
in a number of queries that does not grow with the rows."""

import datetime
import itertools

import pytest
from django.utils import timezone, translation

from catalogue.models import Product
from members.models import Member
from permits import selectors
from permits.models import (
    CaseEscalation,
    CaseStep,
    CaseStepKind,
    Permit,
    PermitCase,
    PermitState,
    PermitType,
    Worker,
)
from permits.tests import factories
from permits.tests.test_pages import _valid
from permits.tests.test_states import _permits_in_every_state

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
LANGUAGES = ("fa", "en")


def _orm_rows(kind, *, today, limit, now=None):
    """What the "see all" page shows first: the ORM read, as rows."""
    return selectors.staff_list_rows(kind, selectors.staff_list(kind, today=today)[:limit], today=today, now=now)


_members = itertools.count(1)


def _member(*, kind=Member.Kind.GUILD, status=Member.Status.ACTIVE, name=None, county="qazvin"):
    n = next(_members)
    return Member.objects.create(
        kind=kind,
        business_name=name or f"کارگاه {n:03d}",
        owner_name="x",
        owner_national_id=_valid(5000 + n),
        mobile=f"0917{n:07d}",
        county=county,
        status=status,
    )


_workers = itertools.count(1)


def _worker(member, *, active=True):
    n = next(_workers)
    return Worker.objects.create(member=member, full_name=f"کارگر {n}", national_id=_valid(6000 + n), is_active=active)


def test_the_permit_types_as_the_dashboard_reads_them(actors, django_assert_num_queries):
    PermitType.objects.filter(code="health_card").update(sort_order=1000)  # the order follows sort_order
    for language in LANGUAGES:
        with translation.override(language), django_assert_num_queries(1):
            rows = selectors.staff_permit_types()
        with translation.override(language):
            expected = [
                {
                    "id": t.pk,
                    "code": t.code,
                    "name": t.name,
                    "issuer": t.issuer,
                    "expiring_soon_days": t.expiring_soon_days,
                }
                for t in PermitType.objects.all()
            ]
        assert rows == expected
    assert rows[-1]["code"] == "health_card"
    assert {row["expiring_soon_days"] for row in rows} >= {21, 30, 90}


def _permits_for_the_lists(actors):
    """Every state around today (member A), plus what the lists must leave out or tell apart:
    a replaced permit within the month, workers' cards (member B) of types whose "expiring
    soon" starts at other offsets, permits expiring the same day (ordered by id)."""
    today = _permits_in_every_state(actors)
    worker = _worker(actors.b)
    factories.permit(actors.b, "health_card", number="HC-25", expiry_in=25, worker=worker)  # card: soon from 21
    factories.permit(actors.b, "health_card", number="HC-3", expiry_in=3, worker=worker)
    factories.permit(actors.b, "health_competency", number="HC-28", expiry_in=28)  # no reminders: soon from 30
    old = factories.permit(actors.b, "business_licence", number="OLD", expiry_in=12)
    Permit.objects.filter(pk=old.pk).update(replaced_by=factories.permit(actors.b, "business_licence", expiry_in=400))
    for n in range(24):  # four on each of these days: ordered by id
        expiry_in = (-20, -15, -10, 5, 10, 20)[n % 6]
        factories.permit(actors.b, "hygiene_certificate", number=f"HY-{n}", expiry_in=expiry_in, worker=worker)
    # In the month's window although not expiring soon: suspended today or from tomorrow,
    # revoked today, being renewed.
    for number, fields in (
        ("W-SUSPENDED", {"suspended_from": today - DAY, "status_note": "بازدید"}),
        ("W-TOMORROW", {"suspended_from": today + DAY, "status_note": "بازدید"}),
        ("W-REVOKED", {"revoked_on": today, "status_note": "بازدید"}),
    ):
        permit = factories.permit(actors.a, "manufacturing_licence", number=number, expiry_in=8)
        Permit.objects.filter(pk=permit.pk).update(**fields)
    renewed = factories.permit(actors.a, "manufacturing_licence", number="W-RENEWAL", expiry_in=8)
    PermitCase.objects.create(
        member=actors.a,
        permit_type=renewed.permit_type,
        renewal_of=renewed,
        step=CaseStepKind.SUBMITTED,
        tracking_code="TR-9",
        step_changed_at=timezone.now(),
        updated_at=timezone.now(),
    )
    return today


@pytest.mark.parametrize("kind", ["expiring", "expired"])
def test_the_permit_lists_are_the_orm_reads_first_rows(actors, kind, django_assert_num_queries):
    today = _permits_for_the_lists(actors)
    statement = {"expiring": selectors.staff_expiring_rows, "expired": selectors.staff_expired_rows}[kind]
    seen_states = set()
    for day in (today, today + DAY, today - 6 * DAY):
        for limit in (10, 50):
            for language in LANGUAGES:
                with translation.override(language):
                    types = selectors.staff_permit_types()
                    with django_assert_num_queries(1):
                        rows = statement(today=day, limit=limit, types=types)
                    assert rows == _orm_rows(kind, today=day, limit=limit)
            seen_states |= {row["state"] for row in rows}
            if limit == 10:
                assert len(rows) == 10
    numbers = {row["number"] for row in statement(today=today, limit=50)}
    assert "OLD" not in numbers  # replaced: in neither list
    if kind == "expiring":
        # valid, expiring soon, and suspended, revoked or being renewed although in the window
        assert seen_states == {"valid", "expiring_soon", "suspended", "revoked", "renewal"}
        states = {row["number"]: row["state"] for row in statement(today=today, limit=50)}
        # a card is "expiring soon" from 21 days, a certificate without reminders from 30
        assert (states["HC-25"], states["HC-3"], states["HC-28"]) == ("valid", "expiring_soon", "expiring_soon")
    else:
        assert seen_states == {"expired"}


def test_the_permit_lists_cost_one_query_however_many_rows(actors, django_assert_num_queries):
    types = selectors.staff_permit_types()
    for rows_before in (0, 1):
        for statement in (selectors.staff_expiring_rows, selectors.staff_expired_rows):
            with django_assert_num_queries(1):
                assert len(statement(types=types)) == rows_before
        if rows_before == 0:
            worker = _worker(actors.a)
            factories.permit(actors.a, "health_card", number="C-1", expiry_in=5, worker=worker)
            factories.permit(actors.a, "health_card", number="C-2", expiry_in=-5, worker=_worker(actors.a))
    for n in range(60):
        factories.permit(actors.b, "business_licence", number=f"M-{n}", expiry_in=(n % 40) - 20)
    for statement in (selectors.staff_expiring_rows, selectors.staff_expired_rows):
        with django_assert_num_queries(1):
            assert len(statement(types=types)) == 10
    with django_assert_num_queries(2):  # the permit types too when not given
        selectors.staff_expiring_rows()


def _expired_card(member, *, days_ago, active=True, **fields):
    card = factories.permit(member, "health_card", expiry_in=-days_ago, worker=_worker(member, active=active))
    if fields:
        if "replaced_by" not in fields:
            fields["status_note"] = "بازدید"
        Permit.objects.filter(pk=card.pk).update(**fields)
    return card


def test_the_members_with_expired_cards_are_the_orm_reads_first_rows(actors, django_assert_num_queries):
    today = timezone.localdate()
    members = [_member() for _n in range(14)]
    for n, member in enumerate(members):
        for k in range(1 + n % 3):
            _expired_card(member, days_ago=1 + (n * 7 + k) % 9)  # members tie on their latest day
    # Counted but not listed on their own: a card of a worker who left, a suspended or revoked
    # card, one being renewed; not counted either: a replaced card.
    left = _member()
    _expired_card(left, days_ago=1, active=False)
    suspended = _member()
    _expired_card(suspended, days_ago=1, suspended_from=today - 3 * DAY)
    revoked = _member()
    _expired_card(revoked, days_ago=1, revoked_on=today - DAY)
    renewing = _member()
    card = _expired_card(renewing, days_ago=1)
    PermitCase.objects.create(
        member=renewing,
        permit_type=card.permit_type,
        renewal_of=card,
        worker=card.worker,
        step=CaseStepKind.PREPARING,
        step_changed_at=timezone.now(),
        updated_at=timezone.now(),
    )
    _expired_card(members[0], days_ago=1, active=False)  # counted with member 0's listed cards
    _expired_card(members[1], days_ago=1, replaced_by=factories.permit(members[1], "health_card", expiry_in=300))
    for day in (today, today + DAY):
        for limit in (3, 10, 20):
            with django_assert_num_queries(1):
                rows = selectors.staff_expired_cards_rows(today=day, limit=limit)
            assert rows == _orm_rows("expired-cards", today=day, limit=limit)
            assert len(rows) == min(limit, 14)
    listed = {row["id"] for row in selectors.staff_expired_cards_rows(limit=20)}
    assert listed == {m.pk for m in members}
    assert {
        row["expired_cards"] for row in selectors.staff_expired_cards_rows(limit=20) if row["id"] == members[0].pk
    } == {2}


def test_when_the_latest_cards_are_few_members_the_whole_list_is_read(actors, django_assert_num_queries):
    """The statement looks among the 5 × limit latest expired cards; one member with more than
    that many cards hides the others there, so the whole list is read (one query more)."""
    busy = _member()
    for _n in range(16):
        _expired_card(busy, days_ago=1)
    others = [_member() for _n in range(3)]
    for n, member in enumerate(others):
        _expired_card(member, days_ago=5 + n)
    with django_assert_num_queries(3):  # the statement, then the permit types and the list
        rows = selectors.staff_expired_cards_rows(limit=3)
    assert [row["id"] for row in rows] == [busy.pk, others[0].pk, others[1].pk]
    assert rows == _orm_rows("expired-cards", today=timezone.localdate(), limit=3)


def test_the_home_producers_without_their_permit_are_the_orm_reads_first_rows(actors, django_assert_num_queries):
    today = timezone.localdate()
    [_member(kind=Member.Kind.HOME, name=f"خانگی {n % 4}", county=("abyek", "qazvin")[n % 2]) for n in range(6)]
    expired = _member(kind=Member.Kind.HOME, name="خانگی منقضی")
    factories.permit(expired, "home_business", expiry_in=-1)
    replaced_only = _member(kind=Member.Kind.HOME, name="خانگی جایگزین")
    old = factories.permit(replaced_only, "home_business", expiry_in=30)
    Permit.objects.filter(pk=old.pk).update(replaced_by=factories.permit(actors.b, "home_business", expiry_in=90))
    holders = [_member(kind=Member.Kind.HOME, name=f"دارنده {n}") for n in range(3)]
    factories.permit(holders[0], "home_business", expiry_in=None)  # no expiry date: held
    factories.permit(holders[1], "home_business", expiry_in=0)  # expires today: still held
    factories.permit(holders[2], "home_business", expiry_in=10)
    _member(kind=Member.Kind.HOME, status=Member.Status.SUSPENDED, name="خانگی معلق")  # not active: left out
    _member(kind=Member.Kind.GUILD, name="صنفی بدون مجوز")  # not home-based: left out
    factories.permit(_member(kind=Member.Kind.HOME, name="خانگی با کارت"), "business_licence", expiry_in=50)
    for day in (today, today + DAY):
        for limit in (3, 10, 50):
            for language in LANGUAGES:
                with translation.override(language):
                    with django_assert_num_queries(1):
                        rows = selectors.staff_home_without_rows(today=day, limit=limit)
                    assert rows == _orm_rows("home-without", today=day, limit=limit)
    names = [row["business_name"] for row in selectors.staff_home_without_rows(limit=50)]
    assert "خانگی منقضی" in names and "خانگی جایگزین" in names and "خانگی با کارت" in names
    assert not {"دارنده 0", "دارنده 1", "دارنده 2", "خانگی معلق", "صنفی بدون مجوز"} & set(names)
    tomorrow = [row["business_name"] for row in selectors.staff_home_without_rows(today=today + DAY, limit=50)]
    assert "دارنده 1" in tomorrow
    with translation.override("en"):
        assert {row["county"] for row in selectors.staff_home_without_rows(limit=50)} >= {"Abyek", "Qazvin"}


def _case(member, code, *, step, updated_days_ago=0, worker=None, product=None, changed=None):
    now = timezone.now()
    return PermitCase.objects.create(
        member=member,
        permit_type=factories.permit_type(code),
        worker=worker,
        product=product,
        step=step,
        tracking_code="" if step in (CaseStepKind.NOT_STARTED, CaseStepKind.PREPARING) else "TR-1",
        step_changed_at=changed or now - datetime.timedelta(days=updated_days_ago),
        updated_at=now - datetime.timedelta(days=updated_days_ago),
    )


def _open_case(member, code, *, step=CaseStepKind.SUBMITTED, updated_days_ago=0, created_days_ago=50, **kwargs):
    case = _case(member, code, step=step, updated_days_ago=updated_days_ago, **kwargs)
    PermitCase.objects.filter(pk=case.pk).update(created_at=timezone.now() - datetime.timedelta(days=created_days_ago))
    return case


def test_the_open_cases_longest_without_update_are_the_orm_reads_first_rows(actors, django_assert_num_queries):
    product = Product.objects.create(name_fa="باقلوای قزوین", name_en="Qazvin baklava", slug="qazvin-baklava")
    worker = _worker(actors.b)
    for n, step in enumerate(itertools.islice(itertools.cycle(selectors.OPEN_STEPS), 14)):
        _open_case(actors.a, "business_licence", step=step, updated_days_ago=40 - (n // 2), created_days_ago=200 - n)
    _open_case(actors.b, "health_card", worker=worker, updated_days_ago=45, created_days_ago=45)  # a worker's
    _open_case(actors.a, "manufacturing_licence", product=product, updated_days_ago=44)  # a product's
    for step in (CaseStepKind.ISSUED, CaseStepKind.WITHDRAWN, CaseStepKind.REJECTED):  # closed: left out
        _open_case(actors.b, "home_business", step=step, updated_days_ago=300)
    now = timezone.now()
    # Four without update since the same instant, just after the worker's and the product's: by id.
    tied = PermitCase.objects.filter(member=actors.a, permit_type__code="business_licence").order_by("id")
    PermitCase.objects.filter(pk__in=list(tied.values_list("id", flat=True)[:4])).update(updated_at=now - 41 * DAY)
    for limit in (3, 10, 50):
        for language in LANGUAGES:
            with translation.override(language):
                types = selectors.staff_permit_types()
                with django_assert_num_queries(1):
                    rows = selectors.staff_stale_rows(now=now, limit=limit, types=types)
                assert rows == _orm_rows("stale", today=timezone.localdate(), limit=limit, now=now)
    rows = selectors.staff_stale_rows(now=now, limit=50)
    assert len(rows) == 16
    assert [row["subject"] for row in rows[:2]] == [worker.full_name, product.name_fa]
    assert (rows[0]["age_days"], rows[0]["idle_days"]) == (45, 45)
    with translation.override("en"):
        assert selectors.staff_stale_rows(now=now, limit=2)[1]["subject"] == "Qazvin baklava"


def _late(member, code, *, step=CaseStepKind.SUBMITTED, entered, worker=None, escalated=False, earlier_escalated=False):
    """A case at `step` since `entered`, with its step history; `escalated`: its current step
    was escalated; `earlier_escalated`: only a step it has left was."""
    case = _case(member, code, step=step, changed=entered, worker=worker)
    if earlier_escalated:
        before = CaseStep.objects.create(
            case=case, step=CaseStepKind.COMMITTEE, entered_at=entered - 40 * DAY, left_at=entered
        )
        CaseEscalation.objects.create(
            case=case, case_step=before, step=before.step, days_allowed=15, due_on=entered.date()
        )
    current = CaseStep.objects.create(case=case, step=step, entered_at=entered)
    if escalated:
        CaseEscalation.objects.create(case=case, case_step=current, step=step, days_allowed=15, due_on=entered.date())
    return case


def test_the_cases_past_their_legal_time_are_the_orm_reads_first_rows(actors, django_assert_num_queries):
    """Guild union: 15 days at "submitted", 10 at "inspection"; the health centre: 10 days at
    "submitted", 7 at "inspection" (the legal response times the migration seeds)."""
    now = timezone.localtime()
    morning = now.replace(hour=9, minute=0, second=0, microsecond=0)
    worker = _worker(actors.b)
    cases = []
    for n, days_ago in enumerate((16, 40, 25, 16, 11, 30, 9, 20, 33, 21, 17, 26)):
        member = actors.a if n % 2 else _member()
        cases.append(_late(member, "business_licence", entered=morning - days_ago * DAY, escalated=n % 3 == 0))
    for days_ago in (12, 26, 9, 15, 22):
        cases.append(_late(actors.b, "health_card", entered=morning - days_ago * DAY, worker=worker))
    for days_ago in (14, 18, 31):
        cases.append(
            _late(actors.a, "business_licence", step=CaseStepKind.INSPECTION, entered=morning - days_ago * DAY)
        )
    cases.append(_late(actors.b, "health_card", step=CaseStepKind.INSPECTION, entered=morning - 8 * DAY))
    # Due the same day, entered in the reverse order of their ids: the earlier entry first.
    later = _late(_member(), "business_licence", entered=morning - 28 * DAY + datetime.timedelta(hours=5))
    earlier = _late(_member(), "business_licence", entered=morning - 28 * DAY)
    # Escalated at a step the case has left: that escalation is not shown.
    left = _late(actors.a, "business_licence", entered=morning - 35 * DAY, earlier_escalated=True)
    # Closed, or not late yet: left out.
    _late(actors.a, "business_licence", step=CaseStepKind.ISSUED, entered=morning - 90 * DAY)
    _late(actors.a, "business_licence", entered=morning - 14 * DAY)
    today = timezone.localdate()
    for day in (today, today + DAY, today + 5 * DAY):
        for limit in (3, 10, 50):
            for language in LANGUAGES:
                with translation.override(language):
                    types = selectors.staff_permit_types()
                    with django_assert_num_queries(2):  # the legal response times, then the cases
                        rows = selectors.staff_overdue_rows(today=day, limit=limit, types=types)
                    assert rows == _orm_rows("overdue", today=day, limit=limit)
    rows = selectors.staff_overdue_rows(limit=50)
    ids = [row["id"] for row in rows]
    assert ids.index(earlier.pk) == ids.index(later.pk) - 1 and earlier.pk > later.pk
    assert [row["delay_days"] for row in rows] == sorted((row["delay_days"] for row in rows), reverse=True)
    assert {row["issuer_label"] for row in rows} == {"اتحادیه صنفی", "مرکز بهداشت شهرستان"}
    assert {row["step_label"] for row in rows} == {"ثبت‌شده", "بازدید تعیین‌شده"}
    by_id = {row["id"]: row for row in rows}
    assert by_id[left.pk]["escalated_at"] is None
    assert by_id[cases[0].pk]["escalated_at"] is not None
    assert len(rows) == selectors.overdue_cases(limit=50)["count"] == 21


def test_the_lists_of_cases_cost_the_same_queries_however_many_rows(actors, django_assert_num_queries):
    types = selectors.staff_permit_types()
    morning = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)

    def counted():
        with django_assert_num_queries(2):
            late = selectors.staff_overdue_rows(types=types)
        with django_assert_num_queries(1):
            stale = selectors.staff_stale_rows(types=types)
        with django_assert_num_queries(1):
            home = selectors.staff_home_without_rows()
        return len(late), len(stale), len(home)

    assert counted() == (0, 0, 1)  # member B: home-based, without its permit
    _late(actors.a, "business_licence", entered=morning - 20 * DAY)
    assert counted() == (1, 1, 1)
    for n in range(30):
        _late(_member(), ("business_licence", "health_card")[n % 2], entered=morning - (20 + n) * DAY)
    assert counted() == (10, 10, 1)


def test_every_state_can_reach_the_lists(actors):
    """The data above covers what the page can show: every state but "replaced" in the lists."""
    today = _permits_for_the_lists(actors)
    states = {row["state"] for row in selectors.staff_expiring_rows(today=today, limit=100)}
    states |= {row["state"] for row in selectors.staff_expired_rows(today=today, limit=100)}
    assert states == set(PermitState.values) - {PermitState.REPLACED}


def test_a_case_entered_just_after_local_midnight_is_late_from_the_same_day_as_the_orm_says(actors):
    """The cut-off is the start of a local day (Asia/Tehran, UTC+3:30): a case that entered its
    step in the first hours of a day — still the previous day in UTC — is not late a day
    early, and one that entered in the last hours of the day before is."""
    midnight = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate() - 15 * DAY, datetime.time.min)
    )  # business licence, "submitted": 15 legal days, so due today
    not_yet = _late(actors.a, "business_licence", entered=midnight + datetime.timedelta(hours=1))
    late = _late(actors.a, "business_licence", entered=midnight - datetime.timedelta(hours=1))
    rows = selectors.staff_overdue_rows(limit=50)
    assert rows == _orm_rows("overdue", today=timezone.localdate(), limit=50)
    assert [row["id"] for row in rows] == [late.pk]
    assert not_yet.pk not in {row["id"] for row in rows}
