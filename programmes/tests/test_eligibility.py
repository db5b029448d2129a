"""Eligibility from live data: each rule passes and fails on real rows, with its reason."""

import datetime

import pytest
from django.utils import timezone, translation

from catalogue.models import Product
from members.models import County, Member, MemberStatusChange
from permits.models import CaseStepKind, PermitCase
from permits.tests import factories as permit_factories
from pricing.models import PriceRound, PriceSubmission
from programmes.eligibility import evaluate, member_facts, member_facts_brief, months_between, qualifies
from programmes.models import RuleKind
from programmes.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _check(call, member, today=None):
    """The pages' evaluation, and the dashboard's (member_facts_brief + qualifies) must agree."""
    facts = member_facts(member, today=today)
    result = evaluate(list(call.rules.all()), facts)
    brief = member_facts_brief(member, today=today)
    assert (brief.active_since, brief.reported_rounds, brief.membership_months) == (
        facts.active_since,
        facts.reported_rounds,
        facts.membership_months,
    )
    assert sorted((p.type_id, p.expiry_date, p.renewal_open) for p in brief.permits) == sorted(
        (p.type_id, p.expiry_date, p.renewal_open) for p in facts.permits
    )
    rules = [
        (r.kind, r.number, r.member_kind, r.counties, {t.pk for t in r.permit_types.all()}) for r in call.rules.all()
    ]
    assert qualifies(rules, brief) is result.qualifies
    return result


def test_months_between_counts_whole_months():
    assert months_between(datetime.date(2026, 1, 31), datetime.date(2026, 3, 30)) == 1
    assert months_between(datetime.date(2026, 1, 15), datetime.date(2026, 7, 15)) == 6
    assert months_between(datetime.date(2026, 5, 1), datetime.date(2026, 4, 1)) == 0


def test_membership_months_counts_from_the_first_activation(actors):
    call = factories.call(rules=[(RuleKind.MEMBERSHIP_MONTHS, {"number": 6})])
    change = MemberStatusChange.objects.create(member=actors.a, from_status="applied", to_status="active")
    today = timezone.localdate()
    MemberStatusChange.objects.filter(pk=change.pk).update(created_at=timezone.now() - datetime.timedelta(days=100))
    result = _check(call, actors.a)
    assert result.qualifies is False
    assert result.failing[0].reason == "Your membership is 3 months old; this call asks for at least 6."
    MemberStatusChange.objects.filter(pk=change.pk).update(created_at=timezone.now() - datetime.timedelta(days=200))
    assert _check(call, actors.a, today=today).qualifies is True


def test_licence_rule_names_the_expired_licence_and_the_fix(actors):
    call = factories.call(rules=[factories.LICENCE_RULE])
    today = timezone.localdate()
    permit_factories.permit(actors.a, "manufacturing_licence", number="FDO-1", issue_days_ago=2000, expiry_in=-3)
    result = _check(call, actors.a)
    assert [r.kind for r in result.failing] == ["health_licence"]
    expiry = (today - datetime.timedelta(days=3)).strftime("%-d %b %Y")
    assert result.failing[0].reason == f"Your Manufacturing health licence (number FDO-1) expired on {expiry}."
    assert result.failing[0].fix_url == "/permits/"


def test_licence_rule_passes_with_a_valid_licence_and_ignores_workers_cards(actors):
    call = factories.call(rules=[(RuleKind.HEALTH_LICENCE, {"permit_types": ["health_card"]})])
    worker = permit_factories.worker(actors.a)
    permit_factories.permit(actors.a, "health_card", worker=worker, expiry_in=100)
    assert _check(call, actors.a).failing[0].reason == "No valid Health card is recorded for your business."
    licence_call = factories.call(title="دیگر", rules=[factories.LICENCE_RULE])
    permit_factories.permit(actors.a, "manufacturing_licence", expiry_in=0)  # valid through today
    assert _check(licence_call, actors.a).qualifies is True


