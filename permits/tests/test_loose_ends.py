"""Issue 15's loose ends and issue 13's next step: prerequisites enforced, the establishment and
operation health licences, legal response times with one escalation per late step, the public
verification page (green → red), suspension and revocation, and forward-only steps with moving
back as its own action."""

import datetime
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from core.audit import audit_entries_for
from core.models import Notification
from permits import services
from permits.forms import CaseAdvanceForm, CaseBackForm
from permits.models import CaseEscalation, CaseStep, CaseStepKind, Permit, PermitCase, PermitType, StepDeadline
from permits.selectors import (
    missing_prerequisites,
    overdue_cases,
    permit_state,
    permit_verdict,
    permits_in_force,
    response_delays,
)
from permits.tests import factories


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def _open(actors, code, **kwargs):
    return services.permit_case_open(
        member=actors.a, actor=actors.member_a, permit_type=factories.permit_type(code), **kwargs
    )


# -- prerequisites ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_no_case_without_a_valid_prerequisite(actors):
    with pytest.raises(ValidationError) as error:
        _open(actors, "business_licence")
    assert error.value.message_dict == {
        "permit_type": ["This permit needs a valid Health competency certificate first."]
    }
    assert not PermitCase.objects.exists()
    expired = factories.permit(actors.a, "health_competency", issue_days_ago=400, expiry_in=-1)
    with pytest.raises(ValidationError):
        _open(actors, "business_licence")
    Permit.objects.filter(pk=expired.pk).update(expiry_date=None)
    case = _open(actors, "business_licence")
    assert case.step == "not_started"


@pytest.mark.usefixtures("english")
def test_a_suspended_or_revoked_prerequisite_does_not_count(actors):
    competency = factories.permit(actors.a, "health_competency", expiry_in=None)
    today = timezone.localdate()
    services.permit_status_set(
        permit=competency, actor=actors.staff, suspended_from=today, suspended_until=None, status_note="بازدید"
    )
    with pytest.raises(ValidationError):
        _open(actors, "business_licence")
    services.permit_status_set(permit=competency, actor=actors.staff)  # lifted
    services.permit_status_set(
        permit=competency, actor=actors.staff, revoked_on=today - datetime.timedelta(days=1), status_note="لغو"
    )
    with pytest.raises(ValidationError):
        _open(actors, "business_licence")


@pytest.mark.usefixtures("english")
def test_worker_prerequisites_name_the_workers_missing_them(actors):
    with pytest.raises(ValidationError) as error:
        _open(actors, "health_competency")
    assert error.value.message_dict == {
        "permit_type": [
            "This permit needs a valid Health card (add your workers first) and Hygiene course certificate "
            "(add your workers first) first."
        ]
    }
    ali = factories.worker(actors.a)
    sara = factories.worker(actors.a, full_name="سارا رضایی", national_id=factories.VALID_IDS[2])
    for worker in (ali, sara):
        factories.permit(actors.a, "hygiene_certificate", worker=worker)
    factories.permit(actors.a, "health_card", worker=ali)
    with pytest.raises(ValidationError) as error:
        _open(actors, "health_competency")
    assert error.value.message_dict == {
        "permit_type": ["This permit needs a valid Health card (missing for سارا رضایی) first."]
    }
    factories.permit(actors.a, "health_card", worker=sara)
    assert _open(actors, "health_competency").permit_type.code == "health_competency"


def test_one_technical_officer_is_enough(actors, django_assert_num_queries):
    licence = factories.permit_type("manufacturing_licence")
    factories.permit(actors.a, "business_licence")
    factories.permit(actors.a, "health_competency", expiry_in=None)
    officer = factories.worker(actors.a, role="technical_officer")
    factories.worker(actors.a, full_name="کارگر دوم", national_id=factories.VALID_IDS[3])
    assert [m["type"].code for m in missing_prerequisites(member=actors.a, permit_type=licence)] == [
        "technical_officer"
    ]
    factories.permit(actors.a, "technical_officer", worker=officer)
    licence = PermitType.objects.prefetch_related("prerequisites").get(pk=licence.pk)
    with django_assert_num_queries(1):
        assert missing_prerequisites(member=actors.a, permit_type=licence) == []


def test_refused_case_on_the_page_says_why_and_keeps_the_choice(actors, client_as):
    business = factories.permit_type("business_licence")
    response = client_as("member_a").post(reverse("permits:case_open"), {"permit_type": business.pk})
    assert response.status_code == 400
    assert response.context["case_form"].errors == {
        "permit_type": ["برای این مجوز نخست گواهی صلاحیت بهداشتی معتبر لازم است."]
    }
    assert f'<option value="{business.pk}" selected>' in response.content.decode()
    assert not PermitCase.objects.exists()


