"""The layout's navigation from the shared cache (cluster_portal/navigation.py): the menu is the
same HTML as a full render for every role and language, each request's own values (the name, the
unread badge, the page's address, the CSRF token) are its own and escaped, and what decides the
menu — the member, its status, the member link, the unread count, the roles — counts from the
next request after it changes."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from cluster_portal import navigation
from conftest import ROLES, make_user
from core import fragment_cache
from core.models import Notification
from core.notifications import PORTAL, notify
from members import dashboard_cache
from members.models import Member, MemberUser
from members.roles import PANELIST

pytestmark = pytest.mark.django_db
HOME = reverse("home")
PRICES = reverse("pricing:bands")  # a page every role may see, with the layout
MY_PRICES, MY_DASHBOARD = f'href="{reverse("pricing:my_prices")}"', f'href="{reverse("members:dashboard")}"'


@pytest.fixture(autouse=True)
def _shared_cache(settings):
    """The cached path: a cache every process shares (REDIS_URL in production; here the test
    process's one cache)."""
    settings.SHARED_CACHE = True


def _menu(client, path=PRICES):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index("<nav") : html.index("</nav>")]


def _english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_cached_menu_is_a_full_render_for_every_role(actors, language):
    """Cold (rendered with slots and stored) and warm (read back) alike, with an address and a
    name that need escaping."""
    path = '/prices/bands/?q=<b>"x"&y=1'
    for role in ROLES:
        user = actors.user(role)
        if user is not None:
            user.full_name = '<i>"زهرا"</i>&co رضایی'
            user.save(update_fields=["full_name"])
            notify(user=user, subject="پیام", channels=(PORTAL,))
        with translation.override(language):
            for round_ in ("cold", "warm"):  # rendered with slots and stored, then read back
                request = RequestFactory().get(path)
                request.user = user or AnonymousUser()
                state = navigation.nav_state(request)
                token = get_token(request)
                expected = navigation.render_uncached(request, state, csrf_token=token)
                assert "<i>" not in expected and "&amp;y=1" in expected
                if user is not None:
                    assert ">&lt;i&gt;&quot;زهرا&quot;&lt;/i&gt;&amp;co</button>" in expected  # its first word
                assert navigation.nav_html(request, state, csrf_token=token) == expected, (role, round_)
            assert cache.get(navigation._html_key(state, language)) is not None


def test_a_name_or_address_that_looks_like_a_slot_is_shown_as_typed(actors, client_as):
    actors.member_a.full_name = f"{navigation.SLOTS['csrf']} {navigation.SLOTS['next']}"
    actors.member_a.save(update_fields=["full_name"])
    client = client_as("member_a")
    path = f"{PRICES}?x={navigation.SLOTS['name']}"
    for _round in range(2):
        menu = _menu(client, path)
        assert f">{navigation.SLOTS['csrf']}</button>" in menu  # the short name, as typed
        assert f'value="{path}"' in menu