def test_price_reports_count_the_members_own_unrejected_submissions_in_finished_rounds(actors):
    call = factories.call(rules=[(RuleKind.PRICE_REPORTS, {"number": 2})])
    product = Product.objects.first()
    rounds = [factories.price_round(1404, month) for month in range(1, 9)]  # 8 finished rounds
    factories.report(actors.a, rounds[0], product=product)  # too old: not in the last 6
    factories.report(actors.a, rounds[7], product=product, status=PriceSubmission.Status.REJECTED)
    factories.report(actors.b, rounds[6], product=product)  # another member's
    factories.report(actors.a, rounds[5], product=product)
    open_round = PriceRound.objects.create(year=1404, month=9, status=PriceRound.Status.OPEN)
    factories.report(actors.a, open_round, product=product)  # the open round does not count yet
    result = _check(call, actors.a)
    assert result.failing[0].reason == (
        "You reported prices in 1 of the last 6 finished price rounds; this call asks for at least 2."
    )
    factories.report(actors.a, rounds[4], product=product, status=PriceSubmission.Status.NEEDS_INFO)
    assert _check(call, actors.a).qualifies is True


def test_kind_and_county_rules(actors):
    call = factories.call(
        rules=[
            (RuleKind.MEMBER_KIND, {"member_kind": Member.Kind.GUILD}),
            (RuleKind.COUNTY, {"counties": [County.TAKESTAN, County.AVAJ]}),
        ]
    )
    result = _check(call, actors.b)  # home-based, in Qazvin
    assert result.reasons() == [
        "This call is for Guild-based members only; your business is registered as Home-based.",
        "This call is for members in Takestan, Avaj; your business is in Qazvin.",
    ]
    Member.objects.filter(pk=actors.a.pk).update(county=County.AVAJ)
    actors.a.refresh_from_db()
    assert _check(call, actors.a).qualifies is True


def test_no_overdue_obligations_means_no_expired_business_permit_left_without_renewal(actors):
    call = factories.call(rules=[(RuleKind.NO_OVERDUE, {})])
    worker = permit_factories.worker(actors.a)
    permit_factories.permit(actors.a, "health_card", worker=worker, expiry_in=-10)  # a worker's card: not counted
    assert _check(call, actors.a).qualifies is True
    expired = permit_factories.permit(actors.a, "business_licence", number="BL-9", expiry_in=-10)
    result = _check(call, actors.a)
    assert [r.kind for r in result.failing] == ["no_overdue"]
    assert result.failing[0].reason.startswith("Expired with no renewal recorded: Business licence (")
    # a renewal case open: the member is dealing with it
    case = PermitCase.objects.create(
        member=actors.a,
        permit_type=expired.permit_type,
        renewal_of=expired,
        step=CaseStepKind.PREPARING,
        step_changed_at=timezone.now(),
        updated_at=timezone.now(),
    )
    assert _check(call, actors.a).qualifies is True
    case.step = CaseStepKind.WITHDRAWN
    case.save()
    assert _check(call, actors.a).qualifies is False


def test_an_inactive_member_never_qualifies(actors):
    call = factories.call()
    Member.objects.filter(pk=actors.a.pk).update(status=Member.Status.SUSPENDED)
    actors.a.refresh_from_db()
    result = _check(call, actors.a)
    assert (result.qualifies, result.failing[0].kind) == (False, "active")


def test_member_facts_cost_three_queries_whatever_the_data(actors, django_assert_num_queries):
    permit_factories.permit(actors.a, "manufacturing_licence", expiry_in=50)
    factories.price_round(1404, 1)
    with django_assert_num_queries(3):
        member_facts(actors.a)


def test_member_facts_brief_cost_one_query_whatever_the_data(actors, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert member_facts_brief(actors.a).permits == []
    for index in range(3):
        permit_factories.permit(actors.a, "manufacturing_licence", number=f"M-{index}", expiry_in=50 - 40 * index)
        factories.price_round(1404, index + 1)
    MemberStatusChange.objects.create(member=actors.a, from_status="applied", to_status="active")
    with django_assert_num_queries(1):
        assert len(member_facts_brief(actors.a).permits) == 3
    with django_assert_num_queries(0):
        member_facts_brief(actors.a, read=False)
