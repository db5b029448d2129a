"""Turns bench/run.sh's measurements into one table (throughput as a ratio to /healthz from the
same run), checks the targets of issue 7, prints it and writes bench/RESULTS.md."""

import argparse
import os
import platform
import subprocess
from datetime import UTC, datetime

BASELINE = "/healthz (baseline)"
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
    rows = []
    with open(path, encoding="utf-8") as results:
        for line in results:
            label, page, *values = line.rstrip("\n").split("\t")
            if len(values) == 7 and int(values[4]) == 0:
                rows.append({"label": label, "path": page, "failed": "no answer within the run"})
            elif len(values) == 7:
                rps, p50, p95, p99, requests, http_errors, socket_errors = values
                rows.append(
                    {
                        "label": label,
                        "path": page,
                        "rps": float(rps),
                        "p50": float(p50),
                        "p95": float(p95),
                        "p99": float(p99),
                        "requests": int(requests),
                        "errors": int(http_errors) + int(socket_errors),
                    }
                )
            else:
                rows.append({"label": label, "path": page, "failed": " ".join(values)})
    return rows


def targets(rows):
    """(target, met?, figure) for each target of the issue that this run measured."""
    by_label = {row["label"]: row for row in rows if "rps" in row}
    base = by_label.get(BASELINE, {}).get("rps")
    checks = []

    def ratio_check(label, minimum):
        row = by_label.get(label)
        if row and base:
            ratio = row["rps"] / base
            checks.append((f"{label} ≥ {minimum:.0%} of /healthz", ratio >= minimum, f"{ratio:.0%}"))

    ratio_check("member dashboard", 0.25)
    ratio_check("directory search", 0.25)
    ratio_check("Q&A fragment", 0.50)
    ratio_check("Q&A poll, nothing new", 0.50)
    ratio_check("showcase search", 0.25)
    ratio_check("showcase product page", 0.25)
    ratio_check("verification page", 0.50)
    qa = by_label.get("Q&A fragment")
    if qa:
        checks.append(("Q&A fragment ≥ 200 req/s", qa["rps"] >= 200, f"{qa['rps']:.0f} req/s"))
        checks.append(("Q&A fragment p99 < 250 ms", qa["p99"] < 250, f"{qa['p99']:.0f} ms"))
    report = by_label.get("price report")
    if report:
        checks.append(("price report median < 300 ms", report["p50"] < 300, f"{report['p50']:.0f} ms"))
    for label, row in by_label.items():
        if label.startswith("admin:"):
            checks.append((f"{label} changelist < 500 ms (p95)", row["p95"] < 500, f"{row['p95']:.0f} ms"))
    reload = by_label.get("/healthz during 2 graceful reloads (HUP)")
    if reload:
        figure = f"{reload['requests']} requests, {reload['errors']} failed"
        checks.append(("graceful reload (HUP) under load fails no request", reload["errors"] == 0, figure))
    for row in rows:
        if "failed" in row:
            checks.append((f"{row['label']} answers 200", False, row["failed"]))
    for label, row in by_label.items():
        if row["errors"]:
            checks.append((f"{label}: no failed request", False, f"{row['errors']} errors"))
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
    base = next((row["rps"] for row in rows if row.get("label") == BASELINE and "rps" in row), None)
    lines = [
        "| page | path | req/s | × /healthz | p50 ms | p95 ms | p99 ms | requests | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        if "failed" in row:
            lines.append(f"| {row['label']} | `{row['path']}` | {row['failed']} | | | | | | |")
            continue
        ratio = f"{row['rps'] / base:.0%}" if base else "?"
        lines.append(
            f"| {row['label']} | `{row['path'][:60]}` | {row['rps']:.0f} | {ratio} | {row['p50']:.0f} | "
            f"{row['p95']:.0f} | {row['p99']:.0f} | {row['requests']} | {row['errors']} |"
        )
    checks = targets(rows)
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
        f"- Data: `seed_demo --scale {args.scale}` ({volume})" + (f", loaded in {seconds} s" if seconds else ""),
        "- Machine load (1-minute load average) at the end of the run: "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores — other work on the machine lowers every figure",
        "",
        *lines,
        "",
        "## Targets",
        "",
        "| target | met | measured |",
        "|---|---|---|",
        *[f"| {name} | {'yes' if met else '**no**'} | {figure} |" for name, met, figure in checks],
        "",
    ]
    return "\n".join(text)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("--scale", default="?")
    parser.add_argument("--workers", default="?")
    parser.add_argument("--connections", default="?")
    parser.add_argument("--seconds", default="?")
    parser.add_argument("--database", required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    text = render(read(args.results), args)
    with open(args.output, "w", encoding="utf-8") as output:
        output.write(text)
    print(text)


if __name__ == "__main__":
    main()
