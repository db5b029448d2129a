"""Turns bench/run.sh's measurements into one table (throughput as a ratio to /healthz from the
same run), each page on a cache hit and on a cache miss, checks the targets of issues 7 and 16,
prints it and writes bench/RESULTS.md."""

import argparse
import os
import platform
import subprocess
from datetime import UTC, datetime

BASELINE = "/healthz (baseline)"
BASELINE_END = "/healthz (baseline, end)"
RELOAD = "/healthz during 2 graceful reloads (HUP)"
MODES = ("hit", "miss", "floor")
# The targets on a cache miss (issue 16); bench/run.sh measures these pages on the floor server too.
MISS_TARGETS = {"member dashboard": 0.10, "home": 0.30, "permits dashboard": 0.10}
TABLES = [
    ("members", "members_member"),
    ("users", "members_user"),
    ("price submissions", "pricing_pricesubmission"),
    ("questions", "events_question"),
    ("permits", "permits_permit"),
    ("permit cases", "permits_permitcase"),
    ("showcase listings", "showcase_listing"),
    ("box codes", "showcase_boxcode"),
]


def read(path):
    """One row per page (in the order measured), with a measurement per mode: "hit" (as served),
    "miss" (PAGE_CACHE_READS off: rendered afresh on every request) and, for the pages with a
    target on a miss, "floor" (the miss with template rendering taken away)."""
    pages = {}
    with open(path, encoding="utf-8") as results:
        for line in results:
            mode, label, page, *values = line.rstrip("\n").split("\t")
            row = pages.setdefault(label, {"label": label, "path": page})
            if len(values) == 7 and int(values[4]) == 0:
                row[mode] = {"failed": "no answer within the run"}
            elif len(values) == 7:
                rps, p50, p95, p99, requests, http_errors, socket_errors = values
                row[mode] = {
                    "rps": float(rps),
                    "p50": float(p50),
                    "p95": float(p95),
                    "p99": float(p99),
                    "requests": int(requests),
                    "errors": int(http_errors) + int(socket_errors),
                }
            else:
                row[mode] = {"failed": " ".join(values)}
    return list(pages.values())


def baseline(rows):
    """The /healthz req/s of this run: the mean of the runs at its start and end."""
    figures = [
        row["hit"]["rps"] for row in rows if row["label"] in (BASELINE, BASELINE_END) and "rps" in row.get("hit", {})
    ]
    return sum(figures) / len(figures) if figures else None


def targets(rows):
    """(target, met?, figure) for each target of issues 7 and 16 that this run measured."""
    by_label = {row["label"]: row for row in rows}
    base = baseline(rows)
    checks = []

    def measured(label, mode):
        figure = by_label.get(label, {}).get(mode, {})
        return figure if "rps" in figure else None

    def ratio_check(label, mode, minimum):
        figure = measured(label, mode)
        if figure and base:
            ratio = figure["rps"] / base
            name = f"{label} ({'cache ' + mode if mode == 'hit' else 'cache miss'}) ≥ {minimum:.0%} of /healthz"
            checks.append((name, ratio >= minimum, f"{ratio:.1%}"))

    ratio_check("member dashboard", "miss", MISS_TARGETS["member dashboard"])
    ratio_check("member dashboard", "hit", 0.35)
    ratio_check("directory search", "hit", 0.25)
    ratio_check("directory search, signed in", "hit", 0.25)
    ratio_check("Q&A fragment", "hit", 0.50)
    ratio_check("Q&A poll, nothing new", "hit", 0.50)
    ratio_check("home", "hit", 0.30)
    ratio_check("home", "miss", MISS_TARGETS["home"])
    ratio_check("permits dashboard", "miss", MISS_TARGETS["permits dashboard"])
    ratio_check("showcase search", "hit", 0.25)
    ratio_check("showcase product page", "hit", 0.25)
    ratio_check("verification page", "hit", 0.50)
    qa = measured("Q&A fragment", "hit")
    if qa:
        checks.append(("Q&A fragment ≥ 200 req/s", qa["rps"] >= 200, f"{qa['rps']:.0f} req/s"))
        checks.append(("Q&A fragment p99 < 250 ms", qa["p99"] < 250, f"{qa['p99']:.0f} ms"))
    report = measured("price report", "hit")
    if report:
        checks.append(("price report median < 300 ms", report["p50"] < 300, f"{report['p50']:.0f} ms"))
    for label in by_label:
        figure = measured(label, "hit")
        if label.startswith("admin:") and figure:
            checks.append((f"{label} changelist < 500 ms (p95)", figure["p95"] < 500, f"{figure['p95']:.0f} ms"))
    reload = measured(RELOAD, "hit")
    if reload:
        figure = f"{reload['requests']} requests, {reload['errors']} failed"
        checks.append(("graceful reload (HUP) under load fails no request", reload["errors"] == 0, figure))
    for row in rows:
        for mode in MODES:
            figure = row.get(mode)
            if figure and "failed" in figure:
                checks.append((f"{row['label']} ({mode}) answers 200", False, figure["failed"]))
            elif figure and figure["errors"]:
                checks.append((f"{row['label']} ({mode}): no failed request", False, f"{figure['errors']} errors"))
    return checks


