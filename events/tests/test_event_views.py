import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from events import demo, selectors, services
from events.dashboard import member_dashboard_section
from events.models import AgendaItem, Commitment, Event, Question, Registration, Vote
from events.tests.factories import make_commitment, make_event, make_question, make_registration

pytestmark = pytest.mark.django_db


def test_upcoming_public_events_depend_on_who_asks(actors):
    public = make_event(title="عمومی")
    members_only = make_event(title="ویژه اعضا", audience=Event.Audience.MEMBERS)
    make_event(title="پیش‌نویس", status=Event.Status.DRAFT)
    make_event(title="گذشته", starts_at=timezone.now() - datetime.timedelta(days=3))
    from django.contrib.auth.models import AnonymousUser

    assert [e.title for e in selectors.events_upcoming_public(user=AnonymousUser(), limit=3)] == ["عمومی"]
    assert [e.pk for e in selectors.events_upcoming_public(user=actors.member_a, limit=3)] == [
        public.pk,
        members_only.pk,
    ]
    assert len(selectors.events_upcoming_public(user=actors.staff, limit=3)) == 2  # published only


def test_home_page_lists_upcoming_events(actors, client):
    make_event(title="همایش پیش رو")
    assert "همایش پیش رو" in client.get("/").content.decode()


def test_members_only_event_is_404_for_visitors(actors, client_as):
    event = make_event(audience=Event.Audience.MEMBERS)
    url = reverse("events:detail", args=[event.pk])
    assert [client_as(r).get(url).status_code for r in ("anonymous", "applicant", "member_a", "staff")] == [
        404,
        404,
        200,
        200,
    ]


def test_register_then_ticket_with_qr_then_cancel(actors, client_as):
    event = make_event(capacity=10)
    AgendaItem.objects.create(event=event, starts_at=datetime.time(9), title="افتتاحیه")
    client = client_as("member_a")
    detail = client.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert "۱۰ جای خالی از ۱۰" in detail and "افتتاحیه" in detail and "۰۹:۰۰" in detail
    response = client.post(reverse("events:register", args=[event.pk]))
    assert response["Location"] == reverse("events:ticket", args=[event.pk])
    registration = Registration.objects.get(event=event, user=actors.member_a)
    ticket = client.get(response["Location"]).content.decode()
    assert registration.code in ticket
    assert 'src="data:image/png;base64,' in ticket
    client.post(reverse("events:cancel_registration", args=[event.pk]))
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    assert client.get(reverse("events:ticket", args=[event.pk])).status_code == 404


def test_full_event_says_so(actors, client_as):
    event = make_event(capacity=1)
    make_registration(event, actors.member_b)
    response = client_as("member_a").post(reverse("events:register", args=[event.pk]), follow=True)
    assert "متأسفیم، ظرفیت این رویداد تکمیل است." in response.content.decode()
    assert Registration.objects.filter(event=event).count() == 1


