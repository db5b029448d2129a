"""Object-level checks on the Q&A: a panelist acts only on the questions of the panels they sit
on (and the event's general questions); the answer is recorded for the signed-in panelist, or
for a panelist of the question's panel whom estates staff name. Everything else is a 404 and
changes nothing."""

import pytest
from django.urls import URLPattern, get_resolver, reverse

from conftest import make_member, make_user
from core.models import AuditEntry, Notification
from events import services
from events.models import Answer, Event, Panel, Panelist, Question, Vote
from events.tests.factories import make_event, make_question

pytestmark = pytest.mark.django_db

SECRET_NAME = "پرسشگر پنهان"

# Every events URL that takes a question id, by who may use it at all. A panelist who is not a
# member gets 403 from the member and staff pages (their role); on the moderation actions the
# question decides: another panel's is a 404.
MODERATION = {
    "events:question_approve": {},
    "events:question_reject": {"reason": "خارج از موضوع"},
    "events:question_merge": {},  # `into` is set per case
    "events:question_answer": {"text": "پاسخ از پنل دیگر"},
    "events:question_present": {},
}
MEMBERS_ONLY = {"events:question_edit": "get", "events:question_withdraw": "post", "events:question_vote": "post"}
STAFF_ONLY = {"events:commitment_create": "get", "events:question_route": "post"}


def _question_url_names():
    resolver = get_resolver()
    namespace = resolver.namespace_dict["events"][1]
    return {
        f"events:{pattern.name}"
        for pattern in namespace.url_patterns
        if isinstance(pattern, URLPattern) and "question_id" in pattern.pattern.regex.groupindex
    }


class Scene:
    """One event with two panels. The `panelist` actor sits on panel one; panel two has its own
    official (with an account). Questions: one general, two of panel one, three of panel two
    (a waiting anonymous one, an approved one, an answered one)."""

    def __init__(self, actors):
        self.event = make_event(qa_premoderation=True)
        self.panel_one = Panel.objects.create(event=self.event, title="پنل یک")
        self.panel_two = Panel.objects.create(event=self.event, title="پنل دو")
        self.seat = Panelist.objects.create(
            panel=self.panel_one, name="عضو پنل یک", organisation="estates", user=actors.panelist
        )
        self.colleague_seat = Panelist.objects.create(panel=self.panel_one, name="همکار پنل یک", organisation="imt")
        self.official = make_user("09130000044", "مسئول پنل دو")
        self.other_seat = Panelist.objects.create(
            panel=self.panel_two, name="مسئول پنل دو", organisation="health", user=self.official
        )
        asker = make_user("09130000055", SECRET_NAME)
        make_member(asker, national_id="0067749828", number=55)
        self.general = make_question(self.event, actors.member_a, text="پرسش عمومی")
        self.mine = make_question(self.event, actors.member_a, text="پرسش پنل یک", panel=self.panel_one)
        self.mine_too = make_question(self.event, actors.member_b, text="پرسش دوم پنل یک", panel=self.panel_one)
        self.foreign_pending = make_question(
            self.event,
            asker,
            text="پرسش ناشناس پنل دو",
            panel=self.panel_two,
            anonymous=True,
            status=Question.Status.PENDING,
            addressed_panelist=self.other_seat,
        )
        self.foreign = make_question(self.event, actors.member_b, text="پرسش پنل دو", panel=self.panel_two)
        self.foreign_answered = make_question(
            self.event, actors.member_b, text="پرسش پاسخ‌داده پنل دو", panel=self.panel_two
        )
        services.question_answer(
            question=self.foreign_answered, by=self.official, text="پاسخ مسئول", panelist=self.other_seat
        )
        self.foreign_ids = [self.foreign_pending.pk, self.foreign.pk, self.foreign_answered.pk]


def _snapshot():
    return {
        "questions": sorted(
            Question.objects.values_list(
                "pk", "status", "text", "rejection_reason", "merged_into_id", "vote_count", "panel_id"
            )
        ),
        "answers": sorted(Answer.objects.values_list("pk", "question_id", "text", "panelist_id", "recorded_by_id")),
        "votes": sorted(Vote.objects.values_list("question_id", "user_id")),
        "projector": list(Event.objects.values_list("pk", "current_question_id")),
        "audit": AuditEntry.objects.count(),
        "notifications": Notification.objects.count(),
    }


def test_every_url_taking_a_question_id_is_classified():
    assert _question_url_names() == set(MODERATION) | set(MEMBERS_ONLY) | set(STAFF_ONLY)


def test_panelist_walking_every_q_and_a_action_with_another_panel_s_questions_gets_404_and_changes_nothing(
    actors, client_as
):
    scene = Scene(actors)
    client = client_as("panelist")
    before = _snapshot()
    seen = {}
    for name, data in MODERATION.items():
        for question_id in scene.foreign_ids:
            post = dict(data)
            if name == "events:question_merge":
                post["into"] = scene.mine.pk
            if name == "events:question_answer":
                post["panelist"] = scene.seat.pk
            for htmx in (False, True):
                headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
                response = client.post(reverse(name, args=[scene.event.pk, question_id]), post, **headers)
                seen[(name, question_id, htmx)] = response.status_code
    # The other way round: the panelist's own question with another panel's as the target.
    own = scene.mine.pk
    crossing = {
        "merge into another panel's question": client.post(
            reverse("events:question_merge", args=[scene.event.pk, own]), {"into": scene.foreign.pk}
        ),
        "answer in the name of another panel's official": client.post(
            reverse("events:question_answer", args=[scene.event.pk, own]),
            {"text": "پاسخ به نام دیگری", "panelist": scene.other_seat.pk},
        ),
        "answer in the name of a colleague of the same panel": client.post(
            reverse("events:question_answer", args=[scene.event.pk, own]),
            {"text": "پاسخ به نام همکار", "panelist": scene.colleague_seat.pk},
        ),
    }
    for name, method in {**MEMBERS_ONLY, **STAFF_ONLY}.items():
        for question_id in scene.foreign_ids:
            response = getattr(client, method)(reverse(name, args=[scene.event.pk, question_id]), {"state": "on"})
            seen[(name, question_id, False)] = response.status_code
    assert {key: code for key, code in seen.items() if key[0] in MODERATION} == dict.fromkeys(
        [key for key in seen if key[0] in MODERATION], 404
    )
    # Not the panelist's role at all (they are no member, no staff).
    assert {key: code for key, code in seen.items() if key[0] not in MODERATION} == dict.fromkeys(
        [key for key in seen if key[0] not in MODERATION], 403
    )
    assert {label: response.status_code for label, response in crossing.items()} == dict.fromkeys(crossing, 404)
    assert _snapshot() == before