def test_catalogue_has_the_establishment_and_operation_health_licences(db):
    establishment = factories.permit_type("establishment_licence")
    operation = factories.permit_type("operation_licence")
    assert (establishment.name_fa, establishment.issuer, establishment.holder_kind) == (
        "پروانه بهداشتی تأسیس",
        "food_drug",
        "business",
    )
    assert (operation.name_fa, operation.validity_months) == ("پروانه بهداشتی بهره‌برداری", 60)
    assert sorted(operation.prerequisites.values_list("code", flat=True)) == [
        "establishment_licence",
        "technical_officer",
    ]
    assert establishment.checklist_items.count() == 3
    assert StepDeadline.objects.get(issuer="food_drug", step="submitted").days == 30


# -- next step: forward by default, back with a reason ---------------------------------------------


@pytest.mark.parametrize(
    ("step", "forward", "back"),
    [
        ("not_started", ["preparing", "withdrawn"], []),
        ("preparing", ["submitted", "withdrawn"], ["not_started"]),
        (
            "submitted",
            ["inspection", "deficiency", "committee", "rejected", "withdrawn"],
            ["not_started", "preparing"],
        ),
        ("deficiency", ["submitted", "rejected", "withdrawn"], ["not_started", "preparing"]),
        ("inspection", ["committee", "deficiency", "rejected", "withdrawn"], ["not_started", "preparing", "submitted"]),
        ("committee", ["deficiency", "inspection", "rejected", "withdrawn"], ["not_started", "preparing", "submitted"]),
        ("issued", [], []),
        ("withdrawn", [], []),
    ],
)
def test_steps_that_can_follow(step, forward, back):
    case = PermitCase(step=step)
    assert (services.allowed_next_steps(case), services.allowed_back_steps(case)) == (forward, back)


def test_the_forms_offer_forward_steps_first_and_back_steps_apart(actors):
    case = factories.submitted_case(actors.a, actors.member_a)
    advance = CaseAdvanceForm(case=case)
    assert [value for value, _label in advance.fields["step"].choices] == [
        "inspection",
        "deficiency",
        "committee",
        "rejected",
        "withdrawn",
    ]
    assert advance["step"].value() == "inspection"
    back = CaseBackForm(case=case)
    assert [value for value, _label in back.fields["step"].choices] == ["preparing", "not_started"]


@pytest.mark.usefixtures("english")
def test_a_step_that_cannot_follow_is_refused(actors):
    case = _open_home(actors)
    with pytest.raises(ValidationError) as error:
        services.permit_case_advance(case=case, actor=actors.member_a, step="committee", tracking_code="T")
    assert error.value.message_dict == {"step": ["The case cannot move to this step from where it is."]}
    with pytest.raises(ValidationError) as error:
        services.permit_case_move_back(case=case, actor=actors.member_a, step="submitted", reason="x")
    assert error.value.message_dict == {"step": ["The case cannot move back to this step from where it is."]}
    assert list(case.steps.values_list("step", flat=True)) == ["not_started"]


def _open_home(actors):
    factories.grant_prerequisites(actors.a, "home_business")
    return _open(actors, "home_business")


def test_deficiency_then_submitted_again_is_forward(actors):
    case = factories.submitted_case(actors.a, actors.member_a)
    services.permit_case_advance(case=case, actor=actors.staff, step="deficiency", note="نقشه ناقص")
    services.permit_case_advance(case=case, actor=actors.member_a, step="submitted")
    last = case.steps.order_by("-entered_at", "-id").first()
    assert (last.step, last.is_backward) == ("submitted", False)


def test_detail_page_shows_the_forward_form_and_a_separate_back_form(actors, client_as):
    case = factories.submitted_case(actors.a, actors.member_a)
    html = client_as("member_a").get(case.get_absolute_url()).content.decode()
    advance = html[html.index('id="advance"') : html.index('id="back"')]
    assert re.findall(r'<option value="(\w+)"', advance) == [
        "inspection",
        "deficiency",
        "committee",
        "rejected",
        "withdrawn",
    ]
    assert '<option value="inspection" selected>' in advance
    back = html[html.index('id="back"') : html.index('id="issue"')]
    assert re.findall(r'<option value="(\w+)"', back) == ["preparing", "not_started"]
    assert reverse("permits:case_back", args=[case.pk]) in back


