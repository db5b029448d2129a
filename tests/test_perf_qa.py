"""The polled Q&A fragment (events.middleware, events.qa_access, events.qa_cache).

A poll is answered before the rest of the stack from the session and the shared cache — after
one query that checks the user's access whenever the access epoch changed since the session's
last check — with 204 (`HX-Reswap: none`) when the version it sends is still current,
otherwise the fragment rendered once for everybody. Losing access takes effect on the next
poll; nothing is kept in a worker's memory, so an admin delete or an anonymisation reaches
every copy."""

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_member, make_user
from core import fragment_cache
from events import qa_access, qa_cache, services
from events.models import Event, Question
from events.tests.factories import make_event, make_panelist, make_question
from members import services as member_services
from members.anonymise import member_anonymise
from members.models import Member, MemberUser

pytestmark = pytest.mark.django_db

SECRET_NAME = "پرسشگر پنهان"
# The quick path reads the session from the cache (Redis) or, with database sessions, from the
# database; one more query checks the user's access when the access epoch has changed.
SESSION_QUERIES = 0 if settings.SESSION_ENGINE.endswith(".cache") else 1
WITHOUT_QUICK_PATH = [m for m in settings.MIDDLEWARE if m != "events.middleware.QaPollMiddleware"]


def _poll(client, event, version=None, sort="votes"):
    data = {"sort": sort}
    if version:
        data["v"] = version
    return client.get(reverse("events:qa_fragment", args=[event.pk]), data)


def _version(html: str) -> str:
    return re.search(r'<input type="hidden" name="v" value="([^"]+)">', html).group(1)


def _quick(client, event, version=None, *, access_query=False):
    """A poll that must be answered by the quick path: exactly its queries (the session's when
    sessions live in the database, and the access query when the epoch changed)."""
    with CaptureQueriesContext(connection) as queries:
        response = _poll(client, event, version)
    sql = [q["sql"][:120] for q in queries.captured_queries]
    assert len(sql) == SESSION_QUERIES + access_query, sql
    return response


def _warm(client, event):
    """The first poll goes through the whole stack (it renders the fragment and renews the
    session's last-seen time), the second is the quick path's first (it checks the access);
    after them the quick path answers from the cache alone."""
    _poll(client, event)
    return _version(_quick(client, event, access_query=True).content.decode())


def test_unchanged_poll_is_answered_204_by_the_quick_path_and_a_change_is_sent_in_full(actors, client_as):
    event = make_event()
    make_question(event, actors.member_a, text="پرسش نخست")
    client = client_as("member_b")
    page = client.get(reverse("events:qa", args=[event.pk])).content.decode()
    assert "hx-include=\"#qa-live input[name='v']\"" in page
    version = _version(page)
    # The page renewed the session's last-seen time: the quick path answers from the first
    # poll, checking the access once.
    assert _quick(client, event, version, access_query=True).status_code == 204
    unchanged = _quick(client, event, version)
    assert unchanged.status_code == 204 and unchanged["HX-Reswap"] == "none"
    assert unchanged.content == b"" and "no-store" in unchanged["Cache-Control"]
    services.question_ask(event=event, asker=actors.member_a, text="پرسش تازه درباره مجوز", topic="other")
    changed = _poll(client, event, version)  # rendered afresh by the whole stack
    body = changed.content.decode()
    assert changed.status_code == 200 and "پرسش تازه درباره مجوز" in body
    assert _version(body) != version
    assert _quick(client, event, _version(body)).status_code == 204
    # Another member's poll of the new version: the fragment from the shared cache.
    other = client_as("member_a")
    _warm(other, event)
    full = _quick(other, event, version)
    assert full.status_code == 200 and "پرسش تازه درباره مجوز" in full.content.decode()


@pytest.mark.parametrize("language", ["fa", "en"])
@pytest.mark.parametrize("role", ["member_b", "panelist"])
def test_quick_path_answers_exactly_what_the_whole_stack_answers(actors, client_as, language, role):
    event = make_event()
    make_panelist(event, actors.panelist)
    question = make_question(event, actors.member_a, text="پرسش درباره قیمت")
    make_question(event, actors.member_b, text="پرسش خودم", anonymous=True, status=Question.Status.PENDING)
    services.question_vote_set(question=question, user=actors.member_b, on=True)
    client = client_as(role)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    _warm(client, event)
    quick = _quick(client, event)
    with override_settings(MIDDLEWARE=WITHOUT_QUICK_PATH):
        whole = _poll(client, event)
    assert quick.status_code == whole.status_code == 200
    assert quick.content == whole.content
    # The same headers (Expires is "now": it may be a second apart).
    assert {**quick.headers, "Expires": ""} == {**whole.headers, "Expires": ""}
    assert quick["Expires"] and whole["Expires"]
    body = quick.content.decode()
    assert ('aria-pressed="true"' in body) is (role == "member_b")
    assert ("پرسش خودم" in body) is (role == "member_b")  # pending: only in the asker's own list


