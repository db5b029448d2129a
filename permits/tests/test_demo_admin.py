"""The demo seed (every state, every step, idempotent), the scale seed, and the admin pages."""

import io

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login_verified
from members.demo import seed_accounts
from members.models import User
from permits import demo
from permits.models import OPEN_STEPS, CaseStep, CaseStepKind, Permit, PermitCase, PermitState, Worker
from permits.selectors import permits_with_state


@pytest.fixture
def seeded(db):
    seed_accounts()
    out = io.StringIO()
    demo.seed(stdout=out)
    return out.getvalue()


def _client(mobile="09120000010"):
    user = User.objects.get(mobile=mobile)
    return login_verified(Client(), user) if user.is_staff else _plain_login(user)


def _plain_login(user):
    client = Client()
    client.force_login(user)
    return client


def test_seed_has_every_state_and_every_step(seeded):
    states = set(permits_with_state().values_list("state", flat=True))
    assert states == set(PermitState.values)
    steps = set(PermitCase.objects.values_list("step", flat=True))
    expected = set(CaseStepKind.values)
    from catalogue.models import Product

    if not Product.objects.exists():
        expected.discard(CaseStepKind.REJECTED)
    assert steps == expected
    cards = permits_with_state(Permit.objects.filter(permit_type__code="health_card"))
    assert cards.filter(state="expiring_soon").count() == 3


def test_seed_is_idempotent(seeded):
    counts = (Permit.objects.count(), PermitCase.objects.count(), CaseStep.objects.count(), Worker.objects.count())
    demo.seed(stdout=io.StringIO())
    assert (
        Permit.objects.count(),
        PermitCase.objects.count(),
        CaseStep.objects.count(),
        Worker.objects.count(),
    ) == counts


def test_seed_scale_bulk(seeded):
    before = Permit.objects.count()
    demo.seed_scale(scale=1, stdout=io.StringIO())
    added = Permit.objects.count() - before
    assert 490 <= added <= 500
    assert PermitCase.objects.filter(step__in=OPEN_STEPS).count() >= 50
    demo.seed_scale(scale=1, stdout=io.StringIO())  # a second run adds nothing
    assert Permit.objects.count() - before == added


@pytest.mark.parametrize(
    "url",
    [
        "admin:permits_permit_changelist",
        "admin:permits_permitcase_changelist",
        "admin:permits_permittype_changelist",
        "admin:permits_worker_changelist",
        "admin:permits_casestep_changelist",
        "admin:permits_casedocument_changelist",
        "admin:permits_remindersent_changelist",
    ],
)
def test_admin_lists_open_for_staff(seeded, url):
    assert _client().get(reverse(url)).status_code == 200


@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ("state=expired", {"HC-1404-5532", "HC-1403-7002"}),
        ("state=replaced", {"SN-1402-3390"}),
        ("state=renewal", {"FDO-1399-7781"}),
        ("issuer=labour_office", set()),
        ("county=takestan", {"HC-1404-6610"}),
    ],
)
def test_admin_permit_filters(seeded, query, numbers):
    response = _client().get(reverse("admin:permits_permit_changelist") + "?" + query)
    assert {p.number for p in response.context["cl"].result_list} == numbers


def test_admin_permit_type_change_page_and_case_page(seeded):
    client = _client()
    permit_type = PermitCase.objects.first().permit_type
    assert client.get(reverse("admin:permits_permittype_change", args=[permit_type.pk])).status_code == 200
    case = PermitCase.objects.first()
    assert client.get(reverse("admin:permits_permitcase_change", args=[case.pk])).status_code == 200
    assert _client("09120000001").get(reverse("admin:permits_permit_changelist")).status_code == 302
