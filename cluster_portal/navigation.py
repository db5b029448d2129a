"""The layout's navigation: what it shows for a user (`nav_state`) and its HTML (`nav_html`),
both from the shared cache on most requests.

The navigation is the same for everybody who holds the same roles, in one language: it is
rendered once per (roles, language, release) with slots for what is each request's own — the
user's short name, the unread notifications badge, the page's own address (the language
switch's `next`, the log-in link) and the CSRF token — and kept in the shared cache
(`NAV_HTML_SECONDS`); each request fills the slots in one pass (a value is never read again as
a slot). The release is in the key: the fingerprint of the template, the compiled translations
and the URL configuration, so a release that changes any of them never serves a menu the one
before rendered.

What decides the menu:
- the roles (estates staff, union head, panelist) from `members.roles`: the user's group names,
  kept with the user's cached row (`core.auth_cache`) or under the user's privilege stamp
  (`core.groups`); a role given or taken away renews both, so it counts from the next request,
  as before;
- the member the user acts for (whether there is one, whether it is active) and the number of
  unread notifications: kept per user (`nav:state:…`) under the member dashboard's version
  tokens of the user and of the member (`members.dashboard_cache`), which every save or delete
  of the member, of the user's member link and of the user's notifications renews, and every
  write request of the user (marking notifications read). Entries live `NAV_STATE_SECONDS`
  (the dashboard's bound for changes no signal sees). Write requests (POST …) always read them
  afresh, and so does every request without a cache every process shares
  (`settings.SHARED_CACHE`, i.e. REDIS_URL): with one cache per process a change made in
  another process would not reach this one's entries. The tokens are read before the rows
  (the member's read again after its token when the entry did not know that member).

Cache round trips of a signed-in page: the user's token and the entry come with the user's row
(`core.auth_cache.register_prefetch`); the member's token comes with the menu's HTML. With page
cache reads off (`PAGE_CACHE_READS=false`, the benchmark's miss) the menu is rendered afresh on
every request; the flags above are data, read as usual.
"""

import functools
import hashlib
import re
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from core import auth_cache, fragment_cache
from core.notifications import unread_count
from core.templatetags.persian import num
from members import dashboard_cache, roles
from members.models import Member

NAV_TEMPLATE = "partials/_nav.html"
NAV_HTML_SECONDS = 3600
NAV_STATE_SECONDS = dashboard_cache.DASHBOARD_CACHE_SECONDS
SAFE_METHODS = frozenset({"GET", "HEAD"})

# What the cached menu holds in place of each request's own values (letters, digits and dashes:
# unchanged by escaping).
SLOT = "navslot-5e1c07-"
SLOTS = {
    "name": f"{SLOT}name",
    "unread": f"{SLOT}unread",
    "next": f"{SLOT}next",
    "next_quoted": f"{SLOT}nextq",
    "csrf": f"{SLOT}csrf",
}
_SLOT_PATTERN = re.compile(re.escape(SLOT) + r"(name|unread|nextq|next|csrf)")


# --- what decides the menu ----------------------------------------------------------------------


def state_keys(user_id) -> list[str]:
    """The user's dashboard token and their navigation entry: read with the user's row
    (`core.auth_cache.register_prefetch`, PortalConfig.ready)."""
    return [fragment_cache.version_key(dashboard_cache.user_version(user_id)), f"nav:state:{user_id}"]


def _stamp(user) -> str:
    # The account's creation time: a database rebuilt with the same ids (tests on a shared
    # Redis) never meets an entry made for the earlier rows.
    return f"{user.date_joined.timestamp():.6f}"


def _member_token_key(member_id) -> str:
    return fragment_cache.version_key(dashboard_cache.member_version(member_id))


def _live_member_part(user) -> tuple[int | None, bool, int]:
    """(the member's id or None, whether it is active, unread notifications): two queries, fewer
    when the view has read them already."""
    member = roles.member_of(user)
    return (member.pk if member else None, bool(member and member.is_active_member), unread_count(user))