def test_no_quick_answer_without_access(actors, client_as):
    event = make_event()
    make_question(event, actors.member_a)
    version = _warm(client_as("member_b"), event)
    # Signed out: the login page, not "unchanged".
    assert _poll(Client(), event, version).status_code == 302
    # The applicant (not an active member) and a panelist of another event send the right
    # version: still refused.
    assert _poll(client_as("applicant"), event, version).status_code == 403
    other_event = make_event(title="رویداد دیگر")
    make_panelist(other_event, actors.panelist)
    assert _poll(client_as("panelist"), event, version).status_code == 403


# --- Losing access takes effect on the next poll ---------------------------------------------


def _polling_member(client_as, actors, event):
    client = client_as("member_b")
    version = _warm(client, event)
    assert _quick(client, event, version).status_code == 204
    return client, version


def test_suspended_member_is_refused_at_the_next_poll(actors, client_as):
    event = make_event()
    make_question(event, actors.member_a)
    client, version = _polling_member(client_as, actors, event)
    member_services.member_change_status(
        member=actors.b, actor=actors.staff, to_status=Member.Status.SUSPENDED, reason="بدهی"
    )
    assert _poll(client, event, version).status_code == 403
    assert _poll(client, event).status_code == 403


def test_a_change_no_signal_sees_takes_effect_when_the_poll_mark_runs_out(actors, client_as):
    """QuerySet.update() sends no signal: the access epoch stays, and the session's mark (given
    for POLL_ACCESS_SECONDS) decides until it runs out; then the access query refuses."""
    event = make_event()
    make_question(event, actors.member_a)
    client, version = _polling_member(client_as, actors, event)
    Member.objects.filter(pk=actors.b.pk).update(status=Member.Status.SUSPENDED)
    assert _quick(client, event, version).status_code == 204  # nothing new is sent
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    cache.delete(qa_access.mark_key(session, event.pk))  # as when it runs out
    assert _poll(client, event, version).status_code == 403


def test_unrelated_sign_ins_keep_the_quick_answers_and_other_changes_cost_one_check(actors, client_as):
    event = make_event()
    make_question(event, actors.member_a)
    client, version = _polling_member(client_as, actors, event)
    client_as("member_a")  # a sign-in saves only the last-login time
    assert _quick(client, event, version).status_code == 204
    other = make_user("09130000082", "عضو دیگر")
    make_member(other, national_id="0075940434", number=82)  # a member row saved: the epoch renews
    assert _quick(client, event, version, access_query=True).status_code == 204
    assert _quick(client, event, version).status_code == 204


def test_removed_colleague_is_refused_at_the_next_poll(actors, client_as):
    event = make_event()
    make_question(event, actors.member_a)
    colleague = make_user("09130000077", "همکار آزمایشی")
    owner_link = MemberUser.objects.get(user=actors.member_b)
    link = MemberUser.objects.create(member=owner_link.member, user=colleague, role=MemberUser.Role.COLLEAGUE)
    client = Client()
    client.force_login(colleague)
    version = _warm(client, event)
    assert _quick(client, event, version).status_code == 204
    member_services.member_remove_colleague(member=owner_link.member, actor=actors.member_b, link=link)
    assert _poll(client, event, version).status_code == 403


def test_panelist_removed_from_the_panel_is_refused_at_the_next_poll(actors, client_as):
    event = make_event()
    seat = make_panelist(event, actors.panelist)
    make_question(event, actors.member_a)
    client = client_as("panelist")
    version = _warm(client, event)
    assert _quick(client, event, version).status_code == 204
    seat.delete()
    assert _poll(client, event, version).status_code == 403


def test_logout_takes_effect_at_the_next_poll(actors, client_as):
    event = make_event()
    make_question(event, actors.member_a)
    client, version = _polling_member(client_as, actors, event)
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("logout"))
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = session_cookie  # the old cookie, replayed
    assert _poll(stale, event, version).status_code == 302
    assert _poll(client, event, version).status_code == 302


def test_deactivated_user_is_signed_out_at_the_next_poll(actors, client_as):
    event = make_event()
    make_question(event, actors.member_a)
    client, version = _polling_member(client_as, actors, event)
    user = type(actors.member_b).objects.get(pk=actors.member_b.pk)
    user.is_active = False
    user.save()  # as the users' admin does
    assert _poll(client, event, version).status_code == 302


