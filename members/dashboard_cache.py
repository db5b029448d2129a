"""The member dashboard (/members/me/) cached per signed-in user and member, in the shared cache
(Redis in production).

The rendered page is stored under a key made of the user, the member, the language, today's
date and three version tokens:

- the member's token, replaced on commit whenever a row pointing at the member is saved or
  deleted in a table an app declared for its dashboard section (`members.extensions.
  register_dashboard_section(..., models=...)`: a price submission, a permit, a registration, a
  colleague link, the member itself …);
- the user's token, replaced the same way for rows pointing at the user (notifications,
  questions, votes …) and after every write request (POST, PUT, DELETE …) the user makes
  (`DashboardWriteMiddleware`), which also replaces their member's token: what a member changes
  in the portal is on their dashboard at once, even when a service used `QuerySet.update()`;
- a global token for what every dashboard shows (the `shared_models` the apps declare: price
  rounds, events, permit types, products; services bump it too, e.g. a programme call opened).

The tokens are versions of the platform's one fragment cache (`core.fragment_cache`); the
templates' fingerprint is part of the key, so a release that changes them never serves a page
the one before cached.

Entries live `DASHBOARD_CACHE_SECONDS` (120 s): the bound on staleness for changes no signal
sees (another person's bulk `update()`, e.g. the union head's bulk review decisions or votes on
the member's questions). One user's page is never served to anybody else: the user and the
member are both in the key; the CSRF token and flash messages are never cached (the token is
put in per request; a page with messages is rendered afresh)."""

import functools

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.middleware.csrf import get_token
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone, translation

from catalogue.models import Product
from core import auth_cache, fragment_cache
from core.models import Notification

DASHBOARD_CACHE_SECONDS = 120
CSRF_PLACEHOLDER = "csrf-placeholder-7f3a9c1e4b"
GLOBAL = "dashboard.global"


def member_version(member_id) -> str:
    return f"dashboard.member.{member_id}"


def user_version(user_id) -> str:
    return f"dashboard.user.{user_id}"


def bump_member(member_id) -> None:
    if member_id:
        fragment_cache.bump(member_version(member_id))


def bump_user(user_id) -> None:
    if user_id:
        fragment_cache.bump(user_version(user_id))


def bump_global() -> None:
    fragment_cache.bump(GLOBAL)


@functools.cache
def _section_templates() -> tuple[str, ...]:
    names = []
    for config in apps.get_app_configs():
        name = f"{config.label}/_dashboard_section.html"
        try:
            get_template(name)
        except TemplateDoesNotExist:
            continue
        names.append(name)
    return tuple(names)


def _release() -> str:
    """The fingerprint of the dashboard's templates (its page and every app's section)."""
    return fragment_cache.fingerprint(templates=("members/dashboard.html", *_section_templates()))


def _link_key(user_id) -> str:
    return f"dash:link:{user_id}"


