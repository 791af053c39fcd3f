"""FastStream wiring of the deadline service (CONTRACT sections 3 and 5); no rules live here."""

from __future__ import annotations

from typing import Any

from faststream import FastStream

from services.deadline.bootstrap import Deadline, bootstrap
from services.deadline.sweeper import sweep_every
from shared import db as shared_db
from shared import subjects
from shared.contract import Escalated, Extended, ObligationChanged, OfficeRejected, Overdue, Reminder
from shared.messaging import Inbound, error_reply
from shared.plan import load_plan
from shared.service import Runtime, queries

UNITS_DURABLE = "deadline-units"
ACCEPTED_DURABLE = "deadline-accepted"
DECIDED_DURABLE = "deadline-decided"
EXTEND_DURABLE = "deadline-extend"
# requests answered at once: a compiler round asks the milestones of its ~700 districts together, and their
# reads gather into a few `$in` round trips (Units.get, Obligations.many); one at a time they queued behind each
# other's round trips past the compiler's 1 s timeout
QUERY_WORKERS = 256


def wire(rt: Runtime) -> FastStream:
    plan = load_plan(rt.settings.plan_path)
    box: dict[str, Deadline] = {}

    async def connect() -> None:
        database = shared_db.connect(rt.settings.mongodb_uri)
        max_bytes = rt.broker.connection.max_payload if rt.broker.connection else None
        box["d"] = bootstrap(rt, plan, database, max_bytes)
        await box["d"].obligations.create_indexes()
        await box["d"].units.create_indexes()

    async def start_timer() -> None:
        rt.start_background(sweep_every(box["d"].sweeper, rt.settings.sweep_seconds, rt.log))

    rt.on_startup.append(connect)
    rt.after_startup.append(start_timer)
    async def close() -> None:
        if "d" in box:
            await box["d"].obligations.close()
            await box["d"].units.close()
        await shared_db.close()

    rt.on_shutdown.append(close)

    async def unit_changed(inbound: Inbound) -> None:
        await box["d"].registry.unit_changed(inbound)

    async def submission_accepted(inbound: Inbound) -> None:
        await box["d"].registry.accepted(inbound)

    async def decided(inbound: Inbound) -> None:
        await box["d"].office.decided(inbound)

    async def extend(inbound: Inbound) -> None:
        await box["d"].office.extend(inbound)

    rt.consumers.consume(subjects.UNITS_CHANGED_ALL, UNITS_DURABLE, unit_changed, fetch=128,
                         description="Keep obligations current with the unit registry")
    rt.consumers.consume(subjects.ACCEPTED_ALL, ACCEPTED_DURABLE, submission_accepted, fetch=256, in_flight=4,
                         description="Mark obligations submitted or late")
    rt.consumers.consume(subjects.DECIDED_ALL, DECIDED_DURABLE, decided,
                         description="A returned version: the obligation is returned, with a new deadline round")
    rt.consumers.consume(subjects.EXTEND_ALL, EXTEND_DURABLE, extend,
                         description="Extensions approved by the Office: a later deadline, a new round")

    async def status(body: Any = None) -> Any:
        return await box["d"].status.reply(body)

    async def milestones(body: Any = None) -> Any:
        return await box["d"].milestones.reply(body)

    async def sweep(body: Any = None) -> dict[str, Any]:
        try:
            return await box["d"].sweeper.sweep(trigger="admin")
        except Exception as exc:  # the caller hears why; the marks keep the sweep safe to repeat
            rt.log.error("sweep_failed", trigger="admin", error=f"{type(exc).__name__}: {exc}"[:500])
            return error_reply("sweep_failed", "Không quét được hạn nộp, hãy thử lại.")

    queries(rt, [
        (subjects.QUERY_STATUS, status, "Obligations of a scope's subtree and their status (StatusReply)"),
        (subjects.QUERY_MILESTONES, milestones, "Milestones of a scope's subtree: met, late, missing, pending"),
        (subjects.ADMIN_SWEEP, sweep, "Sweep now; replies the counts published (SweepReply)"),
    ], workers=QUERY_WORKERS)
    rt.document(subjects.reminder("{path}"), Reminder, "A reminder before a deadline")
    rt.document(subjects.overdue("{path}"), Overdue, "An obligation passed its deadline unsubmitted")
    rt.document(subjects.escalated("{path}"), Escalated, "An overdue obligation escalated to its supervisors")
    rt.document(subjects.obligations_changed("{path}"), ObligationChanged, "An obligation changed")
    rt.document(subjects.extended("{path}"), Extended, "An extension applied: the new deadline and its round")
    rt.document(subjects.EXTEND_REJECTED, OfficeRejected, "An extension refused, with the codes")
    return rt.app("Obligations, reminders, overdue notices and escalations (theo dõi, đôn đốc)")
