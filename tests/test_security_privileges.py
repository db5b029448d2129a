"""Privileges follow the user, not the session (issue: a role given during a session skipped the
second factor). A signed-in user who gains staff, estates-staff, union-head or superuser rights
gives a fresh second-factor code (or sets an authenticator up) before the next privileged page;
a role taken away takes effect on the very next request. Both directions, for every privileged
role, on the price review, the report's CSV and the admin."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD, give_totp_device, login_verified, make_user, totp_now, totp_unused
from members.roles import ESTATES_STAFF, PANELIST, UNION_HEAD

pytestmark = pytest.mark.django_db

REVIEW = "/prices/review/"
REPORT_CSV = "/prices/report/?format=csv"
ADMIN_MEMBERS = "/admin/members/member/"
PERMITS_DASHBOARD = "/permits/dashboard/"


@pytest.fixture(autouse=True)
def _enforced(settings):
    settings.TWO_FACTOR_REQUIRED = True


def _group(name):
    return Group.objects.get_or_create(name=name)[0]


def _grant(user, role):
    """What the admin's user form does: flags through the model's save, groups through the
    relation."""
    if role == "is_staff":
        user.is_staff = True
        user.save()
    elif role == "superuser":
        user.is_staff = user.is_superuser = True
        user.save()
    else:
        user.groups.add(_group(role))


def _revoke(user, role):
    if role == "is_staff":
        user.is_staff = False
        user.save()
    elif role == "superuser":
        user.is_superuser = False
        user.save(update_fields=["is_superuser"])
    else:
        user.groups.remove(_group(role))


# The pages each newly gained right opens (all refused to a plain member).
GAINED = {
    UNION_HEAD: [REVIEW, REPORT_CSV],
    ESTATES_STAFF: [REPORT_CSV, PERMITS_DASHBOARD],
    "is_staff": ["/admin/"],
    "superuser": [REVIEW, REPORT_CSV, ADMIN_MEMBERS],
}


def _signed_in_member():
    user = make_user("09130000444", "عضو تازه‌کار")
    client = Client()
    response = client.post(reverse("login"), {"username": user.mobile, "password": PASSWORD})
    assert response.status_code == 302
    return user, client


@pytest.mark.parametrize("role", list(GAINED))
def test_a_role_gained_during_a_session_asks_for_set_up_before_the_next_privileged_page(role):
    user, client = _signed_in_member()
    page = GAINED[role][0]
    before = client.get(page)
    assert before.status_code in (302, 403)
    assert not before.get("Location", "").startswith("/accounts/2fa/")
    _grant(user, role)
    for page in GAINED[role]:
        response = client.get(page)
        assert (response.status_code, response["Location"]) == (
            302,
            f"{reverse('twofactor:setup')}?next={page.replace('/', '%2F').replace('?', '%3F').replace('=', '%3D')}",
        )
    # Not even a page that needs no role answers before the authenticator is set up.
    assert client.get(reverse("notifications"))["Location"].startswith(reverse("twofactor:setup"))
    # Set up: the pages answer, on a new session key.
    client.get(reverse("twofactor:setup"))
    device = TOTPDevice.objects.get(user=user)
    old_key = client.session.session_key
    assert client.post(reverse("twofactor:setup"), {"code": totp_now(device)}).status_code == 302
    assert client.session.session_key != old_key
    for page in GAINED[role]:
        assert client.get(page).status_code == 200, page


@pytest.mark.parametrize("role", list(GAINED))
def test_a_verified_member_who_gains_a_role_gives_a_fresh_code(role):
    """A member who turned two-step sign-in on and gave the code at sign-in: the new rights still
    need a code typed after they were given (and a new session key)."""
    user = make_user("09130000445", "عضو با کد")
    device = give_totp_device(user)
    client = login_verified(Client(), user)
    assert client.get(reverse("notifications")).status_code == 200
    _grant(user, role)
    page = GAINED[role][0]
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("twofactor:verify") + "?next=")
    old_key = client.session.session_key
    response = client.post(reverse("twofactor:verify"), {"code": totp_unused(device), "next": page})
    assert (response.status_code, response["Location"]) == (302, page)
    assert client.session.session_key != old_key
    for page in GAINED[role]:
        assert client.get(page).status_code == 200, page


@pytest.mark.parametrize(
    ("actor", "role", "pages"),
    [
        ("union_head", UNION_HEAD, {REVIEW: 403, REPORT_CSV: 403}),
        ("staff", ESTATES_STAFF, {REPORT_CSV: 403, PERMITS_DASHBOARD: 403, ADMIN_MEMBERS: 403}),
        ("staff", "is_staff", {"/admin/": 302, ADMIN_MEMBERS: 302}),
        ("superuser", "superuser", {REVIEW: 403, REPORT_CSV: 403, ADMIN_MEMBERS: 403}),
    ],
)
def test_a_role_taken_away_ends_access_on_the_next_request(actors, client_as, actor, role, pages):
    client = client_as(actor)
    for page in pages:
        assert client.get(page).status_code == 200, page
    _revoke(actors.user(actor), role)
    got = {page: client.get(page).status_code for page in pages}
    assert got == pages


def test_a_role_taken_away_leaves_the_dashboard_menu_at_once(actors):
    """The member dashboard is cached per user: a page rendered with the union head's menu is
    never shown once the role is gone."""
    user = actors.member_a
    client = login_verified(Client(), user)
    user.groups.add(_group(UNION_HEAD))
    device = TOTPDevice.objects.get(user=user)
    client.post(reverse("twofactor:verify"), {"code": totp_unused(device)})
    review_link = f'href="{reverse("pricing:review")}"'
    assert review_link in client.get(reverse("members:dashboard")).content.decode()
    assert review_link in client.get(reverse("members:dashboard")).content.decode()  # the cached page
    user.groups.remove(_group(UNION_HEAD))
    html = client.get(reverse("members:dashboard")).content.decode()
    assert review_link not in html
    assert client.get(REVIEW).status_code == 403


def test_group_changes_from_the_groups_side_count_too(actors):
    """Adding the user to the group from the group's side, giving the group a permission,
    renaming or deleting it: each renews the stamp of the group's users."""
    user, client = _signed_in_member()
    group = _group(UNION_HEAD)
    group.user_set.add(user)
    assert client.get(REVIEW)["Location"].startswith(reverse("twofactor:setup"))
    stamps = [type(user).objects.get(pk=user.pk).privilege_version]
    group.permissions.add(Permission.objects.get(codename="view_member"))
    group.name = "union_head_old"
    group.save()
    other = _group(PANELIST)
    other.user_set.add(user)
    other.user_set.clear()
    group.delete()
    stamps.append(type(user).objects.get(pk=user.pk).privilege_version)
    assert stamps[1] - stamps[0] == 5  # permission, rename, added to a group, cleared, deleted


