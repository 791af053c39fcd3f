"""Plain records the domain works on; the adapters build them from the projections."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class UnitInfo:
    unit_id: str
    name: str
    level: str
    parent_id: str | None = None
    path: str = ""
    active: bool = True


@dataclass(frozen=True, slots=True)
class ReportRow:
    """The latest accepted version of one unit's report of one type."""

    unit_id: str
    report_type: str
    submission_id: str
    version: int
    content: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ObligationRow:
    unit_id: str
    report_type: str
    status: str
    unit_name: str = ""
    path: str = ""
    due_at: str | None = None
    version: int | None = None
    changed_ts: int = 0  # epoch ms of the change that set it: an older change arriving later is ignored

    @property
    def order(self) -> tuple[int, int]:
        return (self.changed_ts, self.version or 0)


@dataclass(frozen=True, slots=True)
class TargetSpec:
    code: str
    name: str
    unit: str
    aggregate: str
    goal: float | None = None


def report_key(unit_id: str, report_type: str) -> str:
    return f"{unit_id}:{report_type}"
