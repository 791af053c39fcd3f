"""Targets and inspection figures over the latest version of each report in scope."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from services.compiler.domain.model import ReportRow, TargetSpec

STATUSES = ("achieved", "on_track", "at_risk", "not_achieved")
INSPECTION_FIELDS = ("inspections", "supervisions", "members_disciplined", "organizations_disciplined")


def combine(aggregate: str, values: Sequence[float]) -> float | None:
    """`sum | mean | min | max`; None when nobody reported a value."""
    if not values:
        return None
    if aggregate == "sum":
        result = sum(values)
    elif aggregate == "mean":
        result = sum(values) / len(values)
    elif aggregate == "min":
        result = min(values)
    elif aggregate == "max":
        result = max(values)
    else:
        raise ValueError(f"unknown aggregate {aggregate!r}")
    return round(float(result), 6)


def aggregate_targets(specs: Iterable[TargetSpec], reports: Iterable[ReportRow]) -> list[dict[str, Any]]:
    """One row per plan target, in plan order. A report naming a code twice counts its first entry."""
    reported: dict[str, list[dict[str, Any]]] = {}
    for report in reports:
        seen: set[str] = set()
        for entry in report.content.get("targets") or []:
            code = entry.get("code")
            if not code or code in seen or entry.get("value") is None:
                continue
            seen.add(code)
            reported.setdefault(code, []).append(entry)
    rows = []
    for spec in specs:
        entries = reported.get(spec.code, [])
        row: dict[str, Any] = {
            "code": spec.code, "name": spec.name, "unit": spec.unit, "aggregate": spec.aggregate,
            "value": combine(spec.aggregate, [float(e["value"]) for e in entries]),
            "reported_by": len(entries),
        }
        for status in STATUSES:
            row[status] = sum(1 for e in entries if e.get("status") == status)
        if spec.goal is not None:
            row["goal"] = spec.goal
        rows.append(row)
    return rows


def sum_inspection(reports: Iterable[ReportRow]) -> dict[str, int]:
    totals = dict.fromkeys(INSPECTION_FIELDS, 0)
    reported_by = 0
    for report in reports:
        figures = report.content.get("inspection")
        if not figures:
            continue
        reported_by += 1
        for name in INSPECTION_FIELDS:
            totals[name] += int(figures.get(name) or 0)
    return {**totals, "reported_by": reported_by}
