"""The verification page (/v/<code>/) kept rendered in the shared cache.

The page is hammered (every box's QR code opens it) and must be right at every moment: red on
the very next scan after a licence expires, is suspended, revoked, replaced or no longer covers
the product, the membership lapses or is suspended, or the code is withdrawn. It is the same for
every visitor of a code on a day, so its HTML is kept under a key made of the code, today's date
(Tehran) and the language, together with the version tokens of every table it is made from
(core.fragment_cache):

- box codes, listings and storefronts (the showcase's services bump them, also for their
  `QuerySet.update()`s: a code withdrawn, a member's showcase erased; a row saved or deleted
  bumps its table by itself, members.extensions.register_table_versions);
- members (status, name, brand, membership number), permits (dates, suspension, revocation,
  replacement, and the products a licence covers: its many-to-many changes bump the table too),
  permit types and products, whose saves and deletes bump their tables (members.dashboard_cache).

A licence expiring or a suspension starting at midnight needs no bump: the date is in the key.
Reads take the tokens and the entry in one round trip and honour PAGE_CACHE_READS (the
benchmark's cache-miss run renders every scan afresh). Unknown codes are never stored (nobody
fills the cache by guessing). Only with a cache every process shares (settings.SHARED_CACHE):
with one cache per process a bump made by another process would never reach this one."""

import datetime
import logging
import re

from django.conf import settings

from core import counters, fragment_cache
from members.dashboard_cache import table_version

from . import selectors

logger = logging.getLogger(__name__)

CODES = "showcase.boxcode"
LISTINGS = "showcase.listing"
STOREFRONTS = "showcase.storefront"
TABLES = (CODES, LISTINGS, STOREFRONTS, "members.member", "permits.permit", "permits.permittype", "catalogue.product")
VERSIONS = tuple(table_version(label) for label in TABLES)
ENTRY_SECONDS = 3600
TEMPLATE = "showcase/verify.html"
_CODE = re.compile(r"[A-Za-z0-9_-]{1,40}")  # what showcase.services.new_code makes


def enabled() -> bool:
    return settings.SHARED_CACHE


def bump(*tables: str) -> None:
    """Renews the cached pages made from these tables (now and on commit)."""
    fragment_cache.bump(*(table_version(label) for label in tables))


def _release() -> str:
    """The template's and the verdict's code fingerprint: a release that changes them never
    serves what the one before cached."""
    return fragment_cache.fingerprint(templates=(TEMPLATE,), files=(__file__, selectors.__file__))


def key(code: str, *, today: datetime.date, language: str) -> str | None:
    """The entry's key, or None for a code that cannot be one of ours (never looked up)."""
    if not _CODE.fullmatch(code):
        return None
    return f"showcase:verify:{_release()}:{code}:{today.isoformat()}:{language}"


def read(entry_key: str) -> tuple[tuple[str, ...] | None, tuple[int, str] | None]:
    """The current tokens and the stored (code id, HTML) when it is still current: one round
    trip. (None, None) when the cache cannot be reached: the page is then made from the
    database, as without a shared cache (a box's label must answer whatever happens to Redis)."""
    try:
        tokens, found = fragment_cache.read(VERSIONS, [entry_key])
    except counters.UNAVAILABLE:
        logger.warning("showcase: the cache is unreachable; the verification page reads the database")
        return None, None
    return tokens, found.get(entry_key)


def store(entry_key: str, *, code_id: int, html: str, tokens) -> None:
    """Kept under the tokens read before the page was rendered: a change while it was being
    rendered makes it outdated at once. Nothing is kept without tokens (the cache was not
    reached)."""
    if tokens is None:
        return
    try:
        fragment_cache.store(entry_key, (code_id, html), tokens, ENTRY_SECONDS)
    except counters.UNAVAILABLE:
        logger.warning("showcase: the cache is unreachable; the verification page was not kept")
