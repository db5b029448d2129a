"""Milestones and their followers (each told once per move), the demand register, the
allocation ranking (frozen criteria, reproducible order) and the pages."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from catalogue.models import Product
from core.models import AuditEntry, Notification
from estate import ranking as ranking_rules
from estate import selectors, services
from estate.dashboard import member_dashboard_section
from estate.models import DemandRegistration, EstateFollower, Milestone, MilestoneNotice, Readiness
from estate.tests import factories
from members.models import Member
from permits.tests import factories as permit_factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _move(milestone, days, actor):
    milestone.planned_date = milestone.planned_date + datetime.timedelta(days=days)
    return services.milestone_save(milestone=milestone, actor=actor, note="تأخیر در تأمین اعتبار")


def test_each_follower_is_told_exactly_once_per_move(actors, django_capture_on_commit_callbacks):
    for user in (actors.member_a, actors.member_b):
        services.estate_follow_set(user=user, follow=True)
    milestone = factories.milestone()
    with django_capture_on_commit_callbacks(execute=True):
        _move(milestone, 30, actors.staff)
    services.milestone_changes_announce()  # the command runs again
    services.milestone_changes_announce()
    subjects = list(
        Notification.objects.filter(subject__contains=milestone.title)
        .values_list("user_id", flat=True)
        .order_by("user_id")
    )
    assert subjects == sorted([actors.member_a.pk, actors.member_b.pk])
    assert MilestoneNotice.objects.count() == 2


def test_saving_without_a_move_tells_nobody_and_a_second_move_is_told_again(actors, django_capture_on_commit_callbacks):
    services.estate_follow_set(user=actors.member_a, follow=True)
    milestone = factories.milestone()
    with django_capture_on_commit_callbacks(execute=True):
        milestone.progress_note = "پیمانکار انتخاب شد."
        services.milestone_save(milestone=milestone, actor=actors.staff)  # a note only: not a move
        services.milestone_save(milestone=milestone, actor=actors.staff)  # saved twice, unchanged
    assert Notification.objects.filter(user=actors.member_a).count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        _move(milestone, 10, actors.staff)
    with django_capture_on_commit_callbacks(execute=True):
        milestone.status = Milestone.Status.DELAYED
        services.milestone_save(milestone=milestone, actor=actors.staff)
    assert Notification.objects.filter(user=actors.member_a).count() == 2


def test_a_follower_who_joins_later_is_not_told_about_earlier_moves(actors, django_capture_on_commit_callbacks):
    milestone = factories.milestone()
    services.estate_follow_set(user=actors.member_a, follow=True)
    change = _move(milestone, 5, actors.staff).changes.get()
    services.estate_follow_set(user=actors.member_b, follow=True)
    EstateFollower.objects.filter(user=actors.member_b).update(
        created_at=change.created_at + datetime.timedelta(seconds=1)
    )
    services.milestone_changes_announce()
    assert list(MilestoneNotice.objects.values_list("user_id", flat=True)) == [actors.member_a.pk]


def test_done_needs_an_actual_date(actors):
    milestone = factories.milestone()
    milestone.status = Milestone.Status.DONE
    with pytest.raises(ValidationError):
        services.milestone_save(milestone=milestone, actor=actors.staff)


def test_register_update_and_withdraw_interest(actors):
    product = Product.objects.first()
    registration = services.demand_register(
        member=actors.a, actor=actors.member_a, plot_size_m2=400, workers=6, readiness=Readiness.NOW, products=[product]
    )
    first_date = registration.registered_at
    services.demand_register(member=actors.a, actor=actors.member_a, plot_size_m2=500, workers=6, readiness="year")
    registration.refresh_from_db()
    assert (registration.plot_size_m2, registration.readiness, registration.registered_at) == (500, "year", first_date)
    services.demand_withdraw(member=actors.a, actor=actors.member_a)
    registration.refresh_from_db()
    assert registration.status == DemandRegistration.Status.WITHDRAWN
    with pytest.raises(ValidationError):
        services.demand_withdraw(member=actors.a, actor=actors.member_a)
    again = services.demand_register(
        member=actors.a, actor=actors.member_a, plot_size_m2=300, workers=2, readiness="now"
    )
    assert again.registered_at > first_date  # back in the queue from today
    assert AuditEntry.objects.filter(action__startswith="estate.demand").count() == 4


def test_interest_page_normalises_persian_digits_and_keeps_bad_input(actors, client_as):
    client = client_as("member_a")
    response = client.post(reverse("estate:interest"), {"plot_size_m2": "۱۰", "workers": "۳", "readiness": "now"})
    assert response.status_code == 400
    assert 'value="۱۰"' in response.content.decode()  # what was typed stays
    response = client.post(
        reverse("estate:interest"),
        {"plot_size_m2": "۴۵۰", "workers": "۳", "readiness": "now", "investment_rial": "۲۰۰٬۰۰۰٬۰۰۰"},
    )
    assert response.status_code == 302
    registration = DemandRegistration.objects.get(member=actors.a)
    assert (registration.plot_size_m2, registration.workers, registration.investment_rial) == (450, 3, 2_000_000_000)


def _setup_ranking(actors):
    permit_factories.permit(actors.a, "manufacturing_licence", expiry_in=100)
    factories.registration(actors.a, workers=4, readiness=Readiness.SIX_MONTHS, days_ago=5)
    factories.registration(actors.b, workers=20, readiness=Readiness.NOW, days_ago=10)
    return factories.allocation(actor=actors.staff)


def test_ranking_points_order_and_tie_break(actors):
    allocation = _setup_ranking(actors)
    ranking = services.ranking_compute(allocation=allocation, actor=actors.staff)
    entries = list(ranking.entries.order_by("rank").values_list("member_id", "total", "points"))
    # B: workers 20/20 → 20, readiness now → 25, no licence; A: licence 25, workers 4/20 → 4, readiness 2/3 → 16.67
    assert [(m, str(t)) for m, t, _p in entries] == [(actors.a.pk, "45.67"), (actors.b.pk, "45.00")]
    assert entries[0][2] == {
        "membership_age": "0.00",
        "valid_licence": "25.00",
        "workers": "4.00",
        "readiness": "16.67",
    }


def test_ties_go_to_the_earlier_registration_then_the_lower_id():
    criteria = [["workers", 20]]
    inputs = [
        {"member_id": 7, "registered_at": "2026-01-02T00:00:00", "workers": 5},
        {"member_id": 3, "registered_at": "2026-01-02T00:00:00", "workers": 5},
        {"member_id": 9, "registered_at": "2026-01-01T00:00:00", "workers": 5},
    ]
    assert [row["member_id"] for row in ranking_rules.rank(criteria, inputs)] == [9, 3, 7]


def test_the_same_data_gives_the_same_ranking_and_the_snapshot_reproduces_it(actors):
    allocation = _setup_ranking(actors)
    first = services.ranking_compute(allocation=allocation, actor=actors.staff)
    second = services.ranking_compute(allocation=allocation, actor=actors.staff)
    order = lambda r: list(r.entries.order_by("rank").values_list("member_id", "total"))  # noqa: E731
    assert order(first) == order(second)
    assert first.inputs_digest == second.inputs_digest == ranking_rules.digest(first.criteria, first.inputs)
    recomputed = services.ranking_recompute_from_snapshot(first)
    assert [(r["member_id"], r["total"]) for r in recomputed] == [(m, str(t)) for m, t in order(first)]


def test_criteria_are_frozen_once_published(actors):
    draft = factories.allocation(publish=False)
    with pytest.raises(ValidationError, match="Publish the allocation"):
        services.ranking_compute(allocation=draft, actor=actors.staff)
    services.allocation_publish(allocation=draft, actor=actors.staff)
    with pytest.raises(ValidationError, match="already published"):
        services.allocation_publish(allocation=draft, actor=actors.staff)


def test_published_ranking_shows_each_member_its_rank_and_no_names_to_others(actors, client_as):
    allocation = _setup_ranking(actors)
    ranking = services.ranking_compute(allocation=allocation, actor=actors.staff)
    services.ranking_publish(ranking=ranking, actor=actors.staff)
    member_a = client_as("member_a")
    member_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = member_a.get(reverse("estate:ranking")).content.decode()
    public = client_as("anonymous").get(reverse("estate:ranking")).content.decode()
    home = member_a.get(reverse("estate:home")).content.decode()
    assert 'data-testid="my-row"' in page and 'data-rank="1" class="table-info"' in page
    assert actors.a.business_name not in public and actors.b.business_name not in public
    assert "Your rank: 1 of 2" in home
    assert Notification.objects.filter(user=actors.member_b, subject__contains="۲").count() == 1


def test_estate_home_queries_do_not_grow_with_milestones(actors, client_as):
    client = client_as("member_a")
    factories.milestone()
    client.get(reverse("estate:home"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("estate:home"))
    for index in range(5):
        factories.milestone(title=f"گام {index}", planned_in=-index)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("estate:home"))
    assert (response.status_code, len(one)) == (200, len(many))


def test_membership_status_matters_for_the_register(actors):
    Member.objects.filter(pk=actors.a.pk).update(status=Member.Status.SUSPENDED)
    actors.a.refresh_from_db()
    with pytest.raises(ValidationError):
        services.demand_register(member=actors.a, actor=actors.member_a, plot_size_m2=400, workers=1, readiness="now")
    assert DemandRegistration.objects.count() == 0


def test_dashboard_shows_the_members_interest_and_rank(actors, client_as):
    allocation = _setup_ranking(actors)
    services.ranking_publish(
        ranking=services.ranking_compute(allocation=allocation, actor=actors.staff), actor=actors.staff
    )
    client = client_as("member_b")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("members:dashboard")).content.decode()
    section = page[page.index('data-testid="estate-section"') :]
    assert "Your estate interest: 400 m²" in section
    assert "Your rank: 2 of 2" in section


def _dashboard(member):
    return member_dashboard_section(request=None, member=member)["context"]


def _from_the_estate_page(member):
    """What the estate page's selectors say, in the dashboard's terms."""
    registration = selectors.member_registration(member, products=False)
    entry = selectors.member_rank(member=member)
    return {
        "registration": registration
        and {
            "status": registration.status,
            "plot_size_m2": registration.plot_size_m2,
            "readiness_label": registration.get_readiness_display(),
        },
        "my_rank": entry
        and {"rank": entry.rank, "of": entry.of, "total": entry.total, "labelled_points": entry.labelled_points},
    }


def test_the_dashboard_section_is_one_query_and_says_what_the_estate_page_says(actors, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert _dashboard(actors.a) == {"registration": None, "my_rank": None}
    allocation = _setup_ranking(actors)
    first = services.ranking_compute(allocation=allocation, actor=actors.staff)
    with django_assert_num_queries(1):
        assert _dashboard(actors.a)["my_rank"] is None  # computed, not published yet
    services.ranking_publish(ranking=first, actor=actors.staff)
    services.demand_withdraw(member=actors.b, actor=actors.member_b)
    # A newer ranking of an allocation that is still a draft is not the one shown.
    draft = factories.allocation(publish=False)
    with django_assert_num_queries(1):
        context = _dashboard(actors.a)
    assert context == _from_the_estate_page(actors.a)
    assert context["my_rank"]["rank"] == 1 and context["my_rank"]["of"] == 2
    assert str(context["my_rank"]["total"]) == "45.67"
    assert [(str(p["label"]), p["weight"], p["points"]) for p in context["my_rank"]["labelled_points"]] == [
        ("Membership age (months, up to 60)", 20, "0.00"),
        ("Valid manufacturing health licence", 25, "25.00"),
        ("Workers (up to 20)", 20, "4.00"),
        ("Investment readiness", 25, "16.67"),
    ]
    assert _dashboard(actors.b) == _from_the_estate_page(actors.b)  # withdrawn, still ranked
    assert _dashboard(actors.b)["registration"]["status"] == "withdrawn"
    # A newer published ranking with more members ranked: the member's new row and count.
    for index in range(3):
        member = Member.objects.create(
            kind="guild",
            business_name=f"کارگاه {index}",
            owner_name="مالک",
            owner_national_id=f"9{index:09d}",
            mobile=f"0915{index:07d}",
            county="qazvin",
            status=Member.Status.ACTIVE,
        )
        factories.registration(member, workers=20, readiness=Readiness.NOW, days_ago=20 + index)
    services.ranking_publish(
        ranking=services.ranking_compute(allocation=allocation, actor=actors.staff), actor=actors.staff
    )
    assert draft.status == "draft"
    with django_assert_num_queries(1):
        context = _dashboard(actors.a)
    assert context == _from_the_estate_page(actors.a)
    assert context["my_rank"]["of"] == 4  # B withdrew: the three new members and A
