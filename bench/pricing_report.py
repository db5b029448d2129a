#!/usr/bin/env python
"""Benchmark of the price report on PostgreSQL with ≈ 1,000,000 submissions.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cluster_portal_pricing_bench \\
        .venv/bin/python bench/pricing_report.py [--scale 100] [--runs 30]

Creates/migrates the database, seeds the demo accounts and prices plus `--scale` × 10,000
synthetic submissions (skipped when already there), then measures for the busiest round:
  1. the bare percentile_cont SQL (quartiles per product × channel),
  2. the report's statistics query (pricing.statistics.STATISTICS_SQL),
  3. the whole report page (GET /prices/report/?round=… as the union head, in-process client),
and prints medians; the figures go to bench/PRICING.md."""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cluster_portal.settings")
os.environ.setdefault("DEBUG", "true")  # static files without a collected manifest
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("ALLOW_DEMO_SEED", "true")
os.environ.setdefault("SMS_BACKEND", "core.sms.LocmemSmsBackend")


def timed(fn, runs):
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), min(samples), max(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database (this benchmark is about percentile_cont).")
    call_command("migrate", verbosity=0)

    from members.demo import seed_accounts
    from members.models import User
    from pricing import demo
    from pricing.models import PriceSubmission
    from pricing.statistics import BARE_PERCENTILE_SQL, STATISTICS_SQL

    seed_accounts()
    demo.seed()
    started = time.perf_counter()
    inserted = demo.seed_scale(scale=args.scale, stdout=sys.stdout)
    if inserted:
        print(f"seeded {inserted:,} submissions in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE pricing_pricesubmission")
    total = PriceSubmission.objects.count()
    busiest = (
        PriceSubmission.objects.filter(is_current=True)
        .values("price_round_id")
        .order_by()
        .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id"))
        .order_by("-n")
        .first()
    )
    round_id, round_rows = busiest["price_round_id"], busiest["n"]
    from pricing.models import PriceRound
    from pricing.services import price_round_refresh_stats

    price_round_refresh_stats(price_round=PriceRound.objects.get(pk=round_id))  # as closing it does

    def run(sql):
        def go():
            with connection.cursor() as cursor:
                cursor.execute(sql, {"round": round_id})
                cursor.fetchall()

        return go

    run(BARE_PERCENTILE_SQL)()
    run(STATISTICS_SQL)()
    bare = timed(run(BARE_PERCENTILE_SQL), args.runs)
    full = timed(run(STATISTICS_SQL), args.runs)

    client = Client()
    client.force_login(User.objects.get(mobile="09120000020"))
    # The two-step sign-in is not what is measured here: mark this session as not needing it.
    session = client.session
    session["_otp_required"] = False
    session.save()
    url = f"/prices/report/?round={round_id}"
    first = client.get(url)
    assert first.status_code == 200, (first.status_code, first.get("Location"), first.content[:300])
    page = timed(lambda: client.get(url), args.runs)

    from django.db import reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        client.get(url)

    print(f"PostgreSQL {connection.pg_version}; submissions in the table: {total:,}")
    print(f"round {round_id}: {round_rows:,} current submissions; {args.runs} runs each (median / min / max ms)")
    print(f"bare percentile_cont SQL : {bare[0]:7.1f} / {bare[1]:7.1f} / {bare[2]:7.1f}")
    print(
        f"statistics query         : {full[0]:7.1f} / {full[1]:7.1f} / {full[2]:7.1f}  ratio {full[0] / bare[0]:.2f}×"
    )
    print(f"report page (union head) : {page[0]:7.1f} / {page[1]:7.1f} / {page[2]:7.1f}  ({len(captured)} queries)")
    for query in sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:4]:
        print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:90]}")


if __name__ == "__main__":
    main()
