"""What a unit owes, and the status of each obligation at a moment.

An obligation is `<unit_id>:<report_type>`. Its status is never stored as truth: it follows from the
facts (removed, exempt, first accepted version, deadline) and the clock, so a sweep that has not run
yet cannot leave a stale `pending` behind a passed deadline.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from shared.contract.deadlines import ObligationStatus
from shared.plan import Plan


@dataclass(frozen=True)
class UnitFacts:
    """The registry's view of a unit, as `review.units.changed` carries it."""

    unit_id: str
    name: str
    level: str
    path: str
    parent_id: str | None = None
    founded_on: date | None = None
    roles: tuple[str, ...] = ()
    active: bool = True


@dataclass(frozen=True)
class Obligation:
    unit_id: str
    report_type: str
    due_at: datetime
    round: int = 1
    unit_name: str = ""
    path: str = ""
    parent_id: str | None = None
    level: str | None = None
    exempt: bool = False
    removed: bool = False
    known: bool = True  # False while only an accepted event has named it (its unit is still on its way)
    submission_id: str | None = None
    version: int | None = None
    first_version: int | None = None
    on_time: bool | None = None
    sent: frozenset[str] = field(default_factory=frozenset)  # keys of deadline events already published
    overdue_announced: bool = False  # an `overdue` status was already published on obligations.changed

    @property
    def id(self) -> str:
        return obligation_id(self.unit_id, self.report_type)

    @property
    def district(self) -> str:
        """The first path segment: a district's whole subtree shares it (`` for the root)."""
        return self.path.split(".", 1)[0]

    @property
    def submitted(self) -> bool:
        return self.submission_id is not None

    @property
    def owes_events(self) -> bool:
        """Reminders, overdue notices and escalations are for obligations still owed, never submitted or exempt."""
        return self.known and not self.removed and not self.exempt and not self.submitted


def obligation_id(unit_id: str, report_type: str) -> str:
    return f"{unit_id}:{report_type}"


def status_of(ob: Obligation, now: datetime) -> ObligationStatus:
    if ob.removed:
        return ObligationStatus.removed
    if ob.submitted:
        return ObligationStatus.submitted if ob.on_time else ObligationStatus.late
    if ob.exempt:
        return ObligationStatus.exempt
    return ObligationStatus.overdue if now >= ob.due_at else ObligationStatus.pending


def reconcile(plan: Plan, unit: UnitFacts, existing: dict[str, Obligation]) -> list[Obligation]:
    """The unit's obligations after this registry change: the plan's rules for its level and roles (none
    when inactive), each with the unit's current facts; obligations it no longer owes become removed."""
    rules = plan.rules_for(unit.level, list(unit.roles)) if unit.active else []
    result: list[Obligation] = []
    wanted: set[str] = set()
    for rule in rules:
        key = obligation_id(unit.unit_id, rule.report_type.value)
        wanted.add(key)
        old = existing.get(key)
        due = old.due_at if old is not None and old.known and old.round > 1 else rule.due
        base = old or Obligation(unit.unit_id, rule.report_type.value, due)
        result.append(_with_unit(base, unit, due=due, removed=False,
                                 exempt=plan.is_exempt(unit.level, unit.founded_on, due)))
    for key, old in existing.items():
        if key not in wanted and old.known:
            result.append(_with_unit(old, unit, due=old.due_at, removed=True, exempt=old.exempt))
    return result


def _with_unit(ob: Obligation, unit: UnitFacts, *, due: datetime, removed: bool, exempt: bool) -> Obligation:
    return replace(ob, due_at=due, unit_name=unit.name, path=unit.path, parent_id=unit.parent_id,
                   level=unit.level, exempt=exempt, removed=removed, known=True)


def placeholder(unit_id: str, report_type: str, due_at: datetime, path: str) -> Obligation:
    """An obligation named by an accepted event before its unit's registry event arrived."""
    return Obligation(unit_id, report_type, due_at, path=path, known=False)


def with_accepted(ob: Obligation, version: int, submission_id: str, on_time: bool) -> Obligation:
    """The latest version is the one drafts use; whether it was on time is decided by the first version."""
    result = ob
    if ob.version is None or version >= ob.version:
        result = replace(result, submission_id=submission_id, version=version)
    if ob.first_version is None or version < ob.first_version:
        result = replace(result, first_version=version, on_time=on_time)
    return result


def view(ob: Obligation, now: datetime) -> dict[str, Any]:
    """What `review.obligations.changed` says about the obligation, without `changed_at`."""
    return {
        "unit_id": ob.unit_id, "unit_name": ob.unit_name, "path": ob.path, "report_type": ob.report_type,
        "due_at": ob.due_at, "status": status_of(ob, now), "submission_id": ob.submission_id,
        "version": ob.version, "parent_id": ob.parent_id, "level": ob.level, "on_time": ob.on_time,
    }


def changed_msg_id(ob: Obligation, now: datetime) -> str:
    """Deterministic per state: the same state twice is one message; a rename is a new one."""
    state = view(ob, now)
    canonical = sorted((k, v.astimezone(UTC).isoformat() if isinstance(v, datetime) else str(v))
                       for k, v in state.items())
    digest = hashlib.sha256(repr(canonical).encode()).hexdigest()[:12]
    return f"obligation:{ob.unit_id}:{ob.report_type}:{state['status']}:{ob.version}:{ob.round}:{ob.path}:{digest}"
