"""Status rows (`review.query.status`) and registry units (`review.units.changed`) as plain values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

STATUSES = ("submitted", "late", "returned", "overdue", "pending", "exempt")
# Which status a clerk must look at first when a list is sorted by status.
SEVERITY = {"overdue": 0, "returned": 1, "pending": 2, "late": 3, "submitted": 4, "exempt": 5, "removed": 6}
AGENCY_REPORTS = frozenset({"agency_review", "propaganda_plan"})


def parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class Row:
    unit_id: str
    unit_name: str
    path: str
    report_type: str
    due_at: datetime
    status: str
    submission_id: str | None = None
    version: int | None = None

    @property
    def top(self) -> str:
        """The district (or agency) the unit belongs to; `` for the root."""
        return self.path.split(".", 1)[0] if self.path else ""

    @property
    def depth(self) -> int:
        return self.path.count(".") + 1 if self.path else 0


def parse_rows(obligations: Iterable[Mapping[str, Any]]) -> list[Row]:
    """Rows of a status reply; a malformed row is left out rather than breaking the page."""
    rows = []
    for raw in obligations:
        due = parse_time(raw.get("due_at"))
        if due is None or not raw.get("unit_id") or raw.get("status") == "removed":
            continue
        version = raw.get("version")
        rows.append(Row(
            unit_id=str(raw["unit_id"]), unit_name=str(raw.get("unit_name") or raw["unit_id"]),
            path=str(raw.get("path") or ""), report_type=str(raw.get("report_type") or ""), due_at=due,
            status=str(raw.get("status") or "pending"), submission_id=raw.get("submission_id"),
            version=version if isinstance(version, int) else None,
        ))
    return rows


@dataclass(frozen=True)
class Person:
    name: str
    email: str | None = None


@dataclass(frozen=True)
class UnitInfo:
    unit_id: str
    name: str
    level: str
    parent_id: str | None = None
    path: str = ""
    supervisors: tuple[Person, ...] = ()
    contacts: tuple[Person, ...] = ()
    active: bool = True
    extra: Mapping[str, Any] = field(default_factory=dict)


def parse_unit(raw: Mapping[str, Any]) -> UnitInfo | None:
    if not isinstance(raw, Mapping) or not raw.get("unit_id"):
        return None

    def people(key: str) -> tuple[Person, ...]:
        return tuple(Person(str(p.get("name", "")), p.get("email")) for p in raw.get(key) or []
                     if isinstance(p, Mapping) and p.get("name"))

    return UnitInfo(
        unit_id=str(raw["unit_id"]), name=str(raw.get("name") or raw["unit_id"]),
        level=str(raw.get("level") or ""), parent_id=raw.get("parent_id"), path=str(raw.get("path") or ""),
        supervisors=people("supervisors"), contacts=people("contacts"), active=raw.get("active", True) is not False,
    )