def test_a_plain_members_request_reads_no_roles_and_no_authenticators(actors, client_as, settings):
    """The check is a comparison with the stamp on the user's row (read anyway): a plain
    member's page costs the same queries with the check as without it, none on authenticators."""
    client = client_as("member_a")
    client.get(reverse("notifications"))
    counts = []
    for enforced in (True, False):
        settings.TWO_FACTOR_REQUIRED = enforced
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("notifications")).status_code == 200
        counts.append(len(queries))
        assert "otp_" not in " ".join(query["sql"] for query in queries)
    assert counts[0] == counts[1]


def test_a_session_signed_in_before_a_change_of_authenticator_is_asked_for_the_code(actors):
    """A member who turns two-step sign-in on in one browser: the session on another phone,
    opened with the password alone, now needs the code too."""
    member = actors.member_a
    phone, laptop = Client(), Client()
    for client in (phone, laptop):
        client.post(reverse("login"), {"username": member.mobile, "password": PASSWORD})
    laptop.get(reverse("twofactor:setup"))
    laptop.post(reverse("twofactor:setup"), {"code": totp_now(TOTPDevice.objects.get(user=member))})
    assert laptop.get(reverse("notifications")).status_code == 200
    response = phone.get(reverse("notifications"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("twofactor:verify"))


def test_a_full_save_of_an_old_copy_never_turns_the_stamp_back(actors):
    """A copy of the user read before a role was given, saved afterwards, keeps the newer stamp
    (otherwise a session that remembered the old stamp would skip the check)."""
    user, client = _signed_in_member()
    old_copy = type(user).objects.get(pk=user.pk)
    user.groups.add(_group(UNION_HEAD))
    old_copy.full_name = "نام تازه"
    old_copy.save()
    assert client.get(REVIEW)["Location"].startswith(reverse("twofactor:setup"))
