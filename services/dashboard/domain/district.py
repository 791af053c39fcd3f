"""A district: its grassroots units' obligations, sortable, with when each report was received."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from services.dashboard.domain.rows import SEVERITY, Row, parse_time
from shared.text import fold

SORTS = ("unit", "report", "due", "status", "received", "version")


@dataclass(frozen=True)
class Received:
    """From `review.submissions.accepted.<path>`: one accepted version."""

    submission_id: str
    unit_id: str
    report_type: str
    version: int
    received_at: datetime | None
    on_time: bool | None
    due_at: datetime | None = None


@dataclass(frozen=True)
class Line:
    row: Row
    received_at: datetime | None  # of the version the status row names
    first_received_at: datetime | None


def lines(rows: Iterable[Row], received: Mapping[str, Received], by_obligation: Mapping[tuple[str, str], list[Received]]
          ) -> list[Line]:
    out = []
    for row in rows:
        versions = by_obligation.get((row.unit_id, row.report_type), [])
        current = received.get(row.submission_id or "")
        first = min((v.received_at for v in versions if v.received_at), default=None)
        out.append(Line(row, current.received_at if current else None, first))
    return out


def index(events: Iterable[Received]) -> tuple[dict[str, Received], dict[tuple[str, str], list[Received]]]:
    by_id: dict[str, Received] = {}
    by_obligation: dict[tuple[str, str], list[Received]] = {}
    for e in events:
        by_id[e.submission_id] = e
        by_obligation.setdefault((e.unit_id, e.report_type), []).append(e)
    for versions in by_obligation.values():
        versions.sort(key=lambda v: v.version)
    return by_id, by_obligation


def sort_lines(items: list[Line], key: str, descending: bool = False) -> list[Line]:
    """Sort by a column; rows without a value (no date, no version) always go last."""
    if key not in SORTS:
        key = "unit"
    missing = [i for i in items if _value(i, key) is None]
    present = [i for i in items if _value(i, key) is not None]
    present.sort(key=lambda i: (_value(i, key), fold(i.row.unit_name), i.row.report_type), reverse=descending)
    return present + sorted(missing, key=lambda i: fold(i.row.unit_name))


def _value(line: Line, key: str) -> object:
    row = line.row
    return {
        "unit": (fold(row.unit_name), row.unit_id),
        "report": row.report_type,
        "due": row.due_at,
        "status": SEVERITY.get(row.status, 9),
        "received": line.received_at,
        "version": row.version,
    }[key]


def parse_received(data: Mapping[str, object]) -> Received | None:
    sid, unit = data.get("submission_id"), data.get("unit_id")
    version = data.get("version")
    if not isinstance(sid, str) or not isinstance(unit, str) or not isinstance(version, int):
        return None
    on_time = data.get("on_time")
    return Received(sid, unit, str(data.get("report_type") or ""), version, parse_time(data.get("received_at")),
                    on_time if isinstance(on_time, bool) else None, parse_time(data.get("due_at")))
