"""The list pages cost the same for 1 or many calls/applications; results are counts only;
the as-of counts for the indicators do not move with later changes."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from catalogue.models import Product
from conftest import login_verified
from members.models import County, Member
from permits.tests import factories as permit_factories
from programmes import selectors, services
from programmes.dashboard import member_dashboard_section
from programmes.models import Application, ApplicationStatusChange, Call, RuleKind
from programmes.tests import factories

pytestmark = pytest.mark.django_db
A = Application.Status
RULES = [
    factories.LICENCE_RULE,
    (RuleKind.PRICE_REPORTS, {"number": 1}),
    (RuleKind.MEMBERSHIP_MONTHS, {"number": 0}),
    (RuleKind.MEMBER_KIND, {"member_kind": "guild"}),
    (RuleKind.COUNTY, {"counties": ["qazvin"]}),
    (RuleKind.NO_OVERDUE, {}),
]


def _calls(n):
    return [factories.call(title=f"فراخوان {i}", rules=RULES) for i in range(n)]


def _member(index, *, kind="guild", county="qazvin"):
    return Member.objects.create(
        kind=kind,
        business_name=f"کارگاه {index}",
        owner_name="مالک",
        owner_national_id=f"9{index:09d}",
        mobile=f"0915{index:07d}",
        county=county,
        status=Member.Status.ACTIVE,
    )


def _count_queries(client, url):
    """Queries of the second request (the first also sets up the session)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_member_list_queries_do_not_grow_with_calls(actors, client_as):
    permit_factories.permit(actors.a, "manufacturing_licence", expiry_in=30)
    client = client_as("member_a")
    url = reverse("programmes:list")
    _calls(1)
    one = _count_queries(client, url)
    _calls(5)
    many = _count_queries(client, url)
    assert one == many
    page = client.get(url).content.decode()
    assert page.count('data-qualifies="no"') == 6  # no price reports yet: each call says why


def test_staff_list_and_review_queries_do_not_grow(actors, client):
    login_verified(client, actors.staff)
    call = factories.call()
    factories.apply(call, actors.a, actors.member_a)
    review = reverse("programmes:review", args=[call.pk])
    one_list = _count_queries(client, reverse("programmes:list"))
    one_review = _count_queries(client, review)
    factories.apply(call, actors.b, actors.member_b)
    for index in range(3):
        factories.apply(call, _member(index), None)
    factories.call(title="دوم")
    assert _count_queries(client, reverse("programmes:list")) == one_list
    assert _count_queries(client, review) == one_review


def test_dashboard_section_shows_calls_the_member_qualifies_for(actors, client_as):
    factories.call(title="برای همه")
    factories.call(title="فقط تاکستان", rules=[(RuleKind.COUNTY, {"counties": [County.TAKESTAN]})])
    page = client_as("member_a").get(reverse("members:dashboard")).content.decode()
    section = page[page.index('data-testid="programmes-section"') :]
    assert "برای همه" in section
    assert "فقط تاکستان" not in section


def _decided_call(n_guild_qazvin, n_home_avaj, accepted):
    call = factories.call(title="غرفه", capacity=50, documents=())
    members = []
    for index in range(n_guild_qazvin + n_home_avaj):
        kind, county = ("guild", "qazvin") if index < n_guild_qazvin else ("home", "avaj")
        member = _member(index, kind=kind, county=county)
        members.append(member)
        application = services.application_submit(call=call, member=member, actor=None)
        if index < accepted:
            services.application_decide(application=application, actor=None, decision=A.ACCEPTED)
        else:
            services.application_decide(application=application, actor=None, decision=A.REJECTED, reason="ظرفیت")
    return call, members


def test_results_are_counts_with_small_cells_hidden_and_no_names(actors, client_as):
    call, members = _decided_call(6, 2, accepted=5)
    services.call_results_publish(call=call, actor=actors.staff)
    page = client_as("anonymous").get(reverse("programmes:results")).content.decode()
    assert all(member.business_name not in page for member in members)
    assert page.count('data-cell="6"') == 1  # guild × Qazvin applied
    assert page.count('data-cell="5"') == 2  # guild × Qazvin accepted, and the accepted total
    assert page.count('data-cell="small"') == 1  # home × Avaj applied: 2 → "fewer than 5"
    # the accepted total (5) hides nothing; the applied total would give the small cell away
    table = selectors.published_results()[0]["table"]
    assert (table["applied"]["shown"], table["accepted"]["shown"]) == (False, True)


