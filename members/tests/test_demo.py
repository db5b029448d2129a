import pytest
from django.db.models import Count

from members import demo
from members.models import Member, MembershipCounter, MemberUser

pytestmark = pytest.mark.django_db


def test_seed_adds_both_kinds_in_every_status_with_logos_and_is_idempotent():
    demo.seed_accounts()
    demo.seed()
    demo.seed()
    extra = Member.objects.filter(mobile__startswith="091210")
    combos = set(extra.values_list("kind", "status"))
    assert combos == {(kind, status) for kind in Member.Kind.values for status in Member.Status.values}
    assert extra.count() == 12
    assert Member.objects.filter(logo="").count() == 0
    # The demo accounts keep their businesses and numbers.
    assert dict(
        Member.objects.filter(mobile__in=["09120000001", "09120000002", "09120000003"]).values_list(
            "mobile", "membership_number"
        )
    ) == {"09120000001": 1001, "09120000002": 1002, "09120000003": 1003}
    rejected = extra.get(kind="home", status="rejected")
    assert rejected.status_changes.first().reason == demo.STATUS_REASONS["rejected"]


def test_seed_scale_bulk_inserts_twenty_members_per_step_with_owners():
    demo.seed_accounts()
    demo.seed_scale(scale=2)
    demo.seed_scale(scale=1)
    synthetic = Member.objects.filter(mobile__startswith="0916")
    assert synthetic.count() == 60
    assert MemberUser.objects.filter(member__in=synthetic, role="owner").count() == 60
    numbers = list(synthetic.exclude(membership_number=None).values_list("membership_number", flat=True))
    assert len(numbers) == len(set(numbers))
    assert MembershipCounter.objects.get().last_number == max(numbers)
    assert synthetic.values("status").annotate(n=Count("id")).count() == 5


def test_demo_national_ids_are_valid():
    from core.validators import is_valid_national_id

    assert all(is_valid_national_id(demo.national_id(seed)) for seed in range(100000000, 100000500))


def test_seed_gives_demo_members_their_years_and_one_a_reminder():
    from django.utils import timezone

    from core.models import Notification
    from members.models import MembershipReminder, MembershipYear

    demo.seed_accounts()
    demo.seed()
    demo.seed()
    today = timezone.localdate()
    for member in Member.objects.filter(status__in=["active", "suspended"]):
        year = member.membership_years.order_by("-ends_on").first()
        assert year.starts_on <= today <= year.ends_on, member
    near = Member.objects.get(mobile="09120000002").membership_years.get()
    assert (near.ends_on - today).days == 6
    assert list(MembershipReminder.objects.values_list("year", "days_before")) == [(near.pk, 7)]
    assert Notification.objects.filter(user__mobile="09120000002", subject__contains="۶ روز").count() == 1
    assert Member.objects.get(mobile="09120000001").membership_years.count() == 2
    for member in Member.objects.filter(mobile__startswith="091210", status="lapsed"):
        assert member.membership_years.get().lapsed_at is not None
    assert not MembershipYear.objects.filter(member__status__in=["applied", "rejected"]).exists()


def test_seed_scale_gives_synthetic_members_years():
    from members.models import MembershipYear

    demo.seed_accounts()
    demo.seed_scale(scale=1)
    synthetic = Member.objects.filter(mobile__startswith="0916")
    assert (
        MembershipYear.objects.filter(member__in=synthetic).count()
        == synthetic.exclude(status__in=["applied", "resigned"]).count()
    )