def _member_active(member_id) -> bool:
    member = Member.objects.only("status").filter(pk=member_id).first()
    return bool(member and member.is_active_member)


def _member_part(request, user, roles_flags: dict) -> tuple[int | None, bool, int]:
    """`_live_member_part` from the shared cache while the user's and the member's dashboard
    tokens are the ones it was worked out under. The user's token and the entry come with the
    user's row; the member's token in one more round trip, with the menu's HTML for the flags
    the entry gives (`nav_html` then reads nothing). Only with a cache every process shares
    (`settings.SHARED_CACHE`): with one cache per process a status change or a notification
    read in another process would not reach this one's entries, so they are read live."""
    if not settings.SHARED_CACHE:
        return _live_member_part(user)
    keys = state_keys(user.pk)
    found = auth_cache.prefetched(user, keys)
    if found is None:
        found = cache.get_many(keys)
    user_token, stored = found.get(keys[0]), found.get(keys[1])
    if stored is not None and stored[0] != _stamp(user):
        stored = None
    # The member the entry was worked out for: whose token is read before the rows on a miss
    # (a guess, when the entry is outdated).
    known_member_id = stored[3][0] if stored is not None else None
    member_token = None
    if stored is not None and user_token is not None and stored[1] == user_token:
        stored_member_token, value = stored[2], stored[3]
        if hasattr(user, "_member_cache"):  # the view has read the member: only the count is needed
            member = user._member_cache
            user._unread_count = value[2]
            return (member.pk if member else None, bool(member and member.is_active_member), value[2])
        if known_member_id is None:
            user._unread_count = value[2]
            return value
        read = [_member_token_key(known_member_id)]
        html_key = None
        if fragment_cache.reads_enabled():
            html_key = _html_key(_flags({**roles_flags, "member": True, "member_active": value[1]}), _language())
            read.append(html_key)
        more = cache.get_many(read)
        member_token = more.get(read[0])
        if html_key is not None:
            request._nav_html = (html_key, more.get(html_key))
        if member_token is not None and member_token == stored_member_token:
            user._unread_count = value[2]
            return value
    # Read afresh, under the tokens read before the rows (a change committed meanwhile has
    # already outdated them): the user's, and the member's the entry knew, in one round trip.
    names = []
    if user_token is None:
        names.append(dashboard_cache.user_version(user.pk))
    if known_member_id is not None and member_token is None:
        names.append(dashboard_cache.member_version(known_member_id))
    if names:
        read = dict(zip(names, fragment_cache.tokens(*names), strict=True))
        user_token = read.get(dashboard_cache.user_version(user.pk), user_token)
        if known_member_id is not None:
            member_token = read.get(dashboard_cache.member_version(known_member_id), member_token)
    value = _live_member_part(user)
    if value[0] is None:
        member_token = None
    elif value[0] != known_member_id:
        # Another member than the entry knew (or none known): its token is read only now, after
        # its row, so its status is read again after the token.
        member_token = fragment_cache.tokens(dashboard_cache.member_version(value[0]))[0]
        value = (value[0], _member_active(value[0]), value[2])
    cache.set(keys[1], (_stamp(user), user_token, member_token, value), NAV_STATE_SECONDS)
    return value


def nav_state(request) -> dict:
    """The navigation's flags for the signed-in user ({} for a visitor)."""
    user = request.user
    if not user.is_authenticated:
        return {}
    state = {
        "signed_in": True,
        "admin": bool(user.is_staff),
        "staff": roles.is_estates_staff(user),
        "union_head": roles.is_union_head(user),
        "panelist": roles.is_panelist(user),
    }
    if request.method in SAFE_METHODS:
        member_id, member_active, unread = _member_part(request, user, state)
    else:  # a write request reads them afresh
        member_id, member_active, unread = _live_member_part(user)
    state.update(member=member_id is not None, member_active=member_active, unread=unread)
    return state


