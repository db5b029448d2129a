"""The public showcase pages (search and a product's page) are the same for every anonymous
visitor, so they are kept rendered in the shared cache for PAGE_SECONDS under a key made of the
page's address, the language, today's date and the version tokens of the tables they are made
from (members.dashboard_cache.tables_token): saving a listing, a member or a permit renews the
key at once, and a new day starts new entries — a lapsed member or an expired licence never
lingers. Signed-in users and pages with a flash message are always rendered afresh. The CSRF
token is put in per request. The verification page (/v/<code>/) has its own entries, which
no change may outlive (showcase.verify_cache)."""

import hashlib

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

from core import fragment_cache
from members.dashboard_cache import CSRF_PLACEHOLDER, bump_table, tables_token

PAGE_SECONDS = 60
LISTING_TABLE = "showcase.listing"
TABLES = (LISTING_TABLE, "members.member", "permits.permit", "catalogue.product")


def _release() -> str:
    """The fingerprint of the showcase's page templates (a release that changes them starts new
    entries)."""
    return fragment_cache.fingerprint(templates=("showcase/list.html", "showcase/detail.html"))


def bump() -> None:
    """A listing, photo, box size or storefront changed: every cached showcase page is renewed."""
    bump_table(LISTING_TABLE)


def _key(request) -> str:
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    version = f"{_release()}:{tables_token(*TABLES)}:{timezone.localdate().isoformat()}:{translation.get_language()}"
    return f"showcase:page:{version}:{digest}"


def cached_page(request, render) -> HttpResponse:
    """`render(csrf_token)` gives the page's HTML; for anonymous visitors it is rendered once per
    key with a placeholder that each response replaces with its own token."""
    if request.user.is_authenticated or len(messages.get_messages(request)):
        return HttpResponse(render(get_token(request)))
    key = _key(request)
    html = cache.get(key) if fragment_cache.reads_enabled() else None
    if html is None:
        html = render(CSRF_PLACEHOLDER)
        cache.set(key, html, PAGE_SECONDS)
    return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))
