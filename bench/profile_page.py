"""Profile one page in-process on the benchmark database (what `make bench` measures):
    bench/profile_page.py /members/me/ member      (roles: anonymous, member, staff, union_head, panelist)
Prints the SQL queries with their times (slowest first) and a pyinstrument profile when
pyinstrument is installed. Uses the same environment as bench/run.sh (set it first, or run
with BENCH_DATABASE_URL / BENCH_REDIS_URL defaults)."""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cluster_portal.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("SECRET_KEY", "profile-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz012345")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cluster_portal_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/6")
os.environ.setdefault("CACHE_KEY_PREFIX", "bench")
os.environ.setdefault("STATIC_MANIFEST", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("RATELIMIT_ENABLE", "false")
os.environ["ALLOWED_HOSTS"] = "127.0.0.1,testserver"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

MOBILES = {
    "member": ("09120000001", False),
    "staff": ("09120000010", True),
    "union_head": ("09120000020", True),
    "panelist": ("09120000030", False),
}


def main(path, role="anonymous", repeat=3):
    client = Client()
    if role != "anonymous":
        namespace = {}
        exec((ROOT / "bench/targets.py").read_text().split("member = session_cookie")[0], namespace)
        mobile, second = MOBILES[role]
        name, _equals, key = namespace["session_cookie"](mobile, second_factor=second).partition("=")
        client.cookies[name] = key
    client.get(path)  # warm caches and connections
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    print(
        f"{path} as {role}: HTTP {response.status_code}, {len(queries)} queries, "
        + ", ".join(f"{t:.0f} ms" for t in timings)
    )
    for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:8]:
        print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:300]}")
    try:
        from pyinstrument import Profiler
    except ImportError:
        return
    profiler = Profiler(interval=0.001)
    profiler.start()
    client.get(path)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False)[:6000])


if __name__ == "__main__":
    main(*sys.argv[1:3])
