"""The member dashboard (/members/me/) cached per signed-in user and member, in the shared cache
(Redis in production).

The rendered page is stored under a key made of the user, the member, the language, today's
date and three version tokens:

- the member's token, replaced on commit whenever a row pointing at the member is saved or
  deleted (a price submission, a permit, a registration, a colleague link, the member itself …);
- the user's token, replaced the same way for rows pointing at the user (notifications,
  questions, votes …) and after every write request (POST, PUT, DELETE …) the user makes
  (`DashboardWriteMiddleware`), which also replaces their member's token: what a member changes
  in the portal is on their dashboard at once, even when a service used `QuerySet.update()`;
- a global token for what every dashboard shows (price rounds, events, permit types, products).

Entries live `DASHBOARD_CACHE_SECONDS` (120 s): the bound on staleness for changes no signal
sees (another person's bulk `update()`, e.g. the union head's bulk review decisions or votes on
the member's questions). One user's page is never served to anybody else: the user and the
member are both in the key; the CSRF token and flash messages are never cached (the token is
put in per request; a page with messages is rendered afresh)."""

import uuid

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.middleware.csrf import get_token
from django.utils import timezone, translation

from core import fragment_cache

DASHBOARD_CACHE_SECONDS = 120
# Part of every key: bump it when the dashboard's templates change in a way a deploy must show
# at once (otherwise the old markup lives at most DASHBOARD_CACHE_SECONDS).
RELEASE = "1"
CSRF_PLACEHOLDER = "csrf-placeholder-7f3a9c1e4b"
# What every member's dashboard shows from these tables (not their own rows).
GLOBAL_MODELS = frozenset({"pricing.priceround", "catalogue.product", "events.event", "permits.permittype"})
VERSION_SECONDS = 24 * 3600


def _member_key(member_id) -> str:
    return f"dash:m:{member_id}"


def _user_key(user_id) -> str:
    return f"dash:u:{user_id}"


GLOBAL_KEY = "dash:g"


def _new_token() -> str:
    return uuid.uuid4().hex[:12]


def bump_member(member_id) -> None:
    if member_id:
        cache.set(_member_key(member_id), _new_token(), VERSION_SECONDS)


def bump_user(user_id) -> None:
    if user_id:
        cache.set(_user_key(user_id), _new_token(), VERSION_SECONDS)


def bump_global() -> None:
    cache.set(GLOBAL_KEY, _new_token(), VERSION_SECONDS)


def _link_key(user_id) -> str:
    return f"dash:link:{user_id}"


def _page_key(user, member_id, member_stamp) -> str:
    """Also the creation times: a database rebuilt with the same ids (tests on a shared Redis)
    never meets a page cached for the earlier rows."""
    return ":".join(
        [
            "dash:page",
            RELEASE,
            str(user.pk),
            f"{user.date_joined.timestamp():.6f}",
            # The navigation shows the user's roles: a role gained or lost renders anew.
            str(user.privilege_version),
            str(member_id),
            member_stamp,
            translation.get_language() or "",
            timezone.localdate().isoformat(),
        ]
    )


def _fresh_token(key, found) -> str:
    token = found.get(key)
    if token is None:
        cache.add(key, _new_token(), VERSION_SECONDS)
        token = cache.get(key) or "none"
    return token


def _cacheable(request) -> bool:
    return not request.GET and not len(messages.get_messages(request))  # messages show once


def cached_html(request) -> str | None:
    """The signed-in user's cached dashboard, or None — without reading their member: which
    member the user acts for is remembered with the user's token (a link added or removed
    renews it), and the page is stored with the three tokens it was rendered under. Two reads
    of the cache."""
    if not _cacheable(request) or not fragment_cache.reads_enabled():
        return None
    user = request.user
    found = cache.get_many([GLOBAL_KEY, _user_key(user.pk), _link_key(user.pk)])
    link = found.get(_link_key(user.pk))
    user_token = found.get(_user_key(user.pk))
    if link is None or user_token is None or link[2] != user_token or GLOBAL_KEY not in found:
        return None
    member_id, member_stamp, _token = link
    page_key = _page_key(user, member_id, member_stamp)
    more = cache.get_many([_member_key(member_id), page_key])
    stored = more.get(page_key)
    tokens = (found[GLOBAL_KEY], more.get(_member_key(member_id)), user_token)
    if stored is None or stored[0] != tokens:
        return None
    return stored[1].replace(CSRF_PLACEHOLDER, get_token(request))


