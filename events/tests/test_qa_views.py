import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_user
from events import qa_cache, services
from events.models import Question, Vote
from events.tests.factories import make_event, make_panelist, make_question

pytestmark = pytest.mark.django_db

SECRET_NAME = "پرسشگر پنهان"


def _fragment(client, event, sort="votes"):
    return client.get(reverse("events:qa_fragment", args=[event.pk]) + f"?sort={sort}")


def test_member_asks_with_persian_text_normalised(actors, client_as):
    event = make_event()
    client = client_as("member_a")
    response = client.post(
        reverse("events:question_ask", args=[event.pk]),
        {"text": "  قيمت نان برنجي ۱۴۰۵ چطور تعيين مي‌شود؟ ", "topic": "unit_price", "anonymous": "on"},
    )
    assert response.status_code == 302
    question = Question.objects.get()
    assert (question.text, question.status, question.anonymous, question.asker) == (
        "قیمت نان برنجی ۱۴۰۵ چطور تعیین می‌شود؟",  # digits as typed, letters normalised
        "approved",
        True,
        actors.member_a,
    )


def test_too_long_question_is_refused_and_keeps_the_text(actors, client_as):
    event = make_event()
    text = "الف" * 501
    response = client_as("member_a").post(
        reverse("events:question_ask", args=[event.pk]), {"text": text, "topic": "other"}
    )
    assert response.status_code == 400
    assert Question.objects.count() == 0
    body = response.content.decode()
    assert "حداکثر ۵۰۰ نویسه" in body or "500" in body
    assert text in body  # nothing typed is lost


def test_asking_is_rate_limited(actors, client_as):
    event = make_event()
    client = client_as("member_a")
    url = reverse("events:question_ask", args=[event.pk])
    codes = [client.post(url, {"text": f"پرسش شماره {i} درباره قیمت", "topic": "other"}).status_code for i in range(6)]
    assert codes == [302, 302, 302, 302, 302, 429]
    assert Question.objects.count() == 5


