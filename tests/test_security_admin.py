"""The admin in the access matrix: every registered model's list and add page, for every role.
Only estates staff and superusers (after two-step sign-in) reach it; everyone else is sent to
the admin's login page; what staff reach follows their group's permissions; the audit trail
is read-only even for a superuser."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from core.models import AuditEntry
from tests.access import ROLES

pytestmark = pytest.mark.django_db

OUTSIDERS = ("anonymous", "applicant", "member_a", "member_b", "union_head", "panelist")


def _admin_pages():
    pages = []
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages.append((f"{prefix}_changelist", model))
        pages.append((f"{prefix}_add", model))
    return sorted(pages, key=lambda page: page[0])


def _expected(role, name, model, actors):
    if role in OUTSIDERS:
        return "admin-login"
    request = RequestFactory().get("/admin/")
    request.user = actors.user(role)
    model_admin = admin.site._registry[model]
    allowed = (
        model_admin.has_add_permission(request)
        if name.endswith("_add")
        else model_admin.has_view_or_change_permission(request)
    )
    return 200 if allowed else 403


@pytest.mark.parametrize(("name", "model"), _admin_pages())
def test_admin_page_for_every_role(name, model, actors, client_as):
    url = reverse(name)
    got, expected = {}, {}
    for role in ROLES:
        response = client_as(role).get(url)
        if response.status_code == 302 and response["Location"].startswith(reverse("admin:login")):
            got[role] = "admin-login"
        else:
            got[role] = response.status_code
        expected[role] = _expected(role, name, model, actors)
    assert got == expected
    if name.endswith("_changelist"):
        assert got["superuser"] == 200


def test_every_model_with_personal_data_is_in_the_admin_walk():
    names = {name for name, _model in _admin_pages()}
    for expected in (
        "admin:members_member_changelist",
        "admin:members_user_changelist",
        "admin:cluster_portal_auditentry_changelist",
    ):
        assert expected in names


def test_staff_reach_the_member_list(client_as):
    assert client_as("staff").get(reverse("admin:members_member_changelist")).status_code == 200


def test_audit_trail_is_read_only_even_for_a_superuser(actors, client_as):
    from core.audit import audit_record

    entry = audit_record(
        actor=actors.staff, action="member_approve", instance=actors.a, changes={"status": ["applied", "active"]}
    )
    client = client_as("superuser")
    assert client.get(reverse("admin:cluster_portal_auditentry_add")).status_code == 403
    change = reverse("admin:cluster_portal_auditentry_change", args=[entry.pk])
    assert client.get(change).status_code == 200
    client.post(change, {"action": "forged", "note": "forged"})
    entry.refresh_from_db()
    assert (entry.action, entry.note) == ("member_approve", "")
    assert (
        client.post(reverse("admin:cluster_portal_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert AuditEntry.objects.filter(pk=entry.pk).count() == 1


def test_admin_login_page_does_not_let_a_member_in(actors):
    from django.test import Client

    from conftest import PASSWORD

    client = Client()
    response = client.post(
        reverse("admin:login"), {"username": actors.member_a.mobile, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 200  # the form again, with Django's "not a staff account" message
    assert client.get("/admin/").status_code == 302
