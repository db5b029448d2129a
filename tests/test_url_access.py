"""Walks every URL pattern of every app: each needs an access rule, and each rule is checked
for every role (anonymous → login or public, wrong role → 403, another member's object → 404)."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access import EVERYONE, LOGIN, ROLES

SKIPPED_NAMESPACES = {"admin"}  # the admin is checked in test_admin_access below
# Every app of the project (its own folder under the project's root) may list its rules.
APPS_WITH_RULES = [
    config.name for config in django_apps.get_app_configs() if Path(config.path).parent == Path(settings.BASE_DIR)
]


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns in SKIPPED_NAMESPACES:
                continue
            yield from _walk(entry.url_patterns, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def _all_rules():
    rules = {}
    for app in APPS_WITH_RULES:
        try:
            module = importlib.import_module(f"{app}.tests.url_access")
        except ModuleNotFoundError:
            continue
        rules.update(module.URL_ACCESS)
    return rules


RULES = _all_rules()
URL_NAMES = sorted(set(_walk(get_resolver().url_patterns)))


def test_every_url_pattern_has_an_access_rule():
    missing = [name for name in URL_NAMES if name not in RULES]
    assert missing == []


def test_no_rule_for_a_pattern_that_does_not_exist():
    assert sorted(set(RULES) - set(URL_NAMES)) == []


@pytest.mark.parametrize("name", URL_NAMES)
def test_url_access_for_every_role(name, actors, client_as):
    rule = RULES[name]
    kwargs = rule.kwargs(actors) if rule.kwargs else {}
    url = reverse(name, kwargs=kwargs) + (f"?{rule.query}" if rule.query else "")
    got, caching = {}, {}
    for role in ROLES:
        client = client_as(role)
        response = getattr(client, rule.method)(url, rule.data) if rule.method == "post" else client.get(url)
        caching[role] = _caching(response)
        if (
            response.status_code == 302
            and response["Location"].startswith(reverse(settings.LOGIN_URL))
            and role == "anonymous"
        ):
            got[role] = LOGIN
        else:
            got[role] = response.status_code
    assert got == {role: rule.expect[role] for role in ROLES}
    expected = {role: _expected_caching(rule, role, got[role]) for role in ROLES}
    assert caching == {role: caching[role] if expected[role] == ANY else expected[role] for role in ROLES}


PRIVATE, SHARED, ANY = "private, no-store", "may be kept by caches", "not checked"


def _caching(response):
    directives = {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",")}
    if {"private", "no-store"} <= directives:
        return PRIVATE
    return SHARED if not directives & {"private", "no-store", "no-cache"} else response.get("Cache-Control")


def _expected_caching(rule, role, status):
    """Signed-in roles and POSTs: always private, no-store. A visitor: shared for the pages the
    rule marks public, private for every other page that answers them."""
    if rule.method == "post":
        return PRIVATE
    if rule.public_cache == EVERYONE and status == 200:
        return SHARED
    if role != "anonymous":
        return PRIVATE
    if rule.public_cache:
        return SHARED
    return PRIVATE if status == 200 else ANY  # a redirect to the login page, a 404: nothing personal


def test_admin_access(actors, client_as):
    index = reverse("admin:index")
    assert client_as("anonymous").get(index).status_code == 302
    for role in ("applicant", "member_a", "union_head", "panelist"):
        response = client_as(role).get(index)
        assert (role, response.status_code, response["Location"].startswith(reverse("admin:login"))) == (
            role,
            302,
            True,
        )
    for role in ("staff", "superuser"):
        assert client_as(role).get(index).status_code == 200