# -- legal response times and escalation ------------------------------------------------------------


def _late_case(actors, *, days_ago, member=None, code="business_licence", tracking="T-1", **kwargs):
    """A case at "submitted" (guild union: 15 legal days) entered `days_ago` days ago."""
    member = member or actors.a
    case = factories.submitted_case(member, actors.member_a, code, tracking=tracking, **kwargs)
    when = timezone.now() - datetime.timedelta(days=days_ago)
    CaseStep.objects.filter(case=case).update(entered_at=when - datetime.timedelta(days=1), left_at=when)
    CaseStep.objects.filter(case=case, step="submitted").update(entered_at=when, left_at=None)
    PermitCase.objects.filter(pk=case.pk).update(step_changed_at=when)
    case.refresh_from_db()
    return case


def _staff_messages(actors):
    return list(Notification.objects.filter(user=actors.staff).values_list("subject", flat=True))


def test_a_late_case_is_escalated_once(actors, django_capture_on_commit_callbacks):
    late = _late_case(actors, days_ago=20)
    _late_case(actors, days_ago=15, member=actors.b, code="home_business", tracking="T-2")  # due today: not late
    with django_capture_on_commit_callbacks(execute=True):
        first = services.case_escalations_send()
        second = services.case_escalations_send()
    assert (first, second) == ({"escalated": 1, "skipped": 0}, {"escalated": 0, "skipped": 1})
    escalation = CaseEscalation.objects.get()
    due = timezone.localdate() - datetime.timedelta(days=5)
    assert (escalation.case_id, escalation.step, escalation.days_allowed, escalation.due_on) == (
        late.pk,
        "submitted",
        15,
        due,
    )
    messages = _staff_messages(actors)
    assert len(messages) == 1
    assert messages[0].startswith(f"{actors.a.business_name}: «پروانه کسب» در مرحله «ثبت‌شده")
    assert "۵ روز بیش از مهلت قانونی ۱۵ روزه" in messages[0]
    assert [e.action for e in audit_entries_for(late)][0] == "permits.case_escalate"


def test_a_new_late_step_is_escalated_again(actors):
    case = _late_case(actors, days_ago=40)
    services.case_escalations_send()
    services.permit_case_advance(case=case, actor=actors.staff, step="inspection")
    inspection = case.steps.get(step="inspection")
    when = timezone.now() - datetime.timedelta(days=12)  # guild union inspection: 10 days
    CaseStep.objects.filter(pk=inspection.pk).update(entered_at=when)
    PermitCase.objects.filter(pk=case.pk).update(step_changed_at=when)
    assert services.case_escalations_send() == {"escalated": 1, "skipped": 0}
    assert list(CaseEscalation.objects.order_by("id").values_list("step", flat=True)) == ["submitted", "inspection"]


def test_escalation_command_runs_the_task(actors):
    _late_case(actors, days_ago=30)
    out = io.StringIO()
    call_command("escalate_overdue_cases", stdout=out)
    call_command("escalate_overdue_cases", stdout=out)
    assert out.getvalue().splitlines() == [
        "permit cases escalated: 1, 0 already escalated",
        "permit cases escalated: 0, 1 already escalated",
    ]


def test_overdue_selector_counts_and_median(actors, django_assert_num_queries):
    _late_case(actors, days_ago=20)  # 5 days late
    _late_case(actors, days_ago=27, member=actors.b, code="home_business", tracking="T-2")  # 12 days late
    services.case_escalations_send()
    # The legal times, the permit types, the listed cases' ids then rows, every late case.
    with django_assert_num_queries(5):
        data = overdue_cases()
    assert (data["count"], data["median_delay_days"]) == (2, 8.5)
    # The dashboard's: the count and median from its stored figures, the types it has read.
    types = list(PermitType.objects.all())
    with django_assert_num_queries(3):
        listed = overdue_cases(figures={"count": 2, "median_delay_days": 8.5}, types=types)
    assert [c.pk for c in listed["cases"]] == [c.pk for c in data["cases"]]
    assert [(c.member_id, c.delay_days, c.days_allowed, c.escalated_at is not None) for c in data["cases"]] == [
        (actors.b.pk, 12, 15, True),
        (actors.a.pk, 5, 15, True),
    ]