def test_password_changed_elsewhere_signs_this_session_out_at_the_next_poll(actors, client_as):
    event = make_event()
    make_question(event, actors.member_a)
    client, version = _polling_member(client_as, actors, event)
    user = type(actors.member_b).objects.get(pk=actors.member_b.pk)
    user.set_password("another-pass-1405")
    user.save()
    assert _poll(client, event, version).status_code == 302


def test_a_role_that_asks_for_the_second_factor_leaves_the_quick_path_at_the_next_poll(actors, client_as):
    from django.contrib.auth.models import Group

    from members import roles

    event = make_event()
    make_question(event, actors.member_a)
    client, version = _polling_member(client_as, actors, event)
    actors.member_b.groups.add(Group.objects.get(name=roles.UNION_HEAD))
    with CaptureQueriesContext(connection) as queries:
        response = _poll(client, event, version)
    # The whole stack answered (the user, their groups …), not the quick path.
    assert len(queries) > SESSION_QUERIES + 1 and response.status_code in (204, 302)


def test_ex_staff_no_longer_see_anonymous_askers_at_the_next_poll(actors, client_as):
    from django.contrib.auth.models import Group

    from members import roles

    event = make_event()
    asker = make_user("09130000055", SECRET_NAME)
    make_member(asker, national_id="0067749828", number=55)
    make_question(event, asker, anonymous=True, text="پرسش ناشناس")
    # A member user who is also estates staff sees who asked.
    actors.member_b.groups.add(Group.objects.get(name=roles.ESTATES_STAFF))
    client = client_as("member_b")
    from conftest import login_verified

    login_verified(client, actors.member_b)
    staff_view = _poll(client, event).content.decode()
    assert SECRET_NAME in staff_view
    actors.member_b.groups.clear()
    after = _poll(client, event, _version(staff_view))
    assert after.status_code == 200
    body = after.content.decode()
    assert "پرسش ناشناس" in body and SECRET_NAME not in body


# --- Deletes and anonymisation reach every copy ------------------------------------------------


