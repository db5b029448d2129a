"""How long loading a session takes with each of Django's session engines, on the benchmark's
Redis and database (the same environment as bench/profile_page.py):
    bench/session_engines.py
Prints the minimum and median of 2,000 loads of a signed-in session for each engine."""

import sys
import time
from importlib import import_module
from pathlib import Path

PROFILE = Path(__file__).resolve().parent / "profile_page.py"
exec(PROFILE.read_text().replace("__file__", repr(str(PROFILE))).split("def main(")[0])  # the set-up

DATA = {
    "_auth_user_id": "1",
    "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
    "_auth_user_hash": "a" * 64,
    "twofactor": [3, False, []],
    "_started": 1,
    "_last_seen": 2,
}
ENGINES = ("cache", "signed_cookies", "cached_db", "db")


def main(loads=2000):
    for engine in ENGINES:
        store_class = import_module(f"django.contrib.sessions.backends.{engine}").SessionStore
        store = store_class()
        store.update(DATA)
        store.save()
        key = store.session_key
        times = []
        for _ in range(loads):
            started = time.perf_counter()
            store_class(key).load()
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        print(f"{engine:15} min {times[0]:.3f} ms, median {times[len(times) // 2]:.3f} ms, cookie {len(key)} bytes")


if __name__ == "__main__":
    main(*map(int, sys.argv[1:2]))
