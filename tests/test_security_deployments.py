"""Two portals on one Redis database with the default key prefix, on one host (issue: two
deployments sharing a Redis served each other's cached pages and dashboards, and one portal's
session cookie signed the user out of the other). Each portal is a gunicorn server with
production settings, its own database and its own secret key; they never meet in the cache or
in the browser's cookies. Runs wherever Redis is configured (the PostgreSQL + Redis pass)."""

import os
import shutil
import tempfile

import pytest

from tests.ops_support import Gunicorn, WebClient, manage, server_env

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")

PASSWORD = "deploy-pass-1405"
MOBILE = "09140000021"

SETUP = f"""
from members.models import County, Member, MemberUser, User
user = User.objects.create_user("{MOBILE}", "{PASSWORD}", full_name="عضو دو درگاه")
member = Member.objects.create(
    kind=Member.Kind.GUILD, business_name="NAME", owner_name=user.full_name,
    owner_national_id="0012345679", mobile=user.mobile, county=County.QAZVIN,
    status=Member.Status.ACTIVE, membership_number=7101,
)
member.refresh_search_key()
member.save()
MemberUser.objects.create(member=member, user=user, role=MemberUser.Role.OWNER)
"""
RENAME = 'from members.models import Member; m = Member.objects.get(); m.business_name = "NAME"; m.save()'


@pytest.fixture(scope="module")
def portals():
    """Portal A and portal B: the same rows (same ids, the same user), different names for the
    member, different databases and secret keys, one Redis database, no CACHE_KEY_PREFIX."""
    folder = tempfile.mkdtemp(prefix="portal-deployments-")
    first_db = os.path.join(folder, "a.sqlite3")
    envs = []
    for name, secret in (("a", "a" * 50), ("b", "b" * 50)):
        env = server_env(
            DATABASE_URL=f"sqlite:///{os.path.join(folder, name)}.sqlite3",
            SECRET_KEY=f"deployment-{name}-{secret}",
            MEDIA_ROOT=os.path.join(folder, f"media-{name}"),
            PRIVATE_MEDIA_ROOT=os.path.join(folder, f"private-{name}"),
            RATELIMIT_ENABLE="false",
            REDIS_URL=os.environ["REDIS_URL"],
        )
        for key in ("CACHE_KEY_PREFIX", "SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME"):
            env.pop(key, None)
        envs.append(env)
    manage("migrate", "--noinput", env=envs[0])
    manage("shell", "-c", SETUP.replace("NAME", "شیرینی‌سرای درگاه الف"), env=envs[0])
    shutil.copyfile(first_db, os.path.join(folder, "b.sqlite3"))  # the same ids, the same user
    manage("shell", "-c", RENAME.replace("NAME", "شیرینی‌سرای درگاه ب"), env=envs[1])
    servers = [Gunicorn(env, workers=1, name=f"portal-{index}") for index, env in enumerate(envs)]
    yield servers
    for server in servers:
        server.stop()
    shutil.rmtree(folder, ignore_errors=True)


def _text(response):
    return response[2].decode()


def test_no_cached_page_crosses_between_the_portals(portals):
    first, second = portals
    visitor = WebClient()
    for _twice in range(2):  # the second answer of each comes from the cache
        a = _text(visitor.get(f"{first.url}/members/directory/"))
        b = _text(visitor.get(f"{second.url}/members/directory/"))
        assert "شیرینی‌سرای درگاه الف" in a and "شیرینی‌سرای درگاه ب" not in a
        assert "شیرینی‌سرای درگاه ب" in b and "شیرینی‌سرای درگاه الف" not in b


def test_sessions_and_dashboards_stay_with_their_portal(portals):
    first, second = portals
    browser = WebClient()  # one cookie jar for 127.0.0.1, as a browser keeps for one host
    assert browser.login(first.url, MOBILE, PASSWORD)[0] == 302
    # A's session is not a session of B: B sends the browser to its login page.
    status, headers, _body = browser.get(f"{second.url}/notifications/")
    assert (status, headers["Location"].startswith("/accounts/login/")) == (302, True)
    assert browser.get(f"{first.url}/notifications/")[0] == 200  # and A's session is still good
    # Signing in on B does not sign the browser out of A.
    assert browser.login(second.url, MOBILE, PASSWORD)[0] == 302
    for _twice in range(2):  # the dashboards are cached per user: the second answer is cached
        a = _text(browser.get(f"{first.url}/members/me/"))
        b = _text(browser.get(f"{second.url}/members/me/"))
        assert "شیرینی‌سرای درگاه الف" in a and "شیرینی‌سرای درگاه ب" not in a
        assert "شیرینی‌سرای درگاه ب" in b and "شیرینی‌سرای درگاه الف" not in b
    # Signing out of B leaves A signed in.
    assert browser.post(f"{second.url}/accounts/logout/", {}, form_url=f"{second.url}/notifications/")[0] == 302
    assert browser.get(f"{second.url}/notifications/")[0] == 302
    assert browser.get(f"{first.url}/notifications/")[0] == 200
    names = {cookie.name for cookie in browser.cookies}
    assert len([name for name in names if name.startswith("portal_session_")]) == 1  # B's was deleted
    assert len([name for name in names if name.startswith("portal_csrf_")]) == 2


def test_a_lockout_on_one_portal_does_not_lock_the_other(portals):
    first, second = portals
    attacker = WebClient()
    for _attempt in range(5):
        attacker.login(first.url, MOBILE, "wrong-password")
    assert attacker.login(first.url, MOBILE, PASSWORD)[0] == 429
    assert WebClient().login(second.url, MOBILE, PASSWORD)[0] == 302
