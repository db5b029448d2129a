"""Member pages, the member-dashboard section, the staff dashboard (constant query counts
at 10 vs 1,000 permits) and its exports."""

import datetime
import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.uploads import clean_document
from members.models import Member
from permits import services
from permits.dashboard import member_dashboard_section
from permits.models import CaseStep, Permit, PermitCase
from permits.selectors import bottleneck_table, staff_dashboard
from permits.tests import factories


def test_home_shows_needs_per_kind_with_prerequisites(actors, client_as):
    response = client_as("member_b").get(reverse("permits:home"))  # member B is home-based
    assert response.status_code == 200
    codes = [r["type"].code for r in response.context["requirements"]]
    assert codes == ["health_card", "hygiene_certificate", "home_business"]
    home = response.context["requirements"][2]
    assert [p["type"].code for p in home["prerequisites"]] == ["health_card", "hygiene_certificate"]
    assert (home["done"], home["ready"]) == (False, False)
    guild = client_as("member_a").get(reverse("permits:home")).context["requirements"]
    assert [r["type"].code for r in guild] == [
        "health_card",
        "hygiene_certificate",
        "health_competency",
        "business_licence",
        "technical_officer",
        "manufacturing_licence",
        "supervision_id",
    ]


def test_home_lists_permits_with_state_cases_and_worker_cards(actors, client_as):
    worker = factories.worker(actors.a)
    factories.permit(actors.a, "health_card", number="HC-9", issue_days_ago=300, expiry_in=5, worker=worker)
    factories.permit(actors.a, "hygiene_certificate", number="HY-9", expiry_in=400, worker=worker)
    factories.permit(actors.a, "business_licence", number="BL-9", issue_days_ago=300, expiry_in=-1)
    factories.submitted_case(actors.a, actors.member_a, "health_competency")
    factories.permit(actors.b, "home_business", number="OTHER", expiry_in=None)
    response = client_as("member_a").get(reverse("permits:home"))
    context = response.context
    assert [(p.number, p.state) for p in context["permits"]] == [
        ("HC-9", "expiring_soon"),
        ("HY-9", "valid"),
        ("BL-9", "expired"),
    ]
    assert [c.permit_type.code for c in context["open_cases"]] == ["health_competency"]
    assert [[p.number for p in w.current_permits] for w in context["workers"]] == [["HC-9", "HY-9"]]
    html = response.content.decode()
    assert "OTHER" not in html
    assert "رو به انقضا" in html and "منقضی" in html
    card = next(r for r in context["requirements"] if r["type"].code == "health_card")
    assert (card["done"], card["missing_workers"]) == (True, [])


def test_home_query_count_is_constant(actors, client_as, django_assert_num_queries):
    """1 worker/permit/case vs 30 of each: the same number of queries."""
    client = client_as("member_a")

    def add(n):
        worker = factories.worker(actors.a, full_name=f"w{n}", national_id=_valid(n))
        factories.permit(actors.a, "health_card", number=f"Q-{n}", worker=worker)
        factories.submitted_case(actors.a, actors.member_a, "health_card", worker=worker)

    add(0)
    client.get(reverse("permits:home"))
    one = _count(client, reverse("permits:home"))
    for n in range(1, 30):
        add(n)
    client.get(
        reverse("permits:home")
    )  # the new rows renewed the cached navigation state (unread count, member): read once, as before the first count
    with django_assert_num_queries(one):
        response = client.get(reverse("permits:home"))
    assert len(response.context["permits"]) == 30


def _count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx.captured_queries)


def _valid(n):
    from permits.demo import _national_id

    return _national_id(3_000_000 + n)


def _bulk_permits(member, count, start=0):
    types = {t: factories.permit_type(t) for t in ("business_licence", "health_card", "home_business")}
    today = timezone.localdate()
    Permit.objects.bulk_create(
        Permit(
            permit_type=types[("business_licence", "health_card", "home_business")[n % 3]],
            member=member,
            number=f"B-{n}",
            issuer="x",
            issue_date=today - datetime.timedelta(days=400),
            expiry_date=None if n % 3 == 2 else today + datetime.timedelta(days=(n % 200) - 100),
        )
        for n in range(start, start + count)
    )


