"""A test's province (the examples' units with ids made unique) and the outside world's side of the talk."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import nats

from shared import subjects
from tests.infra.client import publish, request, set_clocks
from tests.infra.data import example_units


class Scenario:
    """The examples' province: root TU, district TP, grassroots TP-XPL (old) and TP-CTX (founded 20/11/2022:
    exempt on 15/5/2023), propaganda agency BTG; every id suffixed with the test's token."""

    def __init__(self, nc: nats.NATS, token: str) -> None:
        self.nc = nc
        self.token = token
        self.units: dict[str, dict[str, Any]] = {}
        for unit in example_units():
            unit = copy.deepcopy(unit)
            unit["unit_id"] = self.id(unit["unit_id"])
            if unit.get("parent_id"):
                unit["parent_id"] = self.id(unit["parent_id"])
            self.units[unit["unit_id"]] = unit

    def id(self, name: str) -> str:
        return f"{name}-{self.token}"

    def path(self, unit_id: str) -> str:
        chain: list[str] = []
        unit = self.units[unit_id]
        while unit.get("parent_id"):
            chain.append(unit["unit_id"])
            unit = self.units[unit["parent_id"]]
        return ".".join(reversed(chain))

    def add(self, **unit: Any) -> dict[str, Any]:
        self.units[unit["unit_id"]] = unit
        return unit

    async def register(self, *names: str) -> None:
        """Publish `review.units.changed` for the named units (short names), or for all of them."""
        ids = [self.id(n) for n in names] if names else list(self.units)
        for unit_id in ids:
            await self.changed(self.units[unit_id])

    async def changed(self, unit: dict[str, Any], path: str | None = None) -> None:
        path = self.path(unit["unit_id"]) if path is None else path
        await publish(self.nc, subjects.units_changed(path), {**unit, "path": path},
                      msg_id=f"unit:{unit['unit_id']}:{uuid.uuid4().hex}")

    async def accepted(self, name: str, report_type: str, *, version: int = 1, on_time: bool = True,
                       due_at: str = "2023-05-15T00:00:00+07:00",
                       received_at: str = "2023-05-10T09:00:00+07:00",
                       evidence: dict[str, str] | None = None) -> str:
        unit_id = self.id(name)
        submission_id = f"sub-{uuid.uuid4().hex}"
        await publish(self.nc, subjects.accepted(self.path(unit_id)), {
            "submission_id": submission_id, "unit_id": unit_id, "report_type": report_type,
            "version": version, "received_at": received_at, "due_at": due_at, "on_time": on_time,
            **({"evidence": evidence} if evidence else {}),
        }, msg_id=f"accepted:{submission_id}")
        return submission_id

    async def decided(self, name: str, report_type: str, submission_id: str, decision: str = "return", *,
                      decided_at: str, resubmit_by: str | None = None) -> str:
        """Stands in for intake: `review.submissions.decided.<path>`."""
        unit_id = self.id(name)
        decision_id = f"dec-{uuid.uuid4().hex}"
        await publish(self.nc, subjects.decided(self.path(unit_id)), {
            "decision_id": decision_id, "submission_id": submission_id, "unit_id": unit_id,
            "report_type": report_type, "decision": decision, "comment": "Đề nghị bổ sung số liệu.",
            "decided_at": decided_at, "resubmit_by": resubmit_by,
        }, msg_id=f"decided:{decision_id}")
        return decision_id

    async def extend(self, name: str, report_type: str, due: str, *, path: str | None = None,
                     extension_id: str | None = None, **changes: Any) -> str:
        """The Office: `review.deadlines.extend.<path>`."""
        unit_id = self.id(name)
        extension_id = extension_id or f"ext-{uuid.uuid4().hex}"
        body = {"extension_id": extension_id, "unit_id": unit_id, "report_type": report_type, "due": due,
                "reason": "Địa phương bị ảnh hưởng bão lũ", "approved_by": {"name": "Chánh Văn phòng Tỉnh ủy"}}
        await publish(self.nc, subjects.extend(self.path(unit_id) if path is None else path), body | changes,
                      msg_id=f"extend:{uuid.uuid4().hex}")
        return extension_id

    async def milestones(self, scope: str | None = None) -> dict[str, Any]:
        return await request(self.nc, subjects.QUERY_MILESTONES, {"scope": scope} if scope else {})

    async def at(self, now: str) -> None:
        await set_clocks(self.nc, now, ("deadline",))

    async def sweep(self) -> dict[str, Any]:
        return await request(self.nc, subjects.ADMIN_SWEEP, {}, timeout=30)

    async def status(self, scope: str | None = None) -> dict[str, Any]:
        return await request(self.nc, subjects.QUERY_STATUS, {"scope": scope} if scope else {})

    async def statuses(self, scope: str | None = None) -> dict[tuple[str, str], str]:
        """`(short unit name, report_type) -> status` of the scope's subtree."""
        reply = await self.status(scope)
        return {(row["unit_id"].removesuffix(f"-{self.token}"), row["report_type"]): row["status"]
                for row in reply.get("obligations", [])}