def machine(database):
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = "?"
    try:
        with open("/proc/meminfo") as info:
            kib = int(next(line.split()[1] for line in info if line.startswith("MemTotal")))
            memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    postgres = _psql(database, "SHOW server_version") or "?"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    return (
        f"{platform.node()}: {os.cpu_count()} cores ({cpu}), {memory} RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, PostgreSQL {postgres}, commit {commit}"
    )


def _psql(database, sql):
    result = subprocess.run(["psql", "--dbname", database, "-Atc", sql], capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else ""


def render(rows, args):
    base = baseline(rows)

    def cells(figure):
        if figure is None:
            return ["", "", "", ""]
        if "failed" in figure:
            return [figure["failed"], "", "", ""]
        ratio = f"{figure['rps'] / base:.1%}" if base else "?"
        return [f"{figure['rps']:.0f}", ratio, f"{figure['p50']:.1f}", f"{figure['p99']:.0f}"]

    lines = [
        "| page | path | hit req/s | hit × /healthz | hit p50 ms | hit p99 ms "
        "| miss req/s | miss × /healthz | miss p50 ms | miss p99 ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['label']} | `{row['path'][:60]}` | "
            + " | ".join([*cells(row.get("hit")), *cells(row.get("miss"))])
            + " |"
        )
    checks = targets(rows)
    floor = floor_lines(rows, base)
    volume = ", ".join(
        f"{name} {int(count):,}"
        for name, table in TABLES
        if (count := _psql(args.database, f"SELECT count(*) FROM {table}"))
    )
    seconds = _psql(args.database, "SELECT seconds FROM bench_loaded")
    text = [
        "# Benchmark results",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench` (bench/run.sh).",
        "",
        f"- Machine: {machine(args.database)}",
        f"- Server: gunicorn, {args.workers} sync workers, production settings (DEBUG off, whitenoise "
        "compressed manifest static files), PostgreSQL and Redis (cache, sessions) on this machine",
        f"- Load: wrk on loopback, 2 threads, {args.connections} connections, {args.seconds} s per page after "
        "a 2 s warm-up; latencies include the wait for a free worker",
        "- Hit: the server as deployed (pages and fragments read from the cache when current). Miss: a "
        "second server with `PAGE_CACHE_READS=false`, which renders every page afresh on every "
        "request (and stores it, as a real miss does). Ratios are to the mean of the two /healthz runs "
        f"(start and end of the run): {base:.0f} req/s"
        if base
        else "- no /healthz baseline",
        f"- Data: `seed_demo --scale {args.scale}` ({volume})" + (f", loaded in {seconds} s" if seconds else ""),
        "- Machine load (1-minute load average) at the end of the run: "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores ({args.load_note}) — other work on the "
        "machine lowers every figure",
        "",
        *lines,
        "",
        "## Targets",
        "",
        "| target | met | measured |",
        "|---|---|---|",
        *[f"| {name} | {'yes' if met else '**no**'} | {figure} |" for name, met, figure in checks],
        "",
        *floor,
    ]
    return "\n".join(text)


def floor_lines(rows, base):
    """The floor under each miss target: the same miss on a server whose template rendering
    returns a fixed body (bench/floor_wsgi.py). Rendering's share of a miss is the time a request
    loses to it: 1 - miss req/s ÷ floor req/s."""
    measured = [
        (row, minimum)
        for row in rows
        if (minimum := MISS_TARGETS.get(row["label"])) is not None
        and "rps" in row.get("miss", {})
        and "rps" in row.get("floor", {})
    ]
    if not measured or not base:
        return []
    lines = [
        "## The floor under a miss",
        "",
        "The same miss on a third server whose template rendering returns a fixed 23,000-byte body "
        "without running a tag (`bench/floor_wsgi.py`; the layout's CSRF token and navigation state "
        "and the store of its menu still done): what each page would cost with a template engine "
        "that cost nothing. Where the floor is under the target, no template engine alone could "
        "have met it in this run; what is left is the request's middleware, the session and the "
        "user, the view's statements and Python, and the caches' reads and writes.",
        "",
        "| page | miss req/s | miss × /healthz | floor req/s | floor × /healthz | rendering's share of a miss "
        "| target on a miss | floor reaches it |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row, minimum in measured:
        miss, floor = row["miss"]["rps"], row["floor"]["rps"]
        lines.append(
            f"| {row['label']} | {miss:.0f} | {miss / base:.1%} | {floor:.0f} | {floor / base:.1%} "
            f"| {1 - miss / floor:.0%} | ≥ {minimum:.0%} | {'yes' if floor / base >= minimum else '**no**'} |"
        )
    return [*lines, ""]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("--scale", default="?")
    parser.add_argument("--workers", default="?")
    parser.add_argument("--connections", default="?")
    parser.add_argument("--seconds", default="?")
    parser.add_argument("--database", required=True)
    parser.add_argument("--load-note", default="1-minute load averages during the run in bench/data/load.log")
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    text = render(read(args.results), args)
    with open(args.output, "w", encoding="utf-8") as output:
        output.write(text)
    print(text)


if __name__ == "__main__":
    main()