def test_staff_dashboard_query_count_same_at_10_and_1000_permits(actors, client_as, django_assert_num_queries):
    """Counted in the database: 10 permits or 1,000, the page makes the same queries (each
    time rendered afresh: bulk_create sends no signal, so the cached page is renewed by hand,
    and the stored figures refreshed as their task does). The lists show their first ten rows
    and how many there are in all."""
    from members.dashboard_cache import bump_table
    from permits import summary
    from permits.tests.test_loose_ends import _late_case

    def expired_cards(count, start):
        for n in range(start, start + count):
            worker = factories.worker(actors.a, full_name=f"w{n}", national_id=_valid(n))
            factories.permit(
                actors.a, "health_card", number=f"HC-{n}", issue_days_ago=400, expiry_in=-1 - n, worker=worker
            )

    # One row in each list, then many.
    _bulk_permits(actors.a, 10, start=0)
    _case_with_durations(actors, 2)
    expired_cards(1, 0)

    def late_cards(count, start):  # health cards (health centre: 10 legal days), one per worker
        for n in range(start, start + count):
            worker = factories.worker(actors.b, full_name=f"b{n}", national_id=_valid(100 + n))
            _late_case(actors, days_ago=20 + n, member=actors.b, code="health_card", tracking=f"L-{n}", worker=worker)

    late_cards(1, 0)
    factories.permit(actors.a, "business_licence", number="SOON", issue_days_ago=400, expiry_in=5)
    client = client_as("staff")
    client.get(reverse("permits:dashboard"))
    summary.refresh()
    bump_table("permits.permit")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(reverse("permits:dashboard"))
    at_10 = len(first.captured_queries)
    # The page's own nine: the stored figures, the permit types, the legal response times and
    # one statement for each of the six lists (twelve before the lists were plain statements:
    # the ORM read the members with expired cards in two queries, the overdue cases' ids then
    # their rows, and the expiring permits' open renewals apart). The signed-in staff request
    # adds its own (session, user, authenticator…: fewer with the shared cache).
    assert len([q for q in first.captured_queries if "permits_" in q["sql"]]) == 9

    _bulk_permits(actors.a, 990, start=10)
    for days in (3, 5):
        _case_with_durations(actors, days)
    expired_cards(3, 1)
    late_cards(12, 1)
    client.get(reverse("permits:dashboard"))  # the navigation's state, renewed by the rows
    summary.refresh()
    bump_table("permits.permit")
    with django_assert_num_queries(at_10):
        response = client.get(reverse("permits:dashboard"))
    # 1,000 bulk permits, the one expiring soon, four health cards and the cases' prerequisite
    assert sum(response.context["state_totals"]) == Permit.objects.count() == 1000 + 1 + 4 + 1
    assert len(response.context["expiring"]) == 10
    assert len(response.context["expired"]) == 10
    assert len(response.context["overdue"]["cases"]) == 10
    assert response.context["list_counts"]["overdue"] == 13
    assert [m["id"] for m in response.context["members_expired_cards"]] == [actors.a.pk]
    # 1,000 permits, every third without an expiry date, the others expiring 100 days ago to
    # 99 days on: 667 dated, 334 of them past
    expired = Permit.objects.filter(expiry_date__lt=timezone.localdate()).count()
    assert response.context["list_counts"]["expired"] == expired
    html = response.content.decode()
    assert f'href="{reverse("permits:dashboard_list", args=["expired"])}"' in html


def test_staff_dashboard_figures(actors, client_as):
    today = timezone.localdate()
    worker = factories.worker(actors.a)
    factories.permit(actors.a, "health_card", number="HC-X", issue_days_ago=400, expiry_in=-2, worker=worker)
    factories.permit(actors.a, "business_licence", number="BL-5", issue_days_ago=400, expiry_in=5)
    factories.permit(actors.a, "business_licence", number="BL-60", issue_days_ago=400, expiry_in=60)
    # Member B (home) has no home-business permit; another home producer does.
    other = Member.objects.create(
        kind="home",
        business_name="خانگی دوم",
        owner_name="x",
        owner_national_id="0013542419",
        mobile="09130000077",
        county="qazvin",
        status="active",
    )
    factories.permit(other, "home_business", number="KH-1", expiry_in=None)
    data = staff_dashboard(today=today)
    assert data["windows"] == {"in_90": 2, "in_30": 1, "in_7": 1, "expired": 1}
    assert [p["number"] for p in data["expiring"]] == ["BL-5"]
    assert [p["number"] for p in data["expired"]] == ["HC-X"]
    assert [(m["id"], m["expired_cards"]) for m in data["members_expired_cards"]] == [(actors.a.pk, 1)]
    assert [m["id"] for m in data["home_without"]] == [actors.b.pk]
    assert data["home_without_count"] == 1
    licence = next(row for row in data["by_type"] if row["type"]["code"] == "business_licence")
    assert (licence["states"], licence["total"]) == ([0, 2, 0, 0, 0, 0, 0], 2)


