"""Attacks on every page: stored XSS (a payload in every free-text column of every row, then
every page opened by every role that may see it), reflected XSS (the payload in the query
string of every page), CSRF on every state-changing URL, open redirects after sign-in and
two-step sign-in, and Host-header poisoning of the password-reset link."""

import re

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from tests.access import ROLES

pytestmark = pytest.mark.django_db

PAYLOAD = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>"
RAW_MARKERS = ("<script>alert(1)</script>", "<img src=x onerror=alert(2)>")
# App labels (the platform, core, keeps the label cluster_portal).
PROJECT_APPS = ("cluster_portal", "catalogue", "members", "events", "pricing", "permits")
NOT_FREE_TEXT = {"search_key", "storage_name", "token", "content_type", "kind", "object_id", "action", "password"}


def _rules():
    from tests.test_url_access import RULES, URL_NAMES

    return RULES, URL_NAMES


def _free_text_fields(model):
    for field in model._meta.concrete_fields:
        if not isinstance(field, (models.CharField, models.TextField)) or isinstance(
            field, (models.EmailField, models.URLField, models.SlugField)
        ):
            continue
        if field.choices or field.unique or field.name in NOT_FREE_TEXT or field.primary_key:
            continue
        if field.max_length is not None and field.max_length < len(PAYLOAD) + 4:
            continue
        yield field


def _poison_every_row():
    """Put the payload at the end of every free-text value of every row (what a member, a
    visitor or a careless import could have typed)."""
    count = 0
    for app in PROJECT_APPS:
        for model in apps.get_app_config(app).get_models():
            fields = list(_free_text_fields(model))
            if not fields:
                continue
            for row in model.objects.all():
                for field in fields:
                    value = getattr(row, field.attname) or ""
                    room = (field.max_length or 10_000) - len(PAYLOAD)
                    setattr(row, field.attname, value[:room] + PAYLOAD)
                model.objects.filter(pk=row.pk).update(**{f.attname: getattr(row, f.attname) for f in fields})
                count += 1
    return count


def _body(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", "replace")


def _html_get_pages():
    rules, names = _rules()
    for name in names:
        rule = rules[name]
        if rule.method == "get" and any(rule.expect.get(role) == 200 for role in ROLES):
            yield name


@pytest.mark.parametrize("name", list(_html_get_pages()))
def test_stored_xss_payload_in_every_text_column_is_escaped_on_every_page(name, actors, client_as):
    rules, _names = _rules()
    rule = rules[name]
    kwargs = rule.kwargs(actors) if rule.kwargs else {}
    assert _poison_every_row() > 0
    url = reverse(name, kwargs=kwargs) + (f"?{rule.query}" if rule.query else "")
    for role in ROLES:
        if rule.expect.get(role) != 200:
            continue
        response = client_as(role).get(url)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        body = _body(response)
        assert [marker for marker in RAW_MARKERS if marker in body] == [], (name, role)


@pytest.mark.parametrize("name", list(_html_get_pages()))
def test_reflected_xss_in_the_query_string_is_escaped(name, actors, client_as):
    rules, _names = _rules()
    rule = rules[name]
    url = reverse(name, kwargs=rule.kwargs(actors) if rule.kwargs else {})
    role = next(role for role in ROLES if rule.expect.get(role) == 200)
    params = dict.fromkeys(("q", "next", "page", "sort", "round", "status", "county", "product", "topic"), PAYLOAD)
    response = client_as(role).get(url, params)
    assert response.status_code in (200, 302, 400, 404), (name, response.status_code)
    if response.get("Content-Type", "").startswith("text/html"):
        body = _body(response)
        assert [marker for marker in RAW_MARKERS if marker in body] == [], name


def _post_rules():
    rules, names = _rules()
    return [name for name in names if rules[name].method == "post"]


@pytest.mark.parametrize("name", _post_rules())
def test_every_state_changing_url_refuses_a_request_without_the_csrf_token(name, actors):
    from conftest import login_verified

    rules, _names = _rules()
    rule = rules[name]
    url = reverse(name, kwargs=rule.kwargs(actors) if rule.kwargs else {})
    # The role the rule lets through (a redirect after a successful change).
    role = next((r for r in ROLES if rule.expect.get(r) in (200, 302) and r != "anonymous"), "anonymous")
    client = Client(enforce_csrf_checks=True)
    user = actors.user(role)
    if user is not None:
        login_verified(client, user)
    response = client.post(url, rule.data)
    assert response.status_code == 403, (name, role, response.status_code)


def _token(client, url):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(url).content.decode()).group(1)


