"""The messages the deadline service publishes, built from obligations (subjects, payloads, msg ids)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel

from services.deadline.domain.obligations import Obligation, changed_msg_id, status_of, view
from services.deadline.domain.schedule import DueEvent
from shared import subjects
from shared.contract.deadlines import Escalated, ObligationChanged, Overdue, Reminder
from shared.contract.queries import StatusRow


@dataclass(frozen=True)
class Outgoing:
    subject: str
    payload: BaseModel
    msg_id: str


def _token(path: str) -> str:
    """A subject token for a path: the root (``) is `root`, as `review.units.changed.root`."""
    return path or "root"


def deadline_event(ob: Obligation, due: DueEvent) -> Outgoing:
    common = {"unit_id": ob.unit_id, "report_type": ob.report_type, "due_at": ob.due_at, "round": ob.round}
    if due.kind == "reminder":
        return Outgoing(subjects.reminder(_token(ob.path)), Reminder(**common, before=due.before), due.key)
    if due.kind == "overdue":
        return Outgoing(subjects.overdue(_token(ob.path)), Overdue(**common), due.key)
    return Outgoing(subjects.escalated(_token(ob.path)),
                    Escalated(**common, level=due.level, after=due.after), due.key)


def obligation_changed(ob: Obligation, now: datetime) -> Outgoing:
    payload = ObligationChanged(**view(ob, now), changed_at=now, round=ob.round)
    return Outgoing(subjects.obligations_changed(ob.path), payload, changed_msg_id(ob, now))


def status_row(ob: Obligation, now: datetime) -> StatusRow:
    return StatusRow(unit_id=ob.unit_id, unit_name=ob.unit_name, path=ob.path, report_type=ob.report_type,
                     due_at=ob.due_at, status=status_of(ob, now), submission_id=ob.submission_id,
                     version=ob.version)
