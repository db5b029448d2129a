"""Rendered pages and fragments in the shared cache, keyed by explicit version tokens.

A *version* is a named token kept in the shared cache (`"events.qa.12"`, `"people"`). Whatever
changes what a cached fragment shows — a service, an admin save or delete — bumps the versions
it changes with `bump(...)`: at once, and again when its transaction commits, so that a
fragment rendered between the two from the rows before the commit is never read.

A fragment is stored under a key that names what it is (with the language, and the user for a
personal part) together with the tokens it was rendered under (`store`), and is read back only
while those tokens are still the current ones (`read`: the tokens and the entries in one round
trip). Nothing is kept in a worker's memory: every server process reads the same entries, and a
bump reaches all of them at once. Tokens are random, so a database rebuilt or restored with the
same ids never meets a fragment rendered from other rows under a matching token by chance;
entries live a bounded time (`timeout`) and tokens `VERSION_SECONDS`."""

import functools
import hashlib
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.template.loader import get_template

VERSION_SECONDS = 7 * 24 * 3600
# The version of how people are named on the portal (users' full names): bumped by whatever
# changes or erases a name (member anonymisation, the users' admin), part of the key of every
# fragment that names people.
PEOPLE = "people"


@functools.cache
def fingerprint(*, templates: tuple[str, ...] = (), files: tuple[str, ...] = ()) -> str:
    """A digest of the templates' sources and of the files (e.g. the module that lays the
    entries out), computed once per process: part of the identity of the entries made from
    them, so a release that changes one never serves what the one before cached (no release
    number to bump by hand)."""
    digest = hashlib.sha256()
    for name in templates:
        digest.update(get_template(name).template.source.encode())
    for path in files:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:12]


def reads_enabled() -> bool:
    """False when the settings turn cache reads of pages and fragments off (`PAGE_CACHE_READS`,
    the benchmark's cache-miss run): every page is rendered afresh, and still stored."""
    return settings.PAGE_CACHE_READS


def version_key(name: str) -> str:
    return f"version:{name}"


def _new_token() -> str:
    return uuid.uuid4().hex[:16]


def bump(*names: str) -> None:
    """New tokens for these versions: now, and again once the current transaction commits."""
    if not names:
        return

    def renew():
        cache.set_many({version_key(name): _new_token() for name in names}, VERSION_SECONDS)

    renew()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(renew, robust=True)


def current(found: dict, names) -> tuple[str, ...] | None:
    """The tokens of `names` from a `cache.get_many` answer, or None when one is missing."""
    tokens = tuple(found.get(version_key(name)) for name in names)
    return None if None in tokens else tokens


def tokens(*names: str) -> tuple[str, ...]:
    """The current tokens of these versions (a missing one is created)."""
    return read(names)[0]


def read(names, keys=(), *, identity=()) -> tuple[tuple[str, ...], dict]:
    """One round trip: the current tokens of the versions `names` (a missing one is created)
    and, of the entries stored under `keys`, those stored under exactly these tokens followed by
    `identity` (what else they were rendered for, e.g. the row's creation time)."""
    version_keys = [version_key(name) for name in names]
    found = cache.get_many([*version_keys, *keys])
    tokens = []
    for key in version_keys:
        token = found.get(key)
        if token is None:
            cache.add(key, _new_token(), VERSION_SECONDS)
            token = cache.get(key) or _new_token()  # no cache at all: nothing will match
        tokens.append(token)
    tokens = tuple(tokens)
    return tokens, fresh(found, keys, (*tokens, *identity))


def fresh(found: dict, keys, tokens) -> dict:
    """The entries of a `cache.get_many` answer that were stored under `tokens` (with the
    identity, when there is one)."""
    entries = {}
    if not reads_enabled():
        return entries
    for key in keys:
        stored = found.get(key)
        if stored is not None and stored[0] == tuple(tokens):
            entries[key] = stored[1]
    return entries


def store(key: str, value, tokens, timeout: int) -> None:
    """Keep `value` under `key`, valid while `tokens` are the current ones."""
    cache.set(key, (tuple(tokens), value), timeout)


def store_many(entries: dict, tokens, timeout: int) -> None:
    cache.set_many({key: (tuple(tokens), value) for key, value in entries.items()}, timeout)