def _case_with_durations(actors, days):
    case = factories.submitted_case(actors.a, actors.member_a, "business_licence", tracking=f"T-{days}")
    steps = list(case.steps.order_by("entered_at", "id"))
    start = timezone.now() - datetime.timedelta(days=100)
    for index, step in enumerate(steps):
        entered = start + datetime.timedelta(days=days * index)
        left = entered + datetime.timedelta(days=days) if step.left_at else None
        CaseStep.objects.filter(pk=step.pk).update(entered_at=entered, left_at=left)
    PermitCase.objects.filter(pk=case.pk).update(step="withdrawn")
    return case


def test_bottleneck_median_by_issuer(actors):
    for days in (2, 4, 9):
        services_case = _case_with_durations(actors, days)
        assert services_case.pk
    table = bottleneck_table()
    assert [row["issuer"] for row in table] == ["guild_union"]
    cells = table[0]["cells"]
    # not started and preparing finished three times each: median of 2, 4, 9 days
    assert cells[0] == {"median": 4.0, "n": 3}
    assert cells[1] == {"median": 4.0, "n": 3}
    assert cells[2] == {"median": None, "n": 0}


def test_bottleneck_exports(actors, client_as):
    _case_with_durations(actors, 3)
    client = client_as("staff")
    response = client.get(reverse("permits:dashboard") + "?format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("مرجع صدور,شروع‌نشده,")
    assert lines[1] == "اتحادیه صنفی,3.0,3.0,,,,"
    response = client.get(reverse("permits:dashboard") + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]] == ["اتحادیه صنفی", 3.0, 3.0, None, None, None, None]


def test_member_dashboard_section(actors, rf, django_assert_num_queries):
    factories.permit(actors.a, "business_licence", number="SOON", issue_days_ago=400, expiry_in=59)
    factories.permit(actors.a, "business_licence", number="LATER", issue_days_ago=400, expiry_in=61)
    request = rf.get("/members/me/")
    request.user = actors.member_a
    with django_assert_num_queries(1):  # the permits with their type, worker and open renewal
        section = member_dashboard_section(request=request, member=actors.a)
    assert (section["template"], section["order"]) == ("permits/_dashboard_section.html", 30)
    [soon] = section["context"]["expiring"]
    assert (soon["expiry_date"], soon["state"]) == (timezone.localdate() + datetime.timedelta(days=59), "expiring_soon")
    assert member_dashboard_section(request=request, member=actors.applicant_member) is None


def test_dashboard_page_renders_in_english_too(actors, client_as):
    factories.permit(actors.a, "business_licence", number="BL-5", issue_days_ago=400, expiry_in=5)
    client = client_as("staff")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("permits:dashboard")).content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "Permits by type and state" in html
    assert "Expiring soon" in html


def test_case_page_query_count_is_constant(actors, client_as, django_assert_num_queries):
    """A case with one step and no document vs. many steps, ticks and documents."""
    client = client_as("member_a")
    small = factories.submitted_case(actors.a, actors.member_a, "business_licence", tracking="S-1")
    client.get(reverse("permits:detail", args=[small.pk]))
    baseline = _count(client, reverse("permits:detail", args=[small.pk]))
    big = factories.submitted_case(actors.a, actors.member_a, "health_competency", tracking="B-1")
    for item in big.permit_type.checklist_items.all():
        services.checklist_tick_set(case=big, item=item, actor=actors.member_a, ticked=True)
        services.case_document_add(
            case=big,
            actor=actors.member_a,
            clean=clean_document(factories.pdf_upload()),
            title=item.label_fa,
            checklist_item=item,
        )
    services.permit_case_advance(case=big, actor=actors.staff, step="deficiency", note="کمبود")
    client.get(
        reverse("permits:detail", args=[big.pk])
    )  # the new rows renewed the cached navigation state (unread count, member): read once, as before the first count
    with django_assert_num_queries(baseline):
        response = client.get(reverse("permits:detail", args=[big.pk]))
    assert (len(response.context["documents"]), len(response.context["steps"])) == (4, 4)


def test_validity_text_in_each_language(db):
    from django.utils import translation

    card = factories.permit_type("health_card")
    with translation.override("fa"):
        assert card.validity_text == "حدود یک سال؛ تمدید از ۱۵ روز پیش از انقضا"
    with translation.override("en"):
        assert card.validity_text == "typically 12 months"
        assert factories.permit_type("home_business").validity_text == "no fixed term"


def test_member_dashboard_page_shows_the_permits_section(actors, client_as):
    factories.permit(actors.a, "business_licence", number="SOON-1", issue_days_ago=400, expiry_in=20)
    html = client_as("member_a").get(reverse("members:dashboard")).content.decode()
    assert "مجوزهایی که تا ۶۰ روز آینده منقضی می‌شوند" in html
    assert "پروانه کسب" in html and 'data-state="expiring_soon"' in html