def _page_key(user, member_id, member_stamp) -> str:
    """Also the creation times: a database rebuilt with the same ids (tests on a shared Redis)
    never meets a page cached for the earlier rows."""
    return ":".join(
        [
            "dash:page",
            _release(),
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


def _cacheable(request) -> bool:
    return not request.GET and not len(messages.get_messages(request))  # messages show once


def head_keys(user_id) -> list[str]:
    """What `cached_html` reads first (the global and the user's tokens, the user's member link):
    read in the same round trip as the user's row on every signed-in request
    (`core.auth_cache.register_prefetch`, MembersConfig.ready)."""
    return [fragment_cache.version_key(GLOBAL), fragment_cache.version_key(user_version(user_id)), _link_key(user_id)]


def cached_html(request) -> str | None:
    """The signed-in user's cached dashboard, or None — without reading their member: which
    member the user acts for is remembered with the user's token (a link added or removed
    renews it), and the page is stored with the three tokens it was rendered under. One read of
    the cache after the user's row (which brought `head_keys`), two when the row did not."""
    if not _cacheable(request) or not fragment_cache.reads_enabled():
        return None
    user = request.user
    keys = head_keys(user.pk)
    link_key = keys[2]
    found = auth_cache.prefetched(user, keys)
    if found is None:
        found = cache.get_many(keys)
    link = found.get(link_key)
    head = fragment_cache.current(found, (GLOBAL, user_version(user.pk)))
    if link is None or head is None or link[2] != head[1]:
        return None
    member_id, member_stamp, _token = link
    page_key = _page_key(user, member_id, member_stamp)
    more = cache.get_many([fragment_cache.version_key(member_version(member_id)), page_key])
    member_token = fragment_cache.current(more, (member_version(member_id),))
    if member_token is None:
        return None
    entry = fragment_cache.fresh(more, [page_key], (head[0], member_token[0], head[1]))
    if page_key not in entry:
        return None
    return entry[page_key].replace(CSRF_PLACEHOLDER, get_token(request))


def cached_page(request, *, member, render) -> str:
    """The dashboard's HTML for this user and member, rendered by `render(csrf_token)` (called
    with a placeholder that is replaced by this request's CSRF token) and stored for
    `cached_html` under the tokens read before rendering (a change while rendering makes the
    entry outdated at once)."""
    if not _cacheable(request):
        return render(get_token(request))
    user = request.user
    tokens = fragment_cache.tokens(GLOBAL, member_version(member.pk), user_version(user.pk))
    member_stamp = f"{member.created_at.timestamp():.6f}"
    html = render(CSRF_PLACEHOLDER)
    fragment_cache.store(_page_key(user, member.pk, member_stamp), html, tokens, DASHBOARD_CACHE_SECONDS)
    cache.set(_link_key(user.pk), (member.pk, member_stamp, tokens[2]), DASHBOARD_CACHE_SECONDS)
    return html.replace(CSRF_PLACEHOLDER, get_token(request))


# --- what bumps the tokens --------------------------------------------------------------------
# Only the tables an app declares (members.extensions): a save or delete of a row renews the
# dashboard of the member and the user it points at; of a shared table, every dashboard; of a
# table with a version (`table_version`), the caches built from that table.

_targets: dict[type, tuple[list[str], list[str], bool]] = {}
_shared: set[type] = set()
_versioned: set[type] = set()
_m2m_tables: dict[type, str] = {}  # a versioned table's many-to-many through model → its label


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
        _targets[model] = (member_fields, user_fields, model in _shared)
    return _targets[model]


def _connect(model) -> None:
    uid = model._meta.label_lower
    post_save.connect(_changed, sender=model, dispatch_uid=f"members.dashboard_cache.saved.{uid}")
    post_delete.connect(_changed, sender=model, dispatch_uid=f"members.dashboard_cache.deleted.{uid}")


def watch(models_=(), *, shared=(), versioned=()) -> None:
    """Declared by the apps in their ready(): see members.extensions.register_dashboard_section
    and register_table_versions. A versioned table's many-to-many links (a permit's products, a
    member's products) are part of its rows: adding or removing one renews its version too."""
    _shared.update(shared)
    _versioned.update(versioned)
    for model in (*models_, *shared, *versioned):
        _targets.pop(model, None)
        _connect(model)
    for model in versioned:
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            _m2m_tables[through] = model._meta.label_lower
            m2m_changed.connect(
                _links_changed, sender=through, dispatch_uid=f"members.dashboard_cache.m2m.{through._meta.label_lower}"
            )


def table_version(label) -> str:
    return f"table.{label}"


def tables_token(*labels) -> str:
    return ".".join(fragment_cache.tokens(*(table_version(label) for label in labels)))


def bump_table(label) -> None:
    fragment_cache.bump(table_version(label))


def _links_changed(sender, action, **kwargs):
    """Either side's add, remove, set or clear (`permit.products.set(...)`,
    `product.permit_set.add(...)`): the table that declares the field is renewed."""
    if action.startswith("post_"):
        bump_table(_m2m_tables[sender])


def _changed(sender, instance, **kwargs):
    if sender in _versioned:
        bump_table(sender._meta.label_lower)
    member_fields, user_fields, is_global = _targets_of(sender)
    names = [member_version(getattr(instance, name)) for name in member_fields if getattr(instance, name)]
    names += [user_version(getattr(instance, name)) for name in user_fields if getattr(instance, name)]
    if is_global:
        names.append(GLOBAL)
    # Now (what this transaction's own later reads see) and again once committed: a page
    # rendered by another request between the two, from rows before the commit, is never read.
    fragment_cache.bump(*names)


def connect_signals() -> None:
    """The members app's own tables (and the catalogue's products, which every dashboard and the
    directory show). A member's products (many-to-many) renew the members' version (`watch`)."""

    from .models import Member, MemberUser

    watch(
        [get_user_model(), Member, MemberUser, Notification, *apps.get_app_config("members").get_models()],
        shared=[Product],
        versioned=[Member, Product],
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
