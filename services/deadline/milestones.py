"""`review.query.milestones`: every milestone of the plan for every unit of its level in a scope's subtree,
judged now (domain/milestones.py). Evidence is read from the obligation of the evidence report, where the
accepted events leave the latest version's `evidence`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from services.deadline.domain.milestones import applies, judge
from services.deadline.domain.obligations import obligation_id
from services.deadline.ports import ObligationStore, UnitStore
from services.deadline.texts import message
from shared.clock import ManualClock, SystemClock
from shared.contract import MilestonesQuery
from shared.contract.common import Timestamp
from shared.contract.units import Level, levels_below
from shared.messaging import error_reply
from shared.plan import Plan


class MilestoneRow(BaseModel):
    unit_id: str
    milestone: str
    due_at: Timestamp
    met_on: str | None
    status: str
    unit_name: str  # an addition: what the row is about, for people
    path: str  # an addition: where the unit sits


class MilestonesReply(BaseModel):
    milestones: list[MilestoneRow]


class Milestones:
    def __init__(self, plan: Plan, clock: SystemClock | ManualClock, obligations: ObligationStore,
                 units: UnitStore) -> None:
        self.plan, self.clock, self.obligations, self.units = plan, clock, obligations, units

    async def reply(self, body: Any) -> dict[str, Any]:
        try:
            query = MilestonesQuery.model_validate(body or {})
        except ValidationError as exc:
            return error_reply("schema", message("schema", detail=exc.errors()[0]["msg"]))
        path, scope = "", None
        if query.scope is not None:
            scope = await self.units.get(query.scope)
            if scope is None:
                return error_reply("unknown_scope", message("unknown_scope", unit_id=query.scope))
            path = scope.path
        now = self.clock.now()
        levels = {m.level.value for m in self.plan.milestones}
        if scope is not None and not levels & _below(scope.level):
            # no milestone of a level found below the scope (a district: only its grassroots are): the scope
            # alone, not the ~75 units of a district read and dropped, 700 times in a compiler round
            units = [scope] if scope.level in levels else []
        else:
            units = await self.units.of_levels(levels, path)
        pairs = [(m, u) for m in self.plan.milestones for u in units if applies(m, u)]
        wanted = {obligation_id(u.unit_id, m.evidence.report_type.value) for m, u in pairs if m.evidence}
        found = await self.obligations.many(wanted)
        rows = []
        for m, u in pairs:
            ob = found.get(obligation_id(u.unit_id, m.evidence.report_type.value)) if m.evidence else None
            judged = judge(m, u, ob.evidence_of(m.evidence.field) if ob and m.evidence else None, now)
            rows.append(MilestoneRow(unit_id=judged.unit_id, milestone=judged.milestone, due_at=judged.due_at,
                                     met_on=judged.met_on.isoformat() if judged.met_on else None,
                                     status=judged.status, unit_name=judged.unit_name, path=judged.path))
        rows.sort(key=lambda r: (r.path, r.milestone))
        return MilestonesReply(milestones=rows).model_dump(mode="json")


def _below(level: str) -> set[str]:
    """The levels a unit of `level` can have below it; any level for one the registry does not know."""
    try:
        return {found.value for found in levels_below(Level(level))}
    except ValueError:
        return {known.value for known in Level}