def test_panelist_cannot_clear_the_projector_showing_another_panel_s_question(actors, client_as):
    scene = Scene(actors)
    services.question_present(event=scene.event, question=scene.foreign, by=actors.staff)
    before = _snapshot()
    response = client_as("panelist").post(reverse("events:question_present", args=[scene.event.pk, 0]))
    assert response.status_code == 404
    assert _snapshot() == before
    # Their own panel's question on the projector: they may clear it.
    services.question_present(event=scene.event, question=scene.mine, by=actors.staff)
    assert client_as("panelist").post(reverse("events:question_present", args=[scene.event.pk, 0])).status_code == 302
    scene.event.refresh_from_db()
    assert scene.event.current_question_id is None


def test_panelist_moderates_their_panel_and_the_general_questions_in_their_own_name(actors, client_as):
    scene = Scene(actors)
    client = client_as("panelist")
    body = client.get(reverse("events:moderate", args=[scene.event.pk]) + "?status=open").content.decode()
    assert "پرسش پنل یک" in body and "پرسش عمومی" in body
    assert "پرسش پنل دو" not in body and "پرسش ناشناس پنل دو" not in body
    # The answer form offers only the panelist themselves; the status counts are theirs too.
    assert "مسئول پنل دو" not in body and "همکار پنل یک" not in body
    for question in (scene.mine, scene.general):
        response = client.post(
            reverse("events:question_answer", args=[scene.event.pk, question.pk]), {"text": "پاسخ پنل یک"}
        )
        assert response.status_code == 302
        answer = Answer.objects.get(question=question)
        assert (answer.panelist, answer.recorded_by) == (scene.seat, actors.panelist)
    assert client.post(reverse("events:question_approve", args=[scene.event.pk, scene.mine_too.pk])).status_code == 302
    response = client.post(
        reverse("events:question_merge", args=[scene.event.pk, scene.mine_too.pk]), {"into": scene.mine.pk}
    )
    assert response.status_code == 302
    scene.mine_too.refresh_from_db()
    assert (scene.mine_too.status, scene.mine_too.merged_into_id) == ("merged", scene.mine.pk)


def test_staff_name_only_a_panelist_of_the_question_s_panel(actors, client_as):
    scene = Scene(actors)
    client = client_as("staff")
    url = reverse("events:question_answer", args=[scene.event.pk, scene.mine.pk])
    before = _snapshot()
    assert client.post(url, {"text": "پاسخ", "panelist": scene.other_seat.pk}).status_code == 404
    assert _snapshot() == before
    assert client.post(url, {"text": "پاسخ همکار", "panelist": scene.colleague_seat.pk}).status_code == 302
    answer = Answer.objects.get(question=scene.mine)
    assert (answer.panelist, answer.recorded_by) == (scene.colleague_seat, actors.staff)
    # Staff act on any panel's question, and may leave the answerer unnamed.
    foreign_url = reverse("events:question_answer", args=[scene.event.pk, scene.foreign.pk])
    assert client.post(foreign_url, {"text": "پاسخ بی‌نام"}).status_code == 302
    assert Answer.objects.get(question=scene.foreign).panelist is None
    # The moderation page offers, for each question, the panelists of its own panel.
    body = client.get(reverse("events:moderate", args=[scene.event.pk]) + "?status=open").content.decode()
    foreign_block = body[body.index(f'id="answer-by-{scene.foreign_pending.pk}"') :]
    foreign_block = foreign_block[: foreign_block.index("</select>")]
    assert "مسئول پنل دو" in foreign_block and "عضو پنل یک" not in foreign_block


def test_the_answer_service_refuses_another_panel_s_official(actors):
    from django.core.exceptions import ValidationError

    scene = Scene(actors)
    with pytest.raises(ValidationError):
        services.question_answer(question=scene.mine, by=actors.staff, text="پاسخ", panelist=scene.other_seat)
    with pytest.raises(ValidationError):  # a panelist records answers in their own name only
        services.question_answer(question=scene.mine, by=actors.panelist, text="پاسخ", panelist=scene.colleague_seat)
    with pytest.raises(ValidationError):
        services.question_answer(question=scene.mine, by=actors.panelist, text="پاسخ", panelist=None)
    assert not Answer.objects.filter(question=scene.mine).exists()


def test_members_vote_only_for_published_questions(actors, client_as):
    scene = Scene(actors)
    before = _snapshot()
    response = client_as("member_a").post(
        reverse("events:question_vote", args=[scene.event.pk, scene.foreign_pending.pk]), {"state": "on"}
    )
    assert response.status_code == 404
    assert _snapshot() == before