def test_ical_export(actors, client):
    event = make_event(title="همایش، خوشه; قزوین", description="خط یک\nخط دو")
    response = client.get(reverse("events:ical", args=[event.pk]))
    text = response.content.decode()
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "SUMMARY:همایش\\، خوشه\\; قزوین" not in text  # Persian comma is not escaped…
    assert "SUMMARY:همایش، خوشه\\; قزوین" in text.replace("\r\n ", "")  # …the semicolon is
    assert f"DTSTART:{event.starts_at.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}" in text
    assert "DESCRIPTION:خط یک\\nخط دو" in text.replace("\r\n ", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_check_in_search_by_persian_name_mobile_and_code(actors, client_as):
    event = make_event()
    a = services.registration_create(event=event, user=actors.member_a)
    services.registration_create(event=event, user=actors.member_b)
    staff = client_as("staff")
    url = reverse("events:checkin", args=[event.pk])

    def names(query):
        body = staff.get(url, {"q": query}).content.decode()
        return [n for n in ("عضو الف", "عضو ب") if n in body]

    assert names("عضو الف") == ["عضو الف"]
    assert names("عضو الف".replace("ی", "ي")) == ["عضو الف"]
    assert names("۰۹۱۳۰۰۰۰۰۰۳") == ["عضو ب"]
    assert names(a.code.lower()) == ["عضو الف"]
    response = staff.post(reverse("events:checkin_mark", args=[event.pk, a.pk]), {"q": "الف"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.checked_in_by == actors.staff
    body = staff.get(url, {"show": "in"}).content.decode()
    assert "۱ نفر از ۲ ثبت‌نام‌کننده حاضرند." in body


def test_checkin_page_query_count_is_constant(actors, client_as):
    from conftest import make_member, make_user

    staff = client_as("staff")
    counts = []
    for n in (1, 20):
        event = make_event(title=f"رویداد {n}")
        for i in range(n):
            user = make_user(f"0913{n:02d}{i:05d}", f"حاضر {i}")
            make_member(user, national_id=f"{n:02d}{i:07d}"[:9] + "0", number=n * 1000 + i)
            make_registration(event, user)
        staff.get("/")
        with CaptureQueriesContext(connection) as ctx:
            staff.get(reverse("events:checkin", args=[event.pk]))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_report_csv_has_every_section(actors, client_as):
    event = make_event()
    make_registration(event, actors.member_a, checked_in_at=timezone.now())
    question = make_question(event, actors.member_a, text="=HYPERLINK(1)")
    services.question_answer(question=question, by=actors.staff, text="پاسخ")
    make_commitment(event, actors.staff, due_date=timezone.localdate() - datetime.timedelta(days=2))
    response = client_as("staff").get(reverse("events:report", args=[event.pk]), {"format": "csv"})
    text = response.content.decode("utf-8-sig")
    for heading in ("حضور", "پرسش‌ها", "پرسش‌ها بر حسب موضوع", "پرسش‌ها بر حسب سازمان", "تعهدات پیگیری"):
        assert f"\r\n{heading}\r\n" in text
    assert "'=HYPERLINK(1)" in text  # no formula injection
    assert "قیمت واحد,1" in text
    assert "عقب‌افتاده" in text
    page = client_as("staff").get(reverse("events:report", args=[event.pk])).content.decode()
    assert "table-danger" in page


def test_commitments_list_filters_and_overdue(actors, client_as):
    event = make_event()
    make_commitment(event, actors.staff, title="دیرکرد", due_date=timezone.localdate() - datetime.timedelta(days=1))
    make_commitment(event, actors.staff, title="به‌موقع", status=Commitment.Status.IN_PROGRESS)
    client = client_as("member_b")
    body = client.get(reverse("events:commitments")).content.decode()
    assert body.count('data-testid="overdue"') == 1
    body = client.get(reverse("events:commitments"), {"overdue": "on"}).content.decode()
    assert "دیرکرد" in body and "به‌موقع" not in body
    body = client.get(reverse("events:commitments"), {"status": "in_progress"}).content.decode()
    assert "دیرکرد" not in body and "به‌موقع" in body


def test_commitment_status_change_from_the_page(actors, client_as):
    event = make_event()
    question = make_question(event, actors.member_a)
    Vote.objects.create(question=question, user=actors.member_b)
    commitment = make_commitment(event, actors.staff)
    Question.objects.filter(pk=question.pk).update(commitment=commitment)
    url = reverse("events:commitment_detail", args=[commitment.pk])
    assert client_as("member_a").post(url, {"status": "done"}).status_code == 403
    response = client_as("staff").post(url, {"status": "done", "note": "انجام شد", "date": "1405/09/01"})
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == "done"
    assert commitment.notes.get().date == datetime.date(2026, 11, 22)
    assert set(Notification.objects.values_list("user", flat=True)) == {actors.member_a.pk, actors.member_b.pk}
    # Bad input: translated message, typed note kept.
    response = client_as("staff").post(url, {"status": "done", "note": "", "date": "1405/13/01"})
    assert response.status_code == 400
    assert "این روز در آن ماه وجود ندارد." in response.content.decode() or "تاریخ" in response.content.decode()


def test_commitment_created_from_a_question(actors, client_as):
    event = make_event()
    question = make_question(event, actors.member_a, addressed_organisation="health")
    url = reverse("events:commitment_create", args=[event.pk, question.pk])
    form = client_as("staff").get(url).content.decode()
    assert 'value="health" selected' in form
    response = client_as("staff").post(
        url,
        {
            "title": "پیگیری",
            "owner_organisation": "health",
            "responsible_person": "کارشناس",
            "due_date": "۱۴۰۹/۰۱/۰۱",
        },
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.commitment.due_date == datetime.date(2030, 3, 21)


def test_dashboard_section_has_constant_queries(actors):
    """Two queries whatever the numbers, the template's rendering included (the rows carry only
    the columns the section shows: a column it shows but did not read would cost a query per
    row)."""
    from django.template.loader import render_to_string

    request = RequestFactory().get("/members/me/")
    request.user = actors.member_a
    counts = []
    for n in (1, 4):
        event = make_event(title=f"رویداد {n}")
        make_registration(
            event,
            actors.member_a,
            status=Registration.Status.OFFERED,
            offer_expires_at=timezone.now() + datetime.timedelta(days=1),
        )
        for i in range(n):
            question = make_question(event, actors.member_a, text=f"پرسش {i}")
        question.commitment = make_commitment(event, actors.staff)
        question.save(update_fields=["commitment"])
        with CaptureQueriesContext(connection) as ctx:
            section = member_dashboard_section(request=request, member=actors.a)
            html = render_to_string(section["template"], section["context"], request=request)
        counts.append(len(ctx.captured_queries))
    assert counts == [2, 2]
    assert (len(section["context"]["registrations"]), len(section["context"]["questions"])) == (2, 5)
    assert html.count('data-testid="dashboard-offer"') == 2 and html.count("رویداد 4") == 1
    assert html.count(f'href="{reverse("events:commitment_detail", args=[question.commitment_id])}"') == 1


def _from_the_orm(user):
    """The section's content as the ORM reads it (what it read before), in its terms."""
    registrations = (
        Registration.objects.filter(
            user=user,
            status__in=(Registration.Status.REGISTERED, Registration.Status.OFFERED, Registration.Status.WAITING),
            event__ends_at__gte=timezone.now(),
            event__status=Event.Status.PUBLISHED,
        )
        .select_related("event")
        .order_by("event__starts_at", "event_id")[:5]
    )
    questions = (
        Question.objects.filter(asker=user)
        .exclude(status=Question.Status.WITHDRAWN)
        .select_related("commitment")
        .order_by("-created_at", "-id")[:5]
    )
    return {
        "registrations": [
            {
                "url": r.event.get_absolute_url(),
                "title": r.event.title,
                "starts_at": r.event.starts_at,
                "status": r.status,
                "status_label": r.get_status_display(),
                "offer_expires_at": r.offer_expires_at,
            }
            for r in registrations
        ],
        "questions": [
            {
                "url": reverse("events:qa", args=[q.event_id]),
                "text": q.text,
                "status": q.status,
                "status_label": q.get_status_display(),
                "commitment_url": q.commitment and q.commitment.get_absolute_url(),
                "commitment_status_label": q.commitment and q.commitment.get_status_display(),
            }
            for q in questions
        ],
    }


def _labels_as_text(context):
    return {
        name: [
            {key: str(value) if key.endswith("label") and value else value for key, value in row.items()}
            for row in rows
        ]
        for name, rows in context.items()
    }


def test_dashboard_section_says_what_the_orm_reads(actors, django_assert_num_queries):
    """Two statements written by hand; their rows must be the ORM's: registered, offered and
    waiting places at published events not yet over (not cancelled, expired, a draft, a
    cancelled event, one that is over), soonest first, five at most; questions not withdrawn,
    newest first, five at most, with their commitment's status; none of another member's."""
    from django.utils import translation

    request = RequestFactory().get("/members/me/")
    request.user = actors.member_a
    with django_assert_num_queries(2):
        section = member_dashboard_section(request=request, member=actors.a)
    assert section["context"] == _from_the_orm(actors.member_a) == {"registrations": [], "questions": []}
    now = timezone.now()
    day = datetime.timedelta(days=1)
    S = Registration.Status
    for n, (status, starts_in, event_status) in enumerate(
        [
            (S.REGISTERED, 9, Event.Status.PUBLISHED),
            (S.OFFERED, 3, Event.Status.PUBLISHED),
            (S.WAITING, 5, Event.Status.PUBLISHED),
            (S.CANCELLED, 4, Event.Status.PUBLISHED),
            (S.EXPIRED, 6, Event.Status.PUBLISHED),
            (S.REGISTERED, 2, Event.Status.DRAFT),
            (S.REGISTERED, 7, Event.Status.CANCELLED),
            (S.REGISTERED, -2, Event.Status.PUBLISHED),
            (S.REGISTERED, 11, Event.Status.PUBLISHED),
            (S.REGISTERED, 12, Event.Status.PUBLISHED),
            (S.REGISTERED, 13, Event.Status.PUBLISHED),
        ]
    ):
        event = make_event(title=f"رویداد {n}", starts_at=now + starts_in * day, status=event_status)
        offer = now + day if status == S.OFFERED else None
        make_registration(event, actors.member_a, status=status, offer_expires_at=offer)
        make_registration(event, actors.member_b)
    event = Event.objects.get(title="رویداد 0")
    commitment = make_commitment(event, actors.staff)
    first = None
    for n, status in enumerate(["pending", "approved", "withdrawn", "rejected", "answered", "merged", "approved"]):
        extra = {"rejection_reason": "تکراری"} if status == "rejected" else {}
        if status == "merged":
            extra["merged_into"] = first
        question = make_question(event, actors.member_a, text=f"پرسش {n}", status=status, **extra)
        first = first or question
        if n == 4:
            question.commitment = commitment
            question.save(update_fields=["commitment"])
    make_question(event, actors.member_b, text="پرسش ب")
    with django_assert_num_queries(2):
        section = member_dashboard_section(request=request, member=actors.a)
    context = section["context"]
    assert _labels_as_text(context) == _labels_as_text(_from_the_orm(actors.member_a))
    assert [r["title"] for r in context["registrations"]] == [
        "رویداد 1",
        "رویداد 2",
        "رویداد 0",
        "رویداد 8",
        "رویداد 9",
    ]
    assert [q["text"] for q in context["questions"]] == ["پرسش 6", "پرسش 5", "پرسش 4", "پرسش 3", "پرسش 1"]
    assert context["questions"][2]["commitment_url"] == commitment.get_absolute_url()
    with translation.override("en"):
        context = member_dashboard_section(request=request, member=actors.a)["context"]
        assert _labels_as_text(context) == _labels_as_text(_from_the_orm(actors.member_a))
        assert context["registrations"][1]["status_label"] == "On the waiting list"
    request.user = actors.member_b
    context = member_dashboard_section(request=request, member=actors.b)["context"]
    assert _labels_as_text(context) == _labels_as_text(_from_the_orm(actors.member_b))


def test_send_event_reminders_command_twice(actors):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    event = make_event(starts_at=timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(18))))
    make_registration(event, actors.member_a)
    out = io.StringIO()
    call_command("send_event_reminders", stdout=out)
    call_command("send_event_reminders", stdout=out)
    assert out.getvalue() == "event reminders sent: 1\nevent reminders sent: 0\n"


def test_demo_seed_is_idempotent_and_recreates_the_conference():
    from members.demo import seed_accounts

    seed_accounts()
    conference, upcoming = demo.seed()
    demo.seed()
    # The conference, the members' workshop, the full visit with its waiting list, the public bazaar.
    assert Event.objects.count() == 4
    visit = Event.objects.get(title=demo.FULL_VISIT_TITLE)
    assert sorted(visit.registrations.values_list("user__mobile", "status")) == [
        ("09120000001", "waiting"),
        ("09120000002", "registered"),
        ("09120000003", "registered"),
    ]
    routed = upcoming.questions.get()
    assert (routed.routed_to.user.mobile, routed.answer_due) == (
        "09120000030",
        timezone.localdate(upcoming.starts_at) + datetime.timedelta(days=7),
    )
    assert conference.commitments.get().owner_user.mobile == "09120000010"
    assert list(
        Event.objects.filter(audience="public", starts_at__gt=conference.starts_at).values_list("title", flat=True)
    ) == [demo.PUBLIC_TITLE]
    assert list(conference.agenda.values_list("topic", flat=True)) == [
        "",
        "support",
        "other",
        "sweets_estate",
        "unit_price",
        "",
    ]
    topics = set(conference.questions.values_list("topic", flat=True))
    assert {"unit_price", "health_permits"} <= topics
    assert conference.questions.filter(status="answered").count() == 3
    assert conference.commitments.count() == 1
    assert conference.panels.get().panelists.filter(user__mobile="09120000030").count() == 1
    assert upcoming.registration_is_open()
    demo.seed_scale(scale=1)
    assert Question.objects.count() == 5 + 1 + 200


def test_member_dashboard_shows_my_events_and_questions(actors, client_as):
    event = make_event(title="کارگاه مجوزهای بهداشتی")
    make_registration(event, actors.member_a)
    make_question(event, actors.member_a, text="پرسش من درباره کارت بهداشت")
    body = client_as("member_a").get(reverse("members:dashboard")).content.decode()
    assert "کارگاه مجوزهای بهداشتی" in body
    assert "پرسش من درباره کارت بهداشت" in body