def test_question_deleted_in_the_admin_is_gone_at_the_next_poll(actors, client_as):
    event = make_event()
    doomed = make_question(event, actors.member_a, text="پرسشی که حذف می‌شود")
    make_question(event, actors.member_a, text="پرسشی که می‌ماند")
    client, version = _polling_member(client_as, actors, event)
    assert "پرسشی که حذف می‌شود" in _poll(client, event).content.decode()
    response = client_as("staff").post(reverse("admin:events_question_delete", args=[doomed.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Question.objects.filter(pk=doomed.pk).exists()
    body = _poll(client, event, version).content.decode()
    assert "پرسشی که می‌ماند" in body and "پرسشی که حذف می‌شود" not in body


def test_anonymised_member_s_name_is_gone_at_the_next_poll(actors, client_as):
    event = make_event()
    leaver = make_user("09130000066", "عضو رفته")
    member = make_member(leaver, national_id="0013542419", number=66)
    make_question(event, leaver, text="پرسش عضوی که رفت")
    client, version = _polling_member(client_as, actors, event)
    assert "عضو رفته" in _poll(client, event).content.decode()
    member_services.member_change_status(
        member=member, actor=actors.staff, to_status=Member.Status.RESIGNED, reason="انصراف"
    )
    member_anonymise(member=member, actor=actors.staff)
    body = _poll(client, event, version).content.decode()
    assert "پرسش عضوی که رفت" in body and "عضو رفته" not in body


def test_nothing_is_kept_in_a_worker_s_memory(actors, client_as):
    """Another server process sees only the shared cache: when its entries are gone, the next
    poll renders from the database (a copy kept in this process would still show the old
    text)."""
    event = make_event()
    question = make_question(event, actors.member_a, text="متن پیش از تغییر")
    client, _version_shown = _polling_member(client_as, actors, event)
    assert "متن پیش از تغییر" in _poll(client, event).content.decode()
    Question.objects.filter(pk=question.pk).update(text="متن پس از تغییر")  # no bump
    assert "متن پیش از تغییر" in _poll(client, event).content.decode()  # the shared entry
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    cache.delete_many(
        qa_cache.entry_keys(
            event.pk, variant="member", sort="votes", language="fa", owner_id=qa_cache.owner(session_key=session)
        )
    )
    assert "متن پس از تغییر" in _poll(client, event).content.decode()


def test_fragment_lives_in_the_shared_cache_under_the_current_tokens(actors, client_as):
    event = make_event()
    make_question(event, actors.member_a)
    _warm(client_as("member_b"), event)
    tokens = fragment_cache.tokens(*qa_cache.versions(event.pk))
    stored_under, (pieces, ids) = cache.get(qa_cache.list_key(event.pk, "votes", "member", "fa"))
    assert stored_under == (*tokens, qa_cache.event_stamp(event.created_at))
    assert len(pieces) == len(ids) + 1 == 2


# --- Votes -------------------------------------------------------------------------------------


def test_my_vote_mark_and_my_questions_follow_the_version(actors, client_as):
    event = make_event()
    question = make_question(event, actors.member_a)
    client = client_as("member_b")
    html = _poll(client, event).content.decode()
    vote_url = reverse("events:question_vote", args=[event.pk, question.pk])
    voted = client.post(vote_url, {"state": "on"}, HTTP_HX_REQUEST="true").content.decode()
    assert f'data-vote="{question.pk}" aria-pressed="true"' in voted
    # The page's old version is now stale: the poll brings the new state, then 204 again.
    fresh = _poll(client, event, _version(html)).content.decode()
    assert f'data-vote="{question.pk}" aria-pressed="true"' in fresh
    assert _poll(client, event, _version(fresh)).status_code == 204
    # Repeating the same vote changes nothing, not even the version.
    client.post(vote_url, {"state": "on"}, HTTP_HX_REQUEST="true")
    assert _poll(client, event, _version(fresh)).status_code == 204
    # Another member shares the list but not this member's vote mark.
    other = client_as("member_a")
    _warm(other, event)
    assert f'data-vote="{question.pk}" aria-pressed="false"' in _quick(other, event).content.decode()


# --- The quick path admits exactly whom the view admits --------------------------------------


@pytest.mark.parametrize("status", [s for s, _label in Event.Status.choices])
@pytest.mark.parametrize("audience", [a for a, _label in Event.Audience.choices])
def test_quick_path_admits_exactly_whom_the_view_admits(actors, status, audience):
    from django.contrib.auth import HASH_SESSION_KEY
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from conftest import ROLES
    from events.access import qa_event_for_user_or_404
    from events.middleware import QaPollMiddleware
    from events.selectors import qa_poll_access
    from members.models import User
    from members.twofactor.policy import REQUIRED_SESSION_KEY

    event = make_event(status=status, audience=audience)
    make_panelist(event, actors.panelist)
    suspended = make_user("09130000081", "عضو تعلیق‌شده")
    make_member(suspended, national_id="0084575948", number=81, status=Member.Status.SUSPENDED)
    users = {role: actors.user(role) for role in ROLES if role != "anonymous"}
    users["suspended"] = suspended
    decisions = {}
    for role, user in users.items():
        user = User.objects.get(pk=user.pk)
        row = qa_poll_access(user_id=user.pk, event_id=event.pk)
        session = {
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            REQUIRED_SESSION_KEY: [user.privilege_version, False, []],  # signed in, no code needed
        }
        quick = QaPollMiddleware._variant(session, row)
        try:
            full = qa_event_for_user_or_404(user, event.pk)[1].variant
        except (Http404, PermissionDenied):
            full = None
        decisions[role] = (quick, full)
    # The quick path answers only where it gives the view's answer; staff, the union head and
    # superusers (second factor) always take the whole stack.
    assert {role: q for role, (q, f) in decisions.items() if q is not None and q != f} == {}
    assert [decisions[role][0] for role in ("staff", "union_head", "superuser")] == [None, None, None]
    open_qa = status in (Event.Status.PUBLISHED, Event.Status.FINISHED)
    assert decisions["member_a"] == (("member", "member") if open_qa else (None, None))
    assert decisions["panelist"] == (("viewer", "viewer") if open_qa else (None, None))
    assert decisions["suspended"] == (None, None) and decisions["applicant"] == (None, None)
    # With a wrong session hash (the password changed since), never.
    row = qa_poll_access(user_id=actors.member_a.pk, event_id=event.pk)
    stamp = [row["privilege_version"], False, []]
    assert QaPollMiddleware._variant({HASH_SESSION_KEY: "0" * 64, REQUIRED_SESSION_KEY: stamp}, row) is None
    # Nor when the user's privileges changed since the session learnt them (members.twofactor).
    member_hash = User.objects.get(pk=actors.member_a.pk).get_session_auth_hash()
    stale = [row["privilege_version"] - 1, False, []]
    assert QaPollMiddleware._variant({HASH_SESSION_KEY: member_hash, REQUIRED_SESSION_KEY: stale}, row) is None
