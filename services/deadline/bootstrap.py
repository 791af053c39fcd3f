"""The composition root: repositories over the database, the publisher, and the use cases on top."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.deadline.adapters.bus import CountingPublisher
from services.deadline.adapters.repository import Obligations, Units
from services.deadline.handlers import Registry
from services.deadline.milestones import Milestones
from services.deadline.office import Office
from services.deadline.status import Status
from services.deadline.sweeper import Sweeper
from shared.plan import Plan
from shared.service import Runtime


@dataclass
class Deadline:
    registry: Registry
    sweeper: Sweeper
    status: Status
    obligations: Obligations
    units: Units
    office: Office
    milestones: Milestones


def bootstrap(rt: Runtime, plan: Plan, db: Any, max_reply_bytes: int | None = None) -> Deadline:
    obligations, units = Obligations(db), Units(db)
    publisher = CountingPublisher(rt.publisher)
    return Deadline(
        registry=Registry(plan, rt.clock, obligations, units, publisher, rt.log),
        sweeper=Sweeper(plan, rt.clock, obligations, publisher, rt.log),
        status=Status(rt.clock, obligations, units, max_reply_bytes),
        obligations=obligations,
        units=units,
        office=Office(plan, rt.clock, obligations, publisher, rt.log),
        milestones=Milestones(plan, rt.clock, obligations, units),
    )
