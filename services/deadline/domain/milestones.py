"""Milestones of the plan (CONTRACT section 10): dates a unit must meet that are not reports.

A milestone applies to every active unit of its level. Its evidence is a date field of a report (the
conference result's `conference.held_on`), taken from the latest accepted version of that report:
`met` when the evidenced day began before the due instant, `late` when on or after it; without evidence,
`missing` once the due instant has passed by the service clock, `pending` before. A milestone the plan
gives no evidence for (the provincial conference) can never be shown met: it is `pending`, then `missing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from services.deadline.domain.obligations import UnitFacts
from shared.clock import aware
from shared.plan import Milestone


@dataclass(frozen=True)
class Judged:
    unit_id: str
    unit_name: str
    path: str
    milestone: str
    due_at: datetime
    met_on: date | None
    status: str


def applies(milestone: Milestone, unit: UnitFacts) -> bool:
    return unit.active and unit.level == milestone.level


def evidence_date(value: str | None) -> date | None:
    """A `YYYY-MM-DD` evidence value (a timestamp is read as its date); anything else proves nothing."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def judge(milestone: Milestone, unit: UnitFacts, evidence: str | None, now: datetime) -> Judged:
    due = aware(milestone.due)
    met_on = evidence_date(evidence) if milestone.evidence is not None else None
    if met_on is not None:
        began = datetime(met_on.year, met_on.month, met_on.day, tzinfo=due.tzinfo)
        status = "met" if began < due else "late"
    else:
        status = "missing" if now >= due else "pending"
    return Judged(unit.unit_id, unit.name, unit.path, milestone.id, due, met_on, status)