def test_voting_by_htmx_returns_the_fragment_with_my_vote_marked(actors, client_as):
    event = make_event()
    question = make_question(event, actors.member_a)
    other = make_question(event, actors.member_a, text="پرسش دوم درباره مجوز")
    client = client_as("member_b")
    vote_url = reverse("events:question_vote", args=[event.pk, question.pk])
    response = client.post(vote_url, {"state": "on"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert f"""data-vote="{question.pk}" aria-pressed="true" hx-vals='{{"state": "off"}}'""" in body
    assert f"""data-vote="{other.pk}" aria-pressed="false" hx-vals='{{"state": "on"}}'""" in body
    # Member A shares the cached list but not B's vote mark.
    body_a = _fragment(client_as("member_a"), event).content.decode()
    assert f'data-vote="{question.pk}" aria-pressed="false"' in body_a
    assert ">۱<" in body_a  # the count itself is public
    # The same "on" again changes nothing; "off" takes the vote back; a request without a state
    # is refused.
    client.post(vote_url, {"state": "on"}, HTTP_HX_REQUEST="true")
    assert Vote.objects.count() == 1
    assert client.post(vote_url, {}, HTTP_HX_REQUEST="true").status_code == 400
    client.post(vote_url, {"state": "off"}, HTTP_HX_REQUEST="true")
    assert Vote.objects.count() == 0


def test_fragment_is_served_from_the_cache_until_something_changes(actors, client_as):
    event = make_event()
    make_question(event, actors.member_a, text="پرسش نخست")
    client = client_as("member_b")
    _fragment(client, event)
    with CaptureQueriesContext(connection) as cached:
        body = _fragment(client, event).content.decode()
    assert "پرسش نخست" in body
    assert not any('ORDER BY "events_question"."vote_count" DESC' in q["sql"] for q in cached.captured_queries)
    services.question_ask(event=event, asker=actors.member_a, text="پرسش تازه", topic="other")
    assert "پرسش تازه" in _fragment(client, event).content.decode()


def _fill(event, n, voters):
    questions = Question.objects.bulk_create(
        [
            Question(event=event, asker=voters[i % len(voters)], text=f"پرسش {i}", topic="other", status="approved")
            for i in range(n)
        ]
    )
    Vote.objects.bulk_create([Vote(question=q, user=u) for q in questions for u in voters])
    services.event_qa_changed(event_id=event.pk)


@pytest.mark.parametrize("cached", [False, True])
def test_fragment_query_count_is_constant(actors, cached):
    """The full view's own queries (the request factory leaves out session and middleware).
    Access is checked on every request: the event and the member link with its member (the
    user's groups come from the cache under their privilege stamp once read). Cold cache: also
    the public list, the user's votes and their questions. Warm cache: nothing more, whatever the
    number of questions and votes."""
    from django.utils import translation

    from events.views.qa import qa_fragment
    from members.models import User

    counts = []
    for n in (1, 50):
        event = make_event(title=f"رویداد {n}")
        _fill(event, n, [actors.member_a, actors.member_b])
        client = _signed_in(actors.member_b)
        if cached:
            _fragment(client, event)
        else:
            qa_cache.bump_event(event.pk)  # every cached entry of the event is outdated
        request = RequestFactory().get(reverse("events:qa_fragment", args=[event.pk]))
        request.user = User.objects.get(pk=actors.member_b.pk)
        request.session = client.session
        with translation.override("fa"), CaptureQueriesContext(connection) as ctx:
            response = qa_fragment(request, event.pk)
        assert response.status_code == 200
        assert response.content.decode().count('aria-pressed="true"') == n
        counts.append(len(ctx.captured_queries))
    assert counts == ([2, 2] if cached else [5, 5])  # 3 and 6 before the groups were cached


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_fragment_in_english(actors, client_as):
    event = make_event()
    make_question(event, actors.member_a)
    client = client_as("member_b")
    client.cookies["django_language"] = "en"
    body = _fragment(client, event).content.decode()
    assert "Questions" in body and "Unit price" in body
    assert "پرسش‌ها" not in body


# --- Anonymity -------------------------------------------------------------------------------


@pytest.fixture
def anonymous_question(actors):
    asker = make_user("09130000055", SECRET_NAME)
    from conftest import make_member

    make_member(asker, national_id="0067749828", number=55)
    event = make_event()
    seat = make_panelist(event, actors.panelist)
    question = make_question(event, asker, anonymous=True, addressed_panelist=seat, text="پرسش ناشناس درباره مجوز")
    services.question_answer(question=question, by=actors.staff, text="پاسخ ثبت‌شده", panelist=seat)
    services.commitment_create(
        questions=[question],
        by=actors.staff,
        title="پیگیری",
        owner_organisation="health",
        responsible_person="کارشناس",
        due_date=question.created_at.date().replace(year=question.created_at.year + 1),
    )
    return event, question


def test_anonymous_asker_never_reaches_panelists_or_other_members(actors, client_as, anonymous_question):
    event, question = anonymous_question
    question.refresh_from_db()
    commitment_url = reverse("events:commitment_detail", args=[question.commitment_id])
    pages = {
        "member_b qa": (client_as("member_b"), reverse("events:qa", args=[event.pk])),
        "member_b fragment": (client_as("member_b"), reverse("events:qa_fragment", args=[event.pk])),
        "member_b commitment": (client_as("member_b"), commitment_url),
        "panelist qa": (client_as("panelist"), reverse("events:qa", args=[event.pk])),
        "panelist moderation": (client_as("panelist"), reverse("events:moderate", args=[event.pk])),
        "panelist moderation (answered)": (
            client_as("panelist"),
            reverse("events:moderate_fragment", args=[event.pk]) + "?status=answered",
        ),
        "panelist commitment": (client_as("panelist"), commitment_url),
        "screen": (client_as("staff"), reverse("events:screen_fragment", args=[event.pk])),
        "report csv": (client_as("staff"), reverse("events:report", args=[event.pk]) + "?format=csv"),
        "report": (client_as("staff"), reverse("events:report", args=[event.pk])),
    }
    seen = {}
    for label, (client, url) in pages.items():
        response = client.get(url)
        assert response.status_code == 200, label
        seen[label] = SECRET_NAME in response.content.decode("utf-8")
    assert seen == dict.fromkeys(pages, False)
    assert (
        "پرسش ناشناس درباره مجوز"
        in client_as("panelist").get(pages["panelist moderation (answered)"][1]).content.decode()
    )


def test_anonymous_asker_not_in_xlsx_export(actors, client_as, anonymous_question):
    import io

    from openpyxl import load_workbook

    event, _question = anonymous_question
    response = client_as("staff").get(reverse("events:report", args=[event.pk]) + "?format=xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    cells = [str(c) for sheet in workbook for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert SECRET_NAME not in cells
    assert "ناشناس" in cells


def test_staff_see_who_asked_anonymously(actors, client_as, anonymous_question):
    event, _question = anonymous_question
    body = client_as("staff").get(reverse("events:moderate", args=[event.pk]) + "?status=answered").content.decode()
    assert SECRET_NAME in body
    assert "ناشناس برای مسئولان" in body


# --- Moderation by the event's panelist -----------------------------------------------------


def test_event_panelist_moderates_and_sees_own_questions_first(actors, client_as):
    event = make_event()
    seat = make_panelist(event, actors.panelist, organisation="imt")
    other_seat = make_panelist(event, None, name="دیگری")
    popular = make_question(event, actors.member_a, text="پرسش پرطرفدار", addressed_panelist=other_seat)
    popular.vote_count = 9
    popular.save()
    mine = make_question(event, actors.member_b, text="پرسش برای صمت", addressed_organisation="imt")
    client = client_as("panelist")
    body = client.get(reverse("events:moderate", args=[event.pk])).content.decode()
    assert body.index("پرسش برای صمت") < body.index("پرسش پرطرفدار")
    assert "برای شما" in body
    response = client.post(
        reverse("events:question_answer", args=[event.pk, mine.pk]), {"text": "پاسخ صمت"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    mine.refresh_from_db()
    assert (mine.status, mine.answer.text, mine.answer.panelist, mine.answer.recorded_by) == (
        "answered",
        "پاسخ صمت",
        seat,
        actors.panelist,
    )
    # Only staff turn questions into commitments.
    assert client.get(reverse("events:commitment_create", args=[event.pk, mine.pk])).status_code == 403


def test_reject_shows_the_reason_to_the_asker(actors, client_as):
    event = make_event(qa_premoderation=True)
    question = make_question(event, actors.member_a, status=Question.Status.PENDING)
    client_as("staff").post(
        reverse("events:question_reject", args=[event.pk, question.pk]), {"reason": "خارج از موضوع"}
    )
    body = client_as("member_a").get(reverse("events:qa", args=[event.pk])).content.decode()
    assert "خارج از موضوع" in body
    assert "خارج از موضوع" not in client_as("member_b").get(reverse("events:qa", args=[event.pk])).content.decode()


def test_moderation_page_query_count_is_constant(actors, client_as):
    counts = []
    staff = client_as("staff")
    for n in (1, 30):
        event = make_event(title=f"رویداد {n}")
        make_panelist(event)
        _fill(event, n, [actors.member_a, actors.member_b])
        staff.get("/")
        with CaptureQueriesContext(connection) as ctx:
            assert staff.get(reverse("events:moderate_fragment", args=[event.pk])).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_projector_shows_current_and_top_questions(actors, client_as):
    event = make_event()
    current = make_question(event, actors.member_a, text="پرسش روی نمایشگر")
    top = make_question(event, actors.member_b, text="پرسش پرطرفدار", vote_count=5)
    services.question_present(event=event, question=current, by=actors.staff)
    body = client_as("staff").get(reverse("events:screen", args=[event.pk])).content.decode()
    assert body.index("پرسش روی نمایشگر") < body.index("پرسش پرطرفدار")
    assert "در حال پاسخ" in body
    assert top.text in body


def test_edit_own_question_keeps_typed_text_on_error(actors, client_as):
    event = make_event()
    question = make_question(event, actors.member_a)
    url = reverse("events:question_edit", args=[event.pk, question.pk])
    response = client_as("member_a").post(url, {"text": "کوت", "topic": "other"})
    assert response.status_code == 200
    assert "دست‌کم ۵ نویسه" in response.content.decode()
    assert 'value="other" selected' in response.content.decode()
    response = client_as("member_a").post(url, {"text": "متن ویرایش‌شده پرسش", "topic": "other"})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text == "متن ویرایش‌شده پرسش"
