"""The calls a request makes on the default cache, for the tests that pin them."""

from contextlib import contextmanager

from django.core.cache import caches

CACHE_CALLS = ("get", "get_many", "set", "set_many", "add", "delete", "delete_many", "incr", "decr", "touch", "has_key")


@contextmanager
def recorded_cache_calls(monkeypatch):
    """[(method, key or sorted keys)] of every round trip on the default cache inside the block:
    a call made inside another (the local-memory cache's get_many calls get) is not one."""
    backend = caches["default"]
    calls, depth = [], [0]

    def recorded(name, method):
        def call(key, *args, **kwargs):
            if depth[0] == 0:
                calls.append((name, tuple(sorted(key)) if isinstance(key, (list, dict, set, tuple)) else key))
            depth[0] += 1
            try:
                return method(key, *args, **kwargs)
            finally:
                depth[0] -= 1

        return call

    with monkeypatch.context() as patch:
        for name in CACHE_CALLS:
            patch.setattr(backend, name, recorded(name, getattr(backend, name)))
        yield calls
