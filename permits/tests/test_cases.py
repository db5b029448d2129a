"""Cases: opening, steps kept and dated, moving back with a reason, tracking codes, issuing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone, translation

from core.audit import audit_entries_for
from core.models import Notification
from permits import services
from permits.models import CaseStep, Permit, PermitCase
from permits.tests import factories


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def _open(actors, code="home_business", **kwargs):
    factories.grant_prerequisites(actors.a, code, worker=kwargs.get("worker"))
    return services.permit_case_open(
        member=actors.a, actor=actors.member_a, permit_type=factories.permit_type(code), **kwargs
    )


def test_open_case_records_first_step_and_audit(actors):
    case = _open(actors)
    assert list(case.steps.values_list("step", "actor_id", "left_at")) == [("not_started", actors.member_a.pk, None)]
    assert [e.action for e in audit_entries_for(case)] == ["permits.case_open"]


@pytest.mark.usefixtures("english")
def test_worker_permit_needs_own_worker(actors):
    other_worker = factories.worker(actors.b)
    with pytest.raises(ValidationError) as error:
        _open(actors, "health_card")
    assert error.value.message_dict == {"worker": ["Choose the worker this permit is for."]}
    with pytest.raises(ValidationError) as error:
        _open(actors, "health_card", worker=other_worker)
    assert error.value.message_dict == {"worker": ["Choose one of your own workers."]}


@pytest.mark.usefixtures("english")
def test_second_open_case_for_the_same_thing_refused(actors):
    _open(actors)
    with pytest.raises(ValidationError) as error:
        _open(actors)
    assert error.value.message_dict == {"permit_type": ["You already have an open case for this permit."]}


def test_steps_forward_are_dated_and_kept(actors):
    case = _open(actors)
    services.permit_case_advance(case=case, actor=actors.member_a, step="preparing")
    services.permit_case_advance(case=case, actor=actors.member_a, step="submitted", tracking_code="KH-1")
    services.permit_case_advance(case=case, actor=actors.staff, step="deficiency", note="نقشه ناقص است")
    steps = list(case.steps.order_by("entered_at", "id"))
    assert [s.step for s in steps] == ["not_started", "preparing", "submitted", "deficiency"]
    assert all(s.left_at == n.entered_at for s, n in zip(steps, steps[1:], strict=False))
    assert steps[-1].left_at is None
    case.refresh_from_db()
    assert (case.step, case.tracking_code) == ("deficiency", "KH-1")


@pytest.mark.usefixtures("english")
def test_submitted_needs_a_tracking_code(actors):
    case = _open(actors)
    services.permit_case_advance(case=case, actor=actors.member_a, step="preparing")
    with pytest.raises(ValidationError) as error:
        services.permit_case_advance(case=case, actor=actors.member_a, step="submitted")
    assert error.value.message_dict == {"tracking_code": ["Enter the tracking code the authority gave you."]}


def test_tracking_code_is_a_database_rule_too(actors):
    case = _open(actors)
    with pytest.raises(IntegrityError):
        PermitCase.objects.filter(pk=case.pk).update(step="submitted")


@pytest.mark.usefixtures("english")
def test_moving_back_is_its_own_action_with_a_reason(actors):
    case = factories.submitted_case(actors.a, actors.member_a)
    services.permit_case_advance(case=case, actor=actors.member_a, step="inspection")
    with pytest.raises(ValidationError) as error:
        services.permit_case_advance(case=case, actor=actors.member_a, step="preparing", note="x")
    assert error.value.message_dict == {"step": ["Moving the case back is its own action, with a reason."]}
    with pytest.raises(ValidationError) as error:
        services.permit_case_move_back(case=case, actor=actors.member_a, step="preparing", reason="  ")
    assert error.value.message_dict == {"reason": ["Say why the case moves back a step."]}
    services.permit_case_move_back(case=case, actor=actors.member_a, step="preparing", reason="مدرک تازه خواستند")
    last = case.steps.order_by("-entered_at", "-id").first()
    assert (last.step, last.is_backward, last.note) == ("preparing", True, "مدرک تازه خواستند")
    entry = audit_entries_for(case)[0]
    assert (entry.action, entry.note, entry.changes) == (
        "permits.case_move_back",
        "مدرک تازه خواستند",
        {"step": ["inspection", "preparing"]},
    )


def test_a_backward_step_without_reason_is_refused_by_the_database(actors):
    case = _open(actors)
    with pytest.raises(IntegrityError):
        CaseStep.objects.create(case=case, step="not_started", entered_at=timezone.now(), is_backward=True)


def test_closed_case_goes_nowhere(actors):
    case = _open(actors)
    services.permit_case_advance(case=case, actor=actors.member_a, step="withdrawn")
    with pytest.raises(ValidationError):
        services.permit_case_advance(case=case, actor=actors.member_a, step="preparing", note="x")


@pytest.mark.usefixtures("english")
def test_rejection_needs_the_reason(actors):
    case = factories.submitted_case(actors.a, actors.member_a)
    with pytest.raises(ValidationError) as error:
        services.permit_case_advance(case=case, actor=actors.member_a, step="rejected")
    assert error.value.message_dict == {"note": ["Write the authority's reason for the rejection."]}


def test_staff_step_notifies_the_member(actors, django_capture_on_commit_callbacks):
    case = factories.submitted_case(actors.a, actors.member_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.permit_case_advance(case=case, actor=actors.staff, step="deficiency", note="کمبود")
    assert list(Notification.objects.filter(user=actors.member_a).values_list("subject", flat=True)) == [
        "پرونده «مجوز مشاغل خانگی» شما اکنون در این مرحله است: اعلام نقص"
    ]


def _issue(case, actor, **overrides):
    today = timezone.localdate()
    values = dict(
        number="KH-1404-1",
        issuer="اداره کار قزوین",
        issue_date=today,
        expiry_date=None,
    )
    values.update(overrides)
    return services.permit_issue(case=case, actor=actor, **values)


def test_issue_creates_the_permit_and_closes_the_case(actors):
    case = factories.submitted_case(actors.a, actors.member_a)
    permit = _issue(case, actors.member_a)
    case.refresh_from_db()
    assert (case.step, permit.member_id, permit.case_id, permit.number) == ("issued", actors.a.pk, case.pk, "KH-1404-1")
    assert [e.action for e in audit_entries_for(permit)] == ["permits.permit_issue"]


@pytest.mark.usefixtures("english")
def test_issue_rules(actors):
    today = timezone.localdate()
    case = factories.submitted_case(actors.a, actors.member_a, "business_licence")
    with pytest.raises(ValidationError) as error:
        _issue(case, actors.member_a, issue_date=today + datetime.timedelta(days=1), expiry_date=today)
    assert error.value.message_dict == {
        "issue_date": ["The issue date cannot be in the future."],
        "expiry_date": ["The expiry date must be after the issue date."],
    }
    with pytest.raises(ValidationError) as error:
        _issue(case, actors.member_a, expiry_date=None)
    assert error.value.message_dict == {"expiry_date": ["This permit has an expiry date: enter it."]}


@pytest.mark.usefixtures("english")
def test_longer_validity_than_typical_needs_confirmation(actors):
    today = timezone.localdate()
    case = factories.submitted_case(actors.a, actors.member_a, "business_licence")  # 60 months
    too_long = today.replace(year=today.year + 6)
    with pytest.raises(ValidationError) as error:
        _issue(case, actors.member_a, expiry_date=too_long)
    assert error.value.message_dict == {
        "confirm_long_validity": [
            "This validity is longer than the usual 60 months for this permit. Check the dates, then confirm."
        ]
    }
    permit = _issue(case, actors.member_a, expiry_date=too_long, confirm_long_validity=True)
    assert permit.expiry_date == too_long


@pytest.mark.usefixtures("english")
def test_type_and_number_unique(actors):
    factories.permit(actors.b, "home_business", number="KH-1404-1", expiry_in=None)
    case = factories.submitted_case(actors.a, actors.member_a)
    with pytest.raises(ValidationError) as error:
        _issue(case, actors.member_a)
    assert error.value.message_dict == {"number": ["A permit of this type with this number is already recorded."]}
    with pytest.raises(IntegrityError):
        factories.permit(actors.a, "home_business", number="KH-1404-1", expiry_in=None)


def test_expiry_after_issue_is_a_database_rule(actors):
    with pytest.raises(IntegrityError):
        factories.permit(actors.a, "business_licence", issue_days_ago=10, expiry_in=-10)


def test_issue_form_names_a_jalali_date_that_does_not_exist_and_keeps_input(actors, client_as):
    case = factories.submitted_case(actors.a, actors.member_a, "business_licence")
    response = client_as("member_a").post(
        reverse("permits:case_issue", args=[case.pk]),
        {"number": "BL-77", "issuer": "اتحادیه", "issue_date": "1404/12/30", "expiry_date": "۱۴۰۹/۰۱/۱۰"},
    )
    assert response.status_code == 400
    form = response.context["issue_form"]
    assert form.errors == {"issue_date": ["این روز در آن ماه وجود ندارد."]}
    assert 'value="BL-77"' in response.content.decode()
    assert not Permit.objects.filter(case=case).exists()


def test_back_without_reason_via_page_keeps_what_was_typed(actors, client_as):
    case = factories.submitted_case(actors.a, actors.member_a)
    response = client_as("member_a").post(
        reverse("permits:case_back", args=[case.pk]), {"back-step": "preparing", "back-reason": ""}
    )
    assert response.status_code == 400
    assert response.context["back_form"].errors == {"reason": ["بنویسید چرا پرونده به مرحله قبل برمی‌گردد."]}
    assert '<option value="preparing" selected>' in response.content.decode()
    case.refresh_from_db()
    assert case.step == "submitted"


def test_back_via_page_records_the_reason(actors, client_as):
    case = factories.submitted_case(actors.a, actors.member_a)
    response = client_as("staff").post(
        reverse("permits:case_back", args=[case.pk]), {"back-step": "preparing", "back-reason": "کد رهگیری اشتباه بود"}
    )
    assert (response.status_code, response["Location"]) == (302, case.get_absolute_url())
    last = case.steps.order_by("-entered_at", "-id").first()
    assert (last.step, last.is_backward, last.note, last.actor_id) == (
        "preparing",
        True,
        "کد رهگیری اشتباه بود",
        actors.staff.pk,
    )


def test_checklist_tick_and_untick_with_htmx(actors, client_as):
    case = factories.submitted_case(actors.a, actors.member_a)
    item = case.permit_type.checklist_items.first()
    client = client_as("member_a")
    url = reverse("permits:checklist_tick", args=[case.pk, item.pk])
    response = client.post(url, {"ticked": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.content.decode()
    assert list(case.ticks.values_list("item_id", flat=True)) == [item.pk]
    client.post(url, {"ticked": "0"}, HTTP_HX_REQUEST="true")
    assert case.ticks.count() == 0
    actions = sorted(e.action for e in audit_entries_for(case) if e.action.startswith("permits.checklist"))
    assert actions == ["permits.checklist_tick", "permits.checklist_untick"]


def test_worker_add_validates_national_id_and_keeps_input(actors, client_as):
    client = client_as("member_a")
    response = client.post(
        reverse("permits:worker_add"), {"full_name": "علی", "national_id": "1111111111", "role": "sales"}
    )
    assert response.status_code == 400
    assert list(response.context["worker_form"].errors) == ["national_id"]
    assert 'value="علی"' in response.content.decode()
    response = client.post(
        reverse("permits:worker_add"), {"full_name": "علي", "national_id": "۰۰۱۳۵۴۲۴۱۹", "role": "sales"}
    )
    assert response.status_code == 302
    worker = actors.a.workers.get()
    assert (worker.full_name, worker.national_id, worker.role) == ("علی", "0013542419", "sales")


def test_case_open_via_page(actors, client_as):
    factories.grant_prerequisites(actors.b, "home_business")
    response = client_as("member_b").post(
        reverse("permits:case_open"), {"permit_type": factories.permit_type("home_business").pk}
    )
    case = PermitCase.objects.get()
    assert (response.status_code, response["Location"], case.member_id) == (302, case.get_absolute_url(), actors.b.pk)