def test_sms_code_pages_refuse_posts_without_the_csrf_token(actors):
    """Sign-in by SMS code and the application's number check: every post (number, code, new
    code) needs the token; with it the same post works."""
    from core import sms
    from members.tests.test_views import application, sent_code

    sms.outbox.clear()
    client = Client(enforce_csrf_checks=True)
    number = {"username": actors.member_a.mobile}
    assert client.post(reverse("login_code"), number).status_code == 403
    assert sms.outbox == []
    token = _token(client, reverse("login_code"))
    assert client.post(reverse("login_code"), {**number, "csrfmiddlewaretoken": token}).status_code == 302
    code = sent_code(actors.member_a.mobile)
    verify = reverse("login_code_verify")
    assert client.post(verify, {"code": code}).status_code == 403
    assert client.post(verify, {"resend": "1"}).status_code == 403
    assert "_auth_user_id" not in client.session
    token = _token(client, verify)
    assert client.post(verify, {"code": code, "csrfmiddlewaretoken": token}).status_code == 302
    assert client.session["_auth_user_id"] == str(actors.member_a.pk)

    applicant = Client(enforce_csrf_checks=True)
    data = application(owner_national_id="۰۰۰۴۰۰۰۰۰۵")
    assert applicant.post(reverse("members:join"), data).status_code == 403
    token = _token(applicant, reverse("members:join"))
    assert applicant.post(reverse("members:join"), {**data, "csrfmiddlewaretoken": token}).status_code == 302
    join_verify = reverse("members:join_verify")
    code = sent_code("09123456789")
    assert applicant.post(join_verify, {"code": code}).status_code == 403
    assert applicant.post(join_verify, {"resend": "1"}).status_code == 403
    token = _token(applicant, join_verify)
    response = applicant.post(join_verify, {"code": code, "csrfmiddlewaretoken": token})
    assert (response.status_code, response["Location"]) == (302, reverse("members:dashboard"))


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "https:evil.example"]
)
def test_login_never_redirects_off_the_portal(target, actors):
    response = Client().post(
        reverse("login") + f"?next={target}", {"username": actors.member_a.mobile, "password": PASSWORD, "next": target}
    )
    assert (response.status_code, response["Location"]) == (302, "/")


def test_password_reset_link_ignores_a_forged_host_header(actors, django_capture_on_commit_callbacks):
    from core import sms

    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            reverse("password_reset"), {"mobile": actors.member_a.mobile}, HTTP_HOST="evil.example"
        )
    assert response.status_code == 400  # not an allowed host: no page, no message
    assert sms.outbox == []


def test_sql_metacharacters_in_search_are_plain_text(actors, client_as):
    for query in ("' OR 1=1 --", '"; DROP TABLE members_member; --', "%' UNION SELECT mobile FROM members_user --"):
        response = client_as("anonymous").get(reverse("members:directory"), {"q": query})
        assert response.status_code == 200
        assert actors.member_a.mobile not in response.content.decode()
    assert apps.get_model("members", "Member").objects.count() == 3


def test_qa_pages_escape_a_question_asked_through_the_real_form(actors, client_as):
    """The live Q&A pages render cached HTML marked safe: a question asked with markup must reach
    the member list, the moderation queue and the projector escaped."""
    from events import services
    from events.models import Question
    from events.tests.factories import event_with_foreign_panelist

    event = event_with_foreign_panelist(actors)
    asker = client_as("member_b")
    response = asker.post(
        reverse("events:question_ask", kwargs={"event_id": event.pk}), {"text": PAYLOAD, "topic": "other"}
    )
    assert response.status_code == 302
    question = Question.objects.get(event=event, text__contains="onerror")
    if question.status == Question.Status.PENDING:
        services.question_approve(question=question, by=actors.staff)
    pages = [
        ("member_a", "events:qa"),
        ("member_a", "events:qa_fragment"),
        ("staff", "events:moderate"),
        ("staff", "events:moderate_fragment"),
        ("staff", "events:screen"),
        ("staff", "events:screen_fragment"),
    ]
    for role, name in pages:
        response = client_as(role).get(reverse(name, kwargs={"event_id": event.pk}))
        assert response.status_code == 200, name
        body = _body(response)
        assert [marker for marker in RAW_MARKERS if marker in body] == [], name
        assert "&lt;img src=x onerror=alert(2)&gt;" in body or name.startswith("events:screen"), name
