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
        path = ""
        if query.scope is not None:
            scope = await self.units.get(query.scope)
            if scope is None:
                return error_reply("unknown_scope", message("unknown_scope", unit_id=query.scope))
            path = scope.path
        now = self.clock.now()
        units = await self.units.of_levels({m.level.value for m in self.plan.milestones}, path)
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