def test_response_delays_for_a_past_day_do_not_change_with_new_data(actors):
    case = _late_case(actors, days_ago=30)
    past = timezone.localdate() - datetime.timedelta(days=3)
    before = response_delays(as_of=past)
    assert (before["count"], before["median_delay_days"]) == (1, 12)
    assert [(row["issuer"], row["count"]) for row in before["by_issuer"]] == [("guild_union", 1)]
    services.permit_case_advance(case=case, actor=actors.staff, step="inspection")  # today
    factories.submitted_case(actors.b, actors.member_b, "home_business", tracking="T-2")  # a new case today
    assert response_delays(as_of=past) == before
    assert response_delays()["count"] == 0  # the first moved on today; the new one is not late


def test_dashboard_and_admin_show_the_delay(actors, client_as):
    case = _late_case(actors, days_ago=20)
    services.case_escalations_send()
    response = client_as("staff").get(reverse("permits:dashboard"))
    html = response.content.decode()
    assert re.search(r'data-testid="overdue-count">۱<', html)
    assert re.search(r'data-testid="overdue-median">۵<', html)
    assert f'<tr data-case="{case.pk}">' in html
    admin = client_as("staff").get(reverse("admin:permits_permitcase_changelist") + "?escalated=yes")
    assert admin.status_code == 200
    assert [c.pk for c in admin.context["cl"].result_list] == [case.pk]
    assert 'class="text-danger">5</strong>' in admin.content.decode() or "۵</strong>" in admin.content.decode()
    assert client_as("staff").get(reverse("admin:permits_stepdeadline_changelist")).status_code == 200
    assert client_as("staff").get(reverse("admin:permits_caseescalation_changelist")).status_code == 200


def test_dashboard_queries_do_not_grow_with_late_cases(actors, client_as, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from members.dashboard_cache import bump_table

    client = client_as("staff")
    _late_case(actors, days_ago=20)
    client.get(reverse("permits:dashboard"))
    bump_table("permits.permit")
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("permits:dashboard"))
    for n in range(8):  # health cards (health centre: 10 legal days), one per worker
        worker = factories.worker(actors.b, full_name=f"w{n}", national_id=_valid(n))
        _late_case(actors, days_ago=20 + n, member=actors.b, code="health_card", tracking=f"T-{n}", worker=worker)
    bump_table("permits.permit")
    with django_assert_num_queries(len(one)):
        response = client.get(reverse("permits:dashboard"))
    assert len(re.findall(r'<tr data-case="\d+">', response.content.decode())) == 9


def _valid(n):
    from permits.tests.test_pages import _valid

    return _valid(n + 100)


# -- the public verification page -------------------------------------------------------------------


def _verify(client, permit):
    return client.get(reverse("permits:verify", args=[permit.public_code]))


def test_verification_page_green_with_what_a_visitor_may_see(actors, client, django_assert_num_queries):
    worker = factories.worker(actors.a, full_name="علی محمدی")
    card = factories.permit(actors.a, "health_card", number="HC-1404-5531", worker=worker)
    with django_assert_num_queries(1):
        response = _verify(client, card)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-state="green"' in html
    assert actors.a.business_name in html
    assert "کارت بهداشت" in html
    assert "HC-۱۴۰۴-۵۵۳۱" in html
    from core.jalali import format_date

    assert format_date(card.issue_date) in html and format_date(card.expiry_date) in html
    assert "علی محمدی" not in html and worker.national_id not in html  # no personal data
    assert actors.a.owner_national_id not in html and actors.a.mobile not in html
    assert response["Cache-Control"] == "private, no-store"
    assert not response.cookies
    assert "<script" not in html


def test_verification_turns_red_on_expiry_suspension_revocation_and_replacement(actors, client):
    permit = factories.permit(actors.a, "business_licence", issue_days_ago=100, expiry_in=0)
    assert 'data-state="green"' in _verify(client, permit).content.decode()  # the last day still counts
    Permit.objects.filter(pk=permit.pk).update(expiry_date=timezone.localdate() - datetime.timedelta(days=1))
    html = _verify(client, permit).content.decode()
    assert 'data-state="red"' in html and "منقضی شده است." in html

    Permit.objects.filter(pk=permit.pk).update(expiry_date=timezone.localdate() + datetime.timedelta(days=100))
    today = timezone.localdate()
    services.permit_status_set(
        permit=permit, actor=actors.staff, suspended_from=today, suspended_until=today, status_note="بازدید"
    )
    html = _verify(client, permit).content.decode()
    assert 'data-state="red"' in html and "مرجع صدور آن را تعلیق کرده است." in html
    assert permit_state(permit) == "suspended"
    assert not permits_in_force(Permit.objects.filter(pk=permit.pk)).exists()
    tomorrow = today + datetime.timedelta(days=1)
    permit.refresh_from_db()
    assert permit_verdict(permit, today=tomorrow) == {"ok": True, "reason": ""}  # the suspension ended

    services.permit_status_set(permit=permit, actor=actors.staff, revoked_on=today, status_note="لغو")
    assert "مرجع صدور آن را لغو کرده است." in _verify(client, permit).content.decode()
    assert permit_state(permit) == "revoked"
    assert [e.action for e in audit_entries_for(permit)][:2] == ["permits.permit_status", "permits.permit_status"]