def test_each_request_gets_its_own_token_and_address_and_each_user_their_own_name(actors, client_as):
    actors.member_a.full_name, actors.member_b.full_name = "مهسا رضایی", "نرگس احمدی"
    actors.member_a.save(update_fields=["full_name"])
    actors.member_b.save(update_fields=["full_name"])
    member_a, member_b = client_as("member_a"), client_as("member_b")
    menus = [_menu(member_a, PRICES), _menu(member_a, HOME), _menu(member_b, PRICES)]
    tokens = {re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', menu).group(1) for menu in menus}
    assert len(tokens) == 3
    assert f'name="next" type="hidden" value="{PRICES}"' in menus[0]
    assert f'name="next" type="hidden" value="{HOME}"' in menus[1]
    assert ">مهسا</button>" in menus[0] and "نرگس" not in menus[0]
    assert ">نرگس</button>" in menus[2] and "مهسا" not in menus[2]


def test_the_unread_badge_follows_new_notifications_and_reading_them(actors, client_as):
    client = client_as("member_a")
    assert "badge text-bg-danger" not in _menu(client)
    assert "badge text-bg-danger" not in _menu(client)  # from the cache
    for i in range(12):
        notify(user=actors.member_a, subject=f"پیام {i}", channels=(PORTAL,))
    assert '<span class="badge text-bg-danger">۱۲</span>' in _menu(client)
    notify(user=actors.member_b, subject="برای دیگری", channels=(PORTAL,))
    assert '<span class="badge text-bg-danger">۱۲</span>' in _menu(client)
    client.post(reverse("notifications_mark_read"))
    assert "badge text-bg-danger" not in _menu(client)


def test_a_member_suspended_or_a_member_link_removed_changes_the_menu_at_once(actors, client_as):
    client = _english(client_as("member_a"))
    menu = _menu(client)
    assert MY_PRICES in menu and MY_DASHBOARD in menu
    assert MY_PRICES in _menu(client)  # from the cache
    actors.a.status = Member.Status.SUSPENDED
    actors.a.save(update_fields=["status"])
    menu = _menu(client)
    assert MY_PRICES not in menu and MY_DASHBOARD in menu
    actors.a.status = Member.Status.ACTIVE
    actors.a.save(update_fields=["status"])
    assert MY_PRICES in _menu(client)
    MemberUser.objects.filter(user=actors.member_a).delete()
    menu = _menu(client)
    assert MY_PRICES not in menu and MY_DASHBOARD not in menu and "Buy from the cluster" in menu


def test_a_user_who_joins_a_member_sees_its_links_on_the_next_page(actors):
    user = make_user("09120002001", "همکار تازه")
    client = _english(Client())
    client.force_login(user)
    assert MY_DASHBOARD not in _menu(client) and MY_DASHBOARD not in _menu(client)
    MemberUser.objects.create(member=actors.a, user=user, role=MemberUser.Role.COLLEAGUE)
    assert MY_DASHBOARD in _menu(client) and MY_PRICES in _menu(client)


def test_a_role_given_or_taken_away_shows_on_the_next_page(actors, client_as):
    client = _english(client_as("member_a"))
    assert "My panels" not in client.get(HOME).content.decode()
    group = Group.objects.get(name=PANELIST)
    actors.member_a.groups.add(group)
    assert "My panels" in client.get(HOME).content.decode()
    actors.member_a.groups.remove(group)
    assert "My panels" not in client.get(HOME).content.decode()


def test_the_menu_is_rendered_afresh_when_page_cache_reads_are_off(actors, client_as, settings):
    client = client_as("member_a")
    cached = _menu(client)
    request = RequestFactory().get(PRICES)
    request.user = actors.member_a
    with translation.override(settings.LANGUAGE_CODE):
        key = navigation._html_key(navigation.nav_state(request), settings.LANGUAGE_CODE)
    cache.set(key, "<nav>poisoned</nav>", 60)
    assert _menu(client) == "<nav>poisoned"  # the entry the page reads
    settings.PAGE_CACHE_READS = False
    fresh = _menu(client)
    assert "poisoned" not in fresh
    pattern = r'(csrfmiddlewaretoken" value=")[^"]+'
    assert re.sub(pattern, "", fresh) == re.sub(pattern, "", cached)


@pytest.mark.parametrize("entry", ["none", "outdated"])
def test_a_status_change_committed_while_the_member_is_read_afresh_is_not_hidden(actors, client_as, monkeypatch, entry):
    """The member's token is read before the row it vouches for: a suspension committed between
    the member's read and the entry's store outdates the entry — whether the entry did not know
    the member yet (the first page) or was outdated by something else (a notification)."""
    client = _english(client_as("member_a"))
    if entry == "outdated":
        assert MY_PRICES in _menu(client) and MY_PRICES in _menu(client)  # stored, then read back
        notify(user=actors.member_a, subject="پیام", channels=(PORTAL,))  # renews the user's token
    live = navigation._live_member_part

    def suspended_meanwhile(user):
        value = live(user)
        Member.objects.filter(pk=actors.a.pk).update(status=Member.Status.SUSPENDED)
        fragment_cache.bump(dashboard_cache.member_version(actors.a.pk))  # what the save's signal does
        return value

    with monkeypatch.context() as patch:
        patch.setattr(navigation, "_live_member_part", suspended_meanwhile)
        client.get(PRICES)
    menu = _menu(client)
    assert MY_PRICES not in menu and MY_DASHBOARD in menu


def test_without_a_shared_cache_the_member_and_unread_count_are_read_on_every_request(actors, client_as, settings):
    """One cache per process (the embedded default): a change another process makes — here
    writes no signal sees — shows on the next page; the menu's HTML stays cached."""
    settings.SHARED_CACHE = False
    client = _english(client_as("member_a"))
    assert MY_PRICES in _menu(client) and MY_PRICES in _menu(client)
    Member.objects.filter(pk=actors.a.pk).update(status=Member.Status.SUSPENDED)
    Notification.objects.bulk_create([Notification(user=actors.member_a, subject=f"پیام {i}") for i in range(3)])
    menu = _menu(client)
    assert MY_PRICES not in menu and MY_DASHBOARD in menu
    assert '<span class="badge text-bg-danger">3</span>' in menu
    assert cache.get(f"nav:state:{actors.member_a.pk}") is None
