"""The platform's one way to cache a fragment (core.fragment_cache) and its one role
decorator (core.access)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from core import fragment_cache
from core.access import role_required

pytestmark = pytest.mark.django_db


def test_an_entry_is_read_back_only_under_the_tokens_it_was_stored_with():
    tokens, found = fragment_cache.read(["test.a", "test.b"], ["test:entry"])
    assert found == {} and len(set(tokens)) == 2
    fragment_cache.store("test:entry", "<p>1</p>", tokens, 60)
    assert fragment_cache.read(["test.a", "test.b"], ["test:entry"]) == (tokens, {"test:entry": "<p>1</p>"})
    # Another identity (e.g. a row rebuilt with the same id) does not match.
    assert fragment_cache.read(["test.a", "test.b"], ["test:entry"], identity=("other",))[1] == {}
    fragment_cache.bump("test.b")
    renewed, found = fragment_cache.read(["test.a", "test.b"], ["test:entry"])
    assert found == {} and renewed[0] == tokens[0] and renewed[1] != tokens[1]


def test_a_bump_inside_a_transaction_is_renewed_when_it_commits(django_capture_on_commit_callbacks):
    before = fragment_cache.tokens("test.c")
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        fragment_cache.bump("test.c")
        during = fragment_cache.tokens("test.c")
        # A fragment rendered now, from rows before the commit, is stored under `during`.
        fragment_cache.store("test:c", "old rows", during, 60)
    assert during != before and len(callbacks) == 1
    callbacks[0]()
    after, found = fragment_cache.read(["test.c"], ["test:c"])
    assert after != during and found == {}


def test_the_fingerprint_follows_the_templates_sources(tmp_path):
    template = tmp_path / "fragment.html"
    settings_templates = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [tmp_path]}]
    prints = []
    for source in ("<p>{{ one }}</p>", "<p>{{ one }}</p>", "<p>{{ two }}</p>"):
        template.write_text(source)
        with override_settings(TEMPLATES=settings_templates):  # a new process, as after a release
            fragment_cache.fingerprint.cache_clear()
            prints.append(fragment_cache.fingerprint(templates=("fragment.html",)))
    fragment_cache.fingerprint.cache_clear()
    assert prints[0] == prints[1] != prints[2]


def test_role_required_sends_visitors_to_sign_in_and_refuses_other_roles(actors):
    view = role_required(lambda user: user.mobile == actors.member_a.mobile)(lambda request: HttpResponse("ok"))
    anyone = role_required()(lambda request: HttpResponse("ok"))
    request = RequestFactory().get("/somewhere/?x=1")
    request.user = AnonymousUser()
    response = view(request)
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/somewhere/%3Fx%3D1")
    request.user = actors.member_b
    with pytest.raises(PermissionDenied):
        view(request)
    assert anyone(request).content == b"ok"
    request.user = actors.member_a
    assert view(request).content == b"ok"