def test_programme_counts_as_of_a_past_date_do_not_move(actors):
    call, members = _decided_call(3, 0, accepted=2)
    past = timezone.localdate()
    ApplicationStatusChange.objects.update(created_at=timezone.now() - datetime.timedelta(days=2))
    Application.objects.update(submitted_at=timezone.now() - datetime.timedelta(days=2))
    as_of = past - datetime.timedelta(days=1)
    before = selectors.programme_counts(as_of=as_of)
    assert before == [{"call_kind": "loan", "member_kind": "guild", "county": "qazvin", "applied": 3, "accepted": 2}]
    # later: an accepted member withdraws, a new application arrives
    services.application_withdraw(application=Application.objects.filter(status=A.ACCEPTED).first(), actor=None)
    services.application_submit(call=call, member=actors.a, actor=actors.member_a)
    assert selectors.programme_counts(as_of=as_of) == before
    assert selectors.programme_totals(as_of=timezone.localdate()) == {"applied": 3, "accepted": 1}


def test_publish_checks_the_call(actors):
    draft = factories.call(status=Call.Status.DRAFT, rules=[(RuleKind.HEALTH_LICENCE, {})], criteria=())
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.call_publish(call=draft, actor=actors.staff)
    assert error.value.messages == ["The licence rule names no licence type.", "The score sheet has no criteria."]


def _from_the_list(member):
    """What the list page's selector decides, in the dashboard's terms."""
    calls = selectors.calls_for_member(member=member, documents=False)
    return {
        "qualifying": [
            {"url": c.get_absolute_url(), "title": c.title, "deadline": c.deadline}
            for c in calls
            if c.eligibility.qualifies and not c.application
        ][:5],
        "not_qualifying": sum(1 for c in calls if not c.eligibility.qualifies and not c.application),
        "applied": [
            {
                "url": c.application.get_absolute_url(),
                "title": c.title,
                "status": c.application.status,
                "status_label": c.application.get_status_display(),
            }
            for c in calls
            if c.application
        ][:5],
    }


def test_dashboard_section_costs_two_queries_for_one_call_or_many_and_decides_as_the_list(
    actors, django_assert_num_queries
):
    def section(member):
        return member_dashboard_section(request=None, member=member)["context"]

    with django_assert_num_queries(1):  # no open call: nothing about the member to read
        assert section(actors.a) == {"qualifying": [], "not_qualifying": 0, "applied": []}
    for_all = factories.call(title="برای همه")
    factories.call(title="فقط تاکستان", rules=[(RuleKind.COUNTY, {"counties": [County.TAKESTAN]})])
    with django_assert_num_queries(1):  # rules on the member's own row only
        context = section(actors.a)
    assert context == _from_the_list(actors.a)
    first = factories.call(title="فراخوان اول", rules=RULES, deadline_in=3)
    with django_assert_num_queries(2):
        context = section(actors.a)
    assert context == _from_the_list(actors.a)
    assert [c["title"] for c in context["qualifying"]] == ["برای همه"] and context["not_qualifying"] == 2
    # The member qualifies for the calls with every rule once it holds a licence and reported prices.
    permit_factories.permit(actors.a, "manufacturing_licence", expiry_in=30)
    permit_factories.permit(actors.a, "business_licence", expiry_in=-5)  # expired, renewal not opened
    factories.report(actors.a, factories.price_round(1404, 1), product=Product.objects.first())
    assert section(actors.a)["not_qualifying"] == 2  # the expired business licence: overdue
    permit_factories.permit(actors.a, "business_licence", expiry_in=100)  # another valid one of the type
    calls = _calls(7)
    services.application_submit(
        call=first, member=actors.a, actor=actors.member_a, documents=factories.documents_for(first)
    )
    application = services.application_submit(
        call=calls[0], member=actors.a, actor=actors.member_a, documents=factories.documents_for(calls[0])
    )
    services.application_decide(application=application, actor=None, decision=A.REJECTED, reason="ظرفیت")
    factories.apply(for_all, actors.b, actors.member_b)  # another member's application
    factories.call(title="پیش‌نویس", status=Call.Status.DRAFT)
    factories.call(title="گذشته", deadline_in=-1)
    with django_assert_num_queries(2):
        context = section(actors.a)
    assert context == _from_the_list(actors.a)
    assert len(context["qualifying"]) == 5 and context["not_qualifying"] == 1  # Takestan only
    assert [(c["title"], c["status"]) for c in context["applied"]] == [
        ("فراخوان اول", "submitted"),
        ("فراخوان 0", "rejected"),
    ]
    # Another member: home-based, so the guild calls are out; nothing about A leaks in.
    with django_assert_num_queries(2):
        context_b = section(actors.b)
    assert context_b == _from_the_list(actors.b)
    assert [c["title"] for c in context_b["applied"]] == ["برای همه"]
    assert (context_b["qualifying"], context_b["not_qualifying"]) == ([], 9)