def cached_page(request, *, member, render) -> str:
    """The dashboard's HTML for this user and member, rendered by `render(csrf_token)` (called
    with a placeholder that is replaced by this request's CSRF token) and stored for
    `cached_html` under the tokens read before rendering (a change while rendering makes the
    entry outdated at once)."""
    if not _cacheable(request):
        return render(get_token(request))
    user = request.user
    keys = [GLOBAL_KEY, _member_key(member.pk), _user_key(user.pk)]
    found = cache.get_many(keys)
    tokens = tuple(_fresh_token(key, found) for key in keys)
    member_stamp = f"{member.created_at.timestamp():.6f}"
    html = render(CSRF_PLACEHOLDER)
    cache.set_many(
        {
            _page_key(user, member.pk, member_stamp): (tokens, html),
            _link_key(user.pk): (member.pk, member_stamp, tokens[2]),
        },
        DASHBOARD_CACHE_SECONDS,
    )
    return html.replace(CSRF_PLACEHOLDER, get_token(request))


# --- what bumps the tokens --------------------------------------------------------------------

_targets: dict[type, tuple[list[str], list[str], bool]] = {}


def _targets_of(model) -> tuple[list[str], list[str], bool]:
    """(attnames of FKs to Member, attnames of FKs to User, counts for every dashboard)."""
    if model not in _targets:
        from .models import Member

        user_model = get_user_model()
        member_fields, user_fields = [], []
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey):
                if field.related_model is Member:
                    member_fields.append(field.attname)
                elif field.related_model is user_model:
                    user_fields.append(field.attname)
        if model is Member:
            member_fields.append("pk")
        if model is user_model:
            user_fields.append("pk")
        is_global = model._meta.label_lower in GLOBAL_MODELS
        _targets[model] = (member_fields, user_fields, is_global)
    return _targets[model]


# --- tables' versions: caches of lists that are the same for everybody ------------------------

# Saving or deleting a row of these tables renews the table's token; `tables_token(...)` is part
# of the keys of the public directory (members.views.directory) and the staff's permit dashboard
# (permits.selectors.staff_dashboard_cached), which are thus renewed by any such change.
TRACKED_TABLES = frozenset(
    {
        "members.member",
        "catalogue.product",
        "permits.permit",
        "permits.permitcase",
        "permits.casestep",
        "permits.permittype",
        "permits.worker",
        # The home page for visitors (cluster_portal.views.home).
        "news.newsitem",
        "news.contactdetails",
        "events.event",
    }
)


def _table_key(label) -> str:
    return f"table-version:{label}"


def tables_token(*labels) -> str:
    keys = [_table_key(label) for label in labels]
    found = cache.get_many(keys)
    tokens = []
    for key in keys:
        token = found.get(key)
        if token is None:
            cache.add(key, _new_token(), VERSION_SECONDS)
            token = cache.get(key) or "none"
        tokens.append(token)
    return ".".join(tokens)


def bump_table(label) -> None:
    cache.set(_table_key(label), _new_token(), VERSION_SECONDS)


def directory_token() -> str:
    return tables_token("members.member", "catalogue.product")


def _bump_now_and_on_commit(function) -> None:
    function()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(function, robust=True)


def _products_changed(sender, instance, action, **kwargs):
    if action.startswith("post_"):
        _bump_now_and_on_commit(lambda: bump_table("members.member"))


def _changed(sender, instance, **kwargs):
    label = sender._meta.label_lower
    if label in TRACKED_TABLES:
        _bump_now_and_on_commit(lambda: bump_table(label))
    member_fields, user_fields, is_global = _targets_of(sender)
    if not (member_fields or user_fields or is_global):
        return
    member_ids = {getattr(instance, name) for name in member_fields}
    user_ids = {getattr(instance, name) for name in user_fields}

    def bump():
        for member_id in member_ids:
            bump_member(member_id)
        for user_id in user_ids:
            bump_user(user_id)
        if is_global:
            bump_global()

    # Now (what this transaction's own later reads see) and again once committed: a page
    # rendered by another request between the two, from rows before the commit, is never read.
    _bump_now_and_on_commit(bump)


def connect_signals() -> None:
    post_save.connect(_changed, dispatch_uid="members.dashboard_cache.saved")
    post_delete.connect(_changed, dispatch_uid="members.dashboard_cache.deleted")
    from .models import Member

    m2m_changed.connect(
        _products_changed, sender=Member.products.through, dispatch_uid="members.dashboard_cache.products"
    )


class DashboardWriteMiddleware:
    """After a signed-in user's write request (any method but GET/HEAD/OPTIONS/TRACE), their
    dashboard and their member's are rendered afresh: whatever the view changed shows at once."""

    SAFE = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in self.SAFE:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                from .models import MemberUser

                bump_user(user.pk)
                member = getattr(user, "_member_cache", None)
                member_ids = (
                    [member.pk] if member else MemberUser.objects.filter(user=user).values_list("member_id", flat=True)
                )
                for member_id in member_ids:
                    bump_member(member_id)
        return response
