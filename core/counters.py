"""Counters that wait in the shared cache (Redis) before they reach the database.

A count bumped by many requests at once (a box code's scans) costs one database write per
request when each request writes it, and the writers queue on the one row. Here each request
adds to a counter in Redis (`add`: one INCRBY, atomic, no database), and whoever writes the sum
to the database takes it out first (`take`: one GETDEL — what was added before it is taken,
what is added after it starts a new counter), so no count is taken twice or left behind by a
race between processes. The caller decides when to write (see showcase.services.
box_code_scan_count: a background task some seconds after the first count).

Only with django-redis (`available()`): the local-memory cache of the embedded default is one
per process, and a db_worker would never see what the web process counted. A counter lost with
the cache (a Redis restart without persistence, a `cache.clear()`) loses the counts that had not
been written yet — never more than the caller's flush interval's worth."""

from django.conf import settings
from django.core.cache import cache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

# What a cache that cannot be reached raises (django-redis's wrapper, redis-py's own errors, the
# socket's): callers that must answer without the cache catch these and use the database.
UNAVAILABLE = (ConnectionInterrupted, RedisError, OSError)


def available() -> bool:
    """True when counters can wait in the cache: a cache every process shares, with Redis's
    atomic INCRBY and GETDEL (django-redis)."""
    return settings.SHARED_CACHE and hasattr(getattr(cache, "client", None), "get_client")


def _redis_and_key(key: str):
    client = cache.client
    return client.get_client(write=True), client.make_key(key)


def add(key: str, amount: int = 1) -> int:
    """Adds `amount` to the counter (created at 0) and returns its new value."""
    redis, full_key = _redis_and_key(key)
    return redis.incrby(full_key, amount)


def take(key: str) -> int:
    """The counter's value, removed from the cache in the same step (0 when there is none)."""
    redis, full_key = _redis_and_key(key)
    value = redis.getdel(full_key)
    return int(value) if value is not None else 0


def peek(key: str) -> int:
    """The counter's value, left in place (for tests and the admin)."""
    redis, full_key = _redis_and_key(key)
    value = redis.get(full_key)
    return int(value) if value is not None else 0