# --- the menu's HTML --------------------------------------------------------------------------


def _url_patterns(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield f"[{pattern.namespace}:{pattern.pattern}"
            yield from _url_patterns(pattern.url_patterns)
            yield "]"
        elif isinstance(pattern, URLPattern):
            yield f"{pattern.name}={pattern.pattern}"


@functools.cache
def _release() -> str:
    """The template's source, the compiled translations and the URL configuration (the menu
    shows a link once its URL name exists), once per process."""
    digest = hashlib.sha256(fragment_cache.fingerprint(templates=(NAV_TEMPLATE,)).encode())
    for locale_path in settings.LOCALE_PATHS:
        for mo in sorted(Path(locale_path).glob("*/LC_MESSAGES/django.mo")):
            digest.update(mo.read_bytes())
    digest.update("\n".join(_url_patterns(get_resolver().url_patterns)).encode())
    return digest.hexdigest()[:12]


FLAGS = ("signed_in", "admin", "member", "member_active", "staff", "union_head", "panelist")


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def _html_key(state, language: str) -> str:
    flags = "".join("1" if state.get(name) else "0" for name in FLAGS)
    return f"nav:html:{_release()}:{language}:{flags}"


def _flags(state) -> dict:
    return {name: bool(state.get(name)) for name in FLAGS}


def _render(state, *, name, unread, next_path, next_quoted, csrf_token) -> str:
    return render_to_string(
        NAV_TEMPLATE,
        {
            "nav": _flags(state),
            "nav_name": name,
            "nav_unread": unread,
            "nav_next": next_path,
            "nav_next_quoted": next_quoted,
            "csrf_token": csrf_token,
        },
    )


def _unread_badge(unread) -> str:
    return format_html(' <span class="badge text-bg-danger">{}</span>', num(unread)) if unread else ""


def _own_values(request, state) -> dict:
    path = (getattr(request, "canonical_path", None) or request.get_full_path()) if request is not None else ""
    signed_in = bool(state.get("signed_in"))
    return {
        "name": request.user.get_short_name() if signed_in else "",
        "unread": _unread_badge(state.get("unread")) if signed_in else "",
        "next": path,
        "nextq": quote(path, safe="/"),
    }


def render_uncached(request, state, *, csrf_token) -> SafeString:
    """The navigation rendered in full for this request (no cache): a render without a request or
    a CSRF token, and the reference the cached menu is tested against."""
    values = _own_values(request, state or {})
    return _render(
        state or {},
        name=values["name"],
        unread=values["unread"],
        next_path=values["next"],
        next_quoted=values["nextq"],
        csrf_token=csrf_token,
    )


def nav_html(request, state, *, csrf_token: str) -> SafeString:
    """The navigation for this request: the cached menu for its roles and language with the
    request's own values (and `csrf_token`) in the slots."""
    key = _html_key(state, _language())
    html = None
    if fragment_cache.reads_enabled():
        prefetched = getattr(request, "_nav_html", None)  # read with the member's token
        html = prefetched[1] if prefetched is not None and prefetched[0] == key else cache.get(key)
    if html is None:
        html = _render(
            state,
            name=SLOTS["name"],
            unread=SLOTS["unread"],
            next_path=SLOTS["next"],
            next_quoted=SLOTS["next_quoted"],
            csrf_token=SLOTS["csrf"],
        )
        cache.set(key, html, NAV_HTML_SECONDS)
    values = _own_values(request, state)
    values = {
        "name": escape(values["name"]),
        "unread": values["unread"],  # made by format_html: escaped
        "next": escape(values["next"]),
        "nextq": escape(values["nextq"]),
        "csrf": escape(csrf_token),
    }
    # One pass: a value put in a slot (a name, an address) is never read as a slot itself.
    # The menu and every value are escaped HTML.
    return mark_safe(_SLOT_PATTERN.sub(lambda match: values[match.group(1)], html))  # noqa: S308  # nosec B308 B703
