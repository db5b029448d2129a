"""The /cluster/ pages: the endorsed plan, the indicators (public subset vs full set), the
quarter picker, stored quarters, the XLSX export, the admin, and constant query counts."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from core.models import AuditEntry
from plan import indicators, services
from plan.models import Action, ActionPlan, IndicatorSnapshot
from plan.quarters import Quarter, current
from plan.tests import factories as f

pytestmark = pytest.mark.django_db

SUMMER = Quarter(1404, 2)
# programmes: staff and union head only (its per-kind counts of 1–4 are hidden on the
# programmes' own published results)
PUBLIC_IDS = ["members", "health_licence", "commitments", "questions", "scans"]
ALL_IDS = [i.id for i in indicators.INDICATORS]


def _ids(response):
    return [item["indicator"].id for item in response.context["items"]]


def test_plan_page_shows_objectives_actions_and_a_linked_commitments_status(actors, client_as):
    commitment = f.commitment(f.event(), due=f.day(1405, 10, 1), created=f.at(1405, 1, 1), done_at=f.at(1405, 8, 1))
    plan = f.plan_with_actions(commitment=commitment)
    linked = Action.objects.get(commitment=commitment)
    assert (linked.status, linked.effective_status, linked.effective_due_date) == ("open", "done", commitment.due_date)
    response = client_as("anonymous").get(reverse("plan:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert plan.title in html and "دریافت مجوزهای بهداشتی" in html
    assert "۱۰ اردیبهشت ۱۴۰۵" in html  # endorsed on, Jalali
    assert f'data-testid="status-{linked.pk}">انجام‌شده<' in html
    overdue = Action.objects.exclude(pk=linked.pk).get()
    assert f'data-testid="status-{overdue.pk}">در جریان · عقب‌افتاده<' in html


def test_an_unendorsed_plan_is_not_public(client_as):
    f.plan_with_actions(endorsed=False)
    response = client_as("anonymous").get(reverse("plan:home"))
    assert response.context["plan"] is None
    assert 'data-testid="no-plan"' in response.content.decode()


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", PUBLIC_IDS),
        ("member_a", PUBLIC_IDS),
        ("applicant", PUBLIC_IDS),
        ("panelist", PUBLIC_IDS),
        ("staff", ALL_IDS),
        ("union_head", ALL_IDS),
        ("superuser", ALL_IDS),
    ],
)
def test_staff_only_indicators_are_hidden_from_members_and_visitors(role, expected, actors, client_as):
    response = client_as(role).get(reverse("plan:indicators"), {"q": SUMMER.key})
    html = response.content.decode()
    assert _ids(response) == expected
    assert ('data-testid="indicator-price_reporting"' in html) == (expected == ALL_IDS)
    assert ('data-testid="export"' in html) == (expected == ALL_IDS)


def test_quarter_picker_accepts_persian_digits_and_explains_bad_input(client_as):
    client = client_as("anonymous")
    response = client.get(reverse("plan:indicators"), {"q": "۱۴۰۴-۲"})
    assert (response.status_code, response.context["quarter"], response.context["problem"]) == (200, SUMMER, "")
    for value, message in (
        ("1404-9", "این یک فصل نیست؛ فصل جاری نشان داده می‌شود."),
        (current().next().key, "آن فصل هنوز آغاز نشده است؛ فصل جاری نشان داده می‌شود."),
    ):
        response = client.get(reverse("plan:indicators"), {"q": value})
        assert (response.status_code, response.context["quarter"], response.context["problem"]) == (
            200,
            current(),
            message,
        )
        assert message in response.content.decode()


def test_a_stored_quarter_is_shown_as_stored_even_when_the_data_changes(actors, client_as):
    f.member(created=f.at(1404, 1, 10), history=[(f.at(1404, 1, 20), "active")])
    made = services.quarter_store(quarter=SUMMER, actor=actors.staff)
    assert [s.indicator for s in made] == ALL_IDS
    assert AuditEntry.objects.filter(action="plan.indicators.store").count() == len(ALL_IDS)
    assert services.quarter_store(quarter=SUMMER) == []  # a second run stores nothing
    # a stored figure never moves, even if someone rewrote history afterwards
    from members.models import MemberStatusChange

    MemberStatusChange.objects.update(created_at=f.at(1404, 7, 1))
    response = client_as("anonymous").get(reverse("plan:indicators"), {"q": SUMMER.key})
    members = response.context["items"][0]
    assert members["stored"] is not None
    assert IndicatorSnapshot.objects.get(year=1404, quarter=2, indicator="members").data["rows"][-1]["values"] == [
        1,
        0,
        0,
        0,
        0,
    ]
    assert members["rows"][-1] == {"label": "همه", "cells": ["۱", "۰", "۰", "۰", "۰"]}


def test_a_running_quarter_cannot_be_stored():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.quarter_store(quarter=current())


def test_store_command_stores_the_last_quarter_once(capsys):
    call_command("plan_store_quarter", "--quarter", SUMMER.key)
    call_command("plan_store_quarter", "--quarter", SUMMER.key)
    assert capsys.readouterr().out.splitlines() == [
        f"{SUMMER.key}: 8 indicators stored",
        f"{SUMMER.key}: 0 indicators stored",
    ]
    call_command("plan_store_quarter")
    previous = current().previous()
    assert IndicatorSnapshot.objects.filter(year=previous.year, quarter=previous.number).count() == 8


def test_export_is_an_xlsx_of_the_chosen_quarter(actors, client_as):
    f.member(created=f.at(1404, 1, 10), history=[(f.at(1404, 1, 20), "active")])
    response = client_as("union_head").get(reverse("plan:export"), {"q": SUMMER.key})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="cluster-indicators-1404-2.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 8
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("شهرستان · نوع", "فعال", "در انتظار تأیید", "تعلیق‌شده", "منقضی", "انصراف")
    assert rows[1] == ("قزوین · صنفی", 1, 0, 0, 0, 0)
    assert rows[-1][:2] == ("تا تاریخ", "۱۴۰۴/۰۶/۳۱")


def _rows_of_data(n):
    for i in range(n):
        f.member(created=f.at(1404, 1, 10), history=[(f.at(1404, 1, 20), "active")])
        f.commitment(f.event(), due=f.day(1404, 5, 1), created=f.at(1404, 1, 1), done_at=f.at(1404, 4, 20 + i % 5))


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # the session's first write is not the page's
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_the_data(actors, client_as):
    client = client_as("staff")
    indicators_url = reverse("plan:indicators") + f"?q={SUMMER.key}"
    _rows_of_data(1)
    commitment = f.commitment(f.event(), due=f.day(1405, 10, 1), created=f.at(1405, 1, 1))
    f.plan_with_actions(commitment=commitment)
    one = (_count_queries(client, indicators_url), _count_queries(client, reverse("plan:home")))
    _rows_of_data(6)
    plan = ActionPlan.objects.get()
    for _i in range(5):
        f.plan_with_actions(commitment=f.commitment(f.event(), due=f.day(1405, 10, 1), created=f.at(1405, 1, 1)))
    ActionPlan.objects.exclude(pk=plan.pk).update(endorsed_on=None, endorsed_by="")
    Action.objects.update(objective=plan.objectives.get())
    many = (_count_queries(client, indicators_url), _count_queries(client, reverse("plan:home")))
    assert Action.objects.count() == 12
    assert many == one


def test_staff_admin_pages_and_saves_are_audited(actors, client_as):
    client = client_as("staff")
    for name in ("actionplan", "action", "indicatorsnapshot"):
        assert client.get(reverse(f"admin:plan_{name}_changelist")).status_code == 200
    response = client.post(
        reverse("admin:plan_actionplan_add"),
        {
            "title": "برنامه ۱۴۰۶",
            "summary": "",
            "period_start": "1406/01/01",
            "period_end": "1406/12/29",
            "endorsed_on": "1405/09/01",
            "endorsed_by": "",
            "objectives-TOTAL_FORMS": "1",
            "objectives-INITIAL_FORMS": "0",
            "objectives-0-title": "بسته‌بندی مشترک",
            "objectives-0-description": "",
            "objectives-0-sort_order": "1",
        },
    )
    # endorsed without saying by whom: refused with the form kept
    assert response.status_code == 200
    assert ActionPlan.objects.count() == 0
    response = client.post(
        reverse("admin:plan_actionplan_add"),
        {
            "title": "برنامه ۱۴۰۶",
            "summary": "",
            "period_start": "1406/01/01",
            "period_end": "1406/12/29",
            "endorsed_on": "1405/09/01",
            "endorsed_by": "شورای خوشه",
            "objectives-TOTAL_FORMS": "1",
            "objectives-INITIAL_FORMS": "0",
            "objectives-0-title": "بسته‌بندی مشترک",
            "objectives-0-description": "",
            "objectives-0-sort_order": "1",
        },
    )
    assert response.status_code == 302
    plan = ActionPlan.objects.get()
    objective = plan.objectives.get()
    response = client.post(
        reverse("admin:plan_action_add"),
        {"objective": objective.pk, "title": "خرید مشترک جعبه", "owner_name": "", "status": "open", "sort_order": "1"},
    )
    assert response.status_code == 200  # no due date, no owner
    assert "یک تاریخ سررسید بدهید یا اقدام را به یک تعهد پیگیری پیوند دهید." in response.content.decode()
    response = client.post(
        reverse("admin:plan_action_add"),
        {
            "objective": objective.pk,
            "title": "خرید مشترک جعبه",
            "owner_name": "اتحادیه",
            "due_date": "۱۴۰۶/۰۳/۱۵",
            "status": "open",
            "sort_order": "1",
        },
    )
    assert response.status_code == 302
    assert list(
        AuditEntry.objects.filter(action__startswith="plan").values_list("action", flat=True).order_by("id")
    ) == [
        "plan.create",
        "plan.objective.create",
        "plan.action.create",
    ]


def test_staff_store_the_last_quarter_from_the_admin_without_selecting_rows(actors, client_as):
    client = client_as("staff")
    response = client.post(reverse("admin:plan_indicatorsnapshot_changelist"), {"action": "store_last_quarter"})
    previous = current().previous()
    assert response.status_code == 302
    assert IndicatorSnapshot.objects.filter(year=previous.year, quarter=previous.number).count() == 8
    assert set(IndicatorSnapshot.objects.values_list("computed_by", flat=True)) == {actors.staff.pk}


def test_indicators_in_english(client_as):
    f.member(created=f.at(1404, 1, 10), history=[(f.at(1404, 1, 20), "active")])
    client = client_as("anonymous")
    client.cookies["django_language"] = "en"
    response = client.get(reverse("plan:indicators"), {"q": SUMMER.key})
    html = response.content.decode()
    assert "Summer 1404, as of its last day, 22 Sep 2025." in html
    members = response.context["items"][0]
    assert members["columns"][:2] == ["County · kind", "Active"]
    assert members["rows"][0] == {"label": "Qazvin · Guild-based", "cells": ["1", "0", "0", "0", "0"]}
    assert response.context["items"][1]["rows"][0]["cells"] == ["1", "0", "0%"]


def test_the_background_task_stores_the_last_quarter_once():
    from plan.tasks import store_last_quarter

    assert store_last_quarter.call() == 8
    assert store_last_quarter.call() == 0
