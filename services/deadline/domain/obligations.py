"""What a unit owes, and the status of each obligation at a moment.

An obligation is `<unit_id>:<report_type>`. Its status is never stored as truth: it follows from the
facts (removed, exempt, the versions seen, the version last returned, the deadline) and the clock, so a
sweep that has not run yet cannot leave a stale `pending` behind a passed deadline, and two handlers that
each add a fact (a version, a return) never need to agree on a status.

Deadline rounds (CONTRACT section 10): the plan's deadline is round 1; every return or extension moves the
deadline and starts the next round. A round is answered by the first version after the version last
returned: on time when it was received before the round's deadline. Round 1 without any move keeps
intake's verdict on the first version (CONTRACT section 2).
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
class Seen:
    """One accepted version, as the deadline service saw it."""

    version: int
    submission_id: str
    received_at: datetime | None = None


@dataclass(frozen=True)
class Move:
    """A return or an extension that started a round: `id` is `return:<decision_id>` or
    `extension:<extension_id>`; kept so a redelivery or a repeated extension changes nothing twice."""

    id: str
    round: int
    due_at: datetime


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
    seen: tuple[Seen, ...] = ()  # every version accepted, in version order
    returned_version: int | None = None  # the version the level above last returned
    moves: tuple[Move, ...] = ()
    evidence: tuple[tuple[str, str], ...] = ()  # `Accepted.evidence` of the latest version
    # how many writes changed the unit or deadline side as stored: a submission-side write made from a read
    # applies only if none came since (the store's `save_submission_side`)
    revision: int = field(default=0, compare=False)  # bookkeeping of the store, not the obligation's state

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
    def returned(self) -> bool:
        """Sent back by the level above, and no newer version since."""
        return (self.submitted and self.returned_version is not None
                and (self.version or 0) <= self.returned_version)

    @property
    def answered(self) -> bool:
        """The current round has a version: submitted or late."""
        return self.submitted and not self.returned

    @property
    def owes_events(self) -> bool:
        """Reminders, overdue notices and escalations are for obligations still owed (a returned one is owed
        again, in its new round), never submitted or exempt."""
        return self.known and not self.removed and not self.exempt and not self.answered

    def move(self, move_id: str) -> Move | None:
        return next((m for m in self.moves if m.id == move_id), None)

    def evidence_of(self, field_name: str) -> str | None:
        return next((value for name, value in self.evidence if name == field_name), None)


def obligation_id(unit_id: str, report_type: str) -> str:
    return f"{unit_id}:{report_type}"


def status_of(ob: Obligation, now: datetime) -> ObligationStatus:
    if ob.removed:
        return ObligationStatus.removed
    if ob.returned:
        return ObligationStatus.returned
    if ob.answered:
        return ObligationStatus.submitted if answered_on_time(ob) else ObligationStatus.late
    if ob.exempt:
        return ObligationStatus.exempt
    return ObligationStatus.overdue if now >= ob.due_at else ObligationStatus.pending


def answered_on_time(ob: Obligation) -> bool | None:
    """Whether the current round was answered before its deadline (None while it is not answered)."""
    if not ob.answered:
        return None
    if ob.round == 1 and ob.returned_version is None:
        return ob.on_time
    after = ob.returned_version or 0
    answer = next((s for s in ob.seen if s.version > after), None)
    if answer is None or answer.received_at is None:
        return ob.on_time  # a version recorded before rounds existed: intake's verdict is all there is
    return answer.received_at < ob.due_at


def moved(ob: Obligation, move_id: str, due_at: datetime, *, returned_version: int | None = None) -> Obligation:
    """The obligation in its next round, with the new deadline; a return also records the version returned."""
    step = Move(move_id, ob.round + 1, due_at)
    result = replace(ob, round=step.round, due_at=due_at, overdue_announced=False, moves=(*ob.moves, step))
    if returned_version is not None:
        result = replace(result, returned_version=max(returned_version, ob.returned_version or 0))
    return result


def version_of(ob: Obligation, submission_id: str) -> int | None:
    return next((s.version for s in ob.seen if s.submission_id == submission_id), None)


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
        due = old.due_at if old is not None and old.round > 1 else rule.due
        base = old or Obligation(unit.unit_id, rule.report_type.value, due)
        # Exemption is judged at the plan's deadline: an extension must not make a young unit owe a report.
        result.append(_with_unit(base, unit, due=due, removed=False,
                                 exempt=plan.is_exempt(unit.level, unit.founded_on, rule.due)))
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


def with_accepted(ob: Obligation, version: int, submission_id: str, on_time: bool,
                  received_at: datetime | None = None, evidence: dict[str, str] | None = None) -> Obligation:
    """The latest version is the one drafts use and the one whose evidence counts; whether round 1 was on
    time is decided by the first version, a later round's by the first version after the return."""
    result = ob
    if all(s.version != version for s in ob.seen):
        seen = tuple(sorted((*ob.seen, Seen(version, submission_id, received_at)), key=lambda s: s.version))
        result = replace(result, seen=seen)
    if ob.version is None or version >= ob.version:
        result = replace(result, submission_id=submission_id, version=version,
                         evidence=tuple(sorted((evidence or {}).items())))
    if ob.first_version is None or version < ob.first_version:
        result = replace(result, first_version=version, on_time=on_time)
    return result


def view(ob: Obligation, now: datetime) -> dict[str, Any]:
    """What `review.obligations.changed` says about the obligation, without `changed_at`."""
    return {
        "unit_id": ob.unit_id, "unit_name": ob.unit_name, "path": ob.path, "report_type": ob.report_type,
        "due_at": ob.due_at, "status": status_of(ob, now), "submission_id": ob.submission_id,
        "version": ob.version, "parent_id": ob.parent_id, "level": ob.level, "on_time": answered_on_time(ob),
    }


def changed_msg_id(ob: Obligation, now: datetime) -> str:
    """Deterministic per state: the same state twice is one message; a rename is a new one."""
    state = view(ob, now)
    canonical = sorted((k, v.astimezone(UTC).isoformat() if isinstance(v, datetime) else str(v))
                       for k, v in state.items())
    digest = hashlib.sha256(repr(canonical).encode()).hexdigest()[:12]
    return f"obligation:{ob.unit_id}:{ob.report_type}:{state['status']}:{ob.version}:{ob.round}:{ob.path}:{digest}"