def test_verification_of_unknown_code_is_404(client, db):
    response = client.get(reverse("permits:verify", args=["not-a-real-code-at-all"]))
    assert response.status_code == 404
    assert 'data-state="unknown"' in response.content.decode()


def test_verification_page_is_rate_limited_per_address(actors, client):
    permit = factories.permit(actors.a, "business_licence")
    codes = [_verify(client, permit).status_code for _ in range(61)]
    assert codes[:60] == [200] * 60 and codes[60] == 429


def test_public_codes_are_unique_and_unguessable(actors):
    codes = {factories.permit(actors.a, "business_licence", number=f"N-{n}").public_code for n in range(20)}
    assert len(codes) == 20
    assert all(len(code) >= 22 and re.fullmatch(r"[A-Za-z0-9_-]+", code) for code in codes)


def test_members_page_and_case_link_to_the_verification_page(actors, client_as):
    case = factories.submitted_case(actors.a, actors.member_a, "business_licence")
    permit = services.permit_issue(
        case=case,
        actor=actors.member_a,
        number="BL-1",
        issuer="اتحادیه",
        issue_date=timezone.localdate(),
        expiry_date=timezone.localdate() + datetime.timedelta(days=365),
    )
    client = client_as("member_a")
    assert permit.get_verify_url() in client.get(case.get_absolute_url()).content.decode()
    assert permit.get_verify_url() in client.get(reverse("permits:home")).content.decode()


# -- suspension through the admin ----------------------------------------------------------------


def test_staff_suspend_in_the_admin_through_the_service(actors, client_as):
    permit = factories.permit(actors.a, "business_licence", number="BL-ADM")
    url = reverse("admin:permits_permit_change", args=[permit.pk])
    client = client_as("staff")
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(
        issue_date=permit.issue_date.isoformat(),
        expiry_date=permit.expiry_date.isoformat(),
        suspended_from=timezone.localdate().isoformat(),
        status_note="",
    )
    data["products"] = []
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["status_note"] == ["دلیل مرجع صدور را بنویسید."]
    data["status_note"] = "تعلیق به دستور معاونت"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    permit.refresh_from_db()
    assert (permit.suspended_from, permit.status_note) == (timezone.localdate(), "تعلیق به دستور معاونت")
    entry = next(e for e in audit_entries_for(permit) if e.action == "permits.permit_status")
    assert entry.actor_id == actors.staff.pk


@pytest.mark.usefixtures("english")
def test_status_rules(actors):
    permit = factories.permit(actors.a, "business_licence")
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        services.permit_status_set(permit=permit, actor=actors.staff, suspended_until=today, status_note="x")
    assert error.value.message_dict == {"suspended_from": ["Enter the first day of the suspension."]}
    with pytest.raises(ValidationError) as error:
        services.permit_status_set(permit=permit, actor=actors.staff, revoked_on=today)
    assert error.value.message_dict == {"status_note": ["Write the authority's reason."]}
    assert CaseStepKind.ISSUED not in services.allowed_next_steps(PermitCase(step="submitted"))


def test_home_page_marks_a_suspended_prerequisite_as_not_done(actors, client_as):
    competency = factories.permit(actors.a, "health_competency", expiry_in=None)
    client = client_as("member_a")

    def business_licence_needs():
        response = client.get(reverse("permits:home"))
        row = next(r for r in response.context["requirements"] if r["type"].code == "business_licence")
        return [(p["type"].code, p["done"]) for p in row["prerequisites"]], row["ready"]

    assert business_licence_needs() == ([("health_competency", True)], True)
    services.permit_status_set(
        permit=competency, actor=actors.staff, suspended_from=timezone.localdate(), status_note="تعلیق"
    )
    assert business_licence_needs() == ([("health_competency", False)], False)
