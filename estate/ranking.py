"""The allocation ranking: a pure function of the criteria (kind, weight) and the inputs
snapshot, so the same inputs always give the same order.

Each criterion gives a score from 0 to 1, times its weight, rounded to two decimals:
- membership_age: months of membership, up to 60 → months / 60
- valid_licence: a valid manufacturing health licence on the day → 1, else 0
- workers: workers the member would employ at the estate, up to 20 → workers / 20
- readiness: funds ready now 1, within 6 months 2/3, within a year 1/3, not yet 0
- price_reports: finished price rounds reported in, of the last 6 → reported / 6
Order: most points first; ties go to the earlier registration, then the lower member id."""

import hashlib
import json
from decimal import ROUND_HALF_UP, Decimal

CAP_MONTHS = 60
CAP_WORKERS = 20
READINESS_SCORE = {"now": Decimal(3), "six_months": Decimal(2), "year": Decimal(1), "not_yet": Decimal(0)}
CENT = Decimal("0.01")


def criterion_score(kind: str, row: dict) -> Decimal:
    if kind == "membership_age":
        return Decimal(min(row["membership_months"], CAP_MONTHS)) / CAP_MONTHS
    if kind == "valid_licence":
        return Decimal(1 if row["valid_licence"] else 0)
    if kind == "workers":
        return Decimal(min(row["workers"], CAP_WORKERS)) / CAP_WORKERS
    if kind == "readiness":
        return READINESS_SCORE[row["readiness"]] / 3
    if kind == "price_reports":
        return Decimal(min(row["price_reports"], 6)) / 6
    raise ValueError(kind)


def digest(criteria: list, inputs: list) -> str:
    payload = json.dumps({"criteria": criteria, "inputs": inputs}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def rank(criteria: list, inputs: list) -> list[dict]:
    """criteria: [[kind, weight], …]; inputs: one dict per registration (see services.ranking_inputs).
    Returns [{"member_id", "rank", "total", "points": {kind: "12.50"}}] best first (decimals as
    strings, exactly reproducible)."""
    scored = []
    for row in inputs:
        points = {
            kind: (criterion_score(kind, row) * weight).quantize(CENT, rounding=ROUND_HALF_UP)
            for kind, weight in criteria
        }
        total = sum(points.values(), Decimal(0))
        scored.append((row, points, total))
    scored.sort(key=lambda item: (-item[2], item[0]["registered_at"], item[0]["member_id"]))
    return [
        {
            "member_id": row["member_id"],
            "rank": position,
            "total": str(total),
            "points": {kind: str(value) for kind, value in points.items()},
        }
        for position, (row, points, total) in enumerate(scored, start=1)
    ]
