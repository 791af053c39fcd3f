"""Use cases for the Office's tools that move deadlines (CONTRACT section 10): returns, which intake
announces on `review.submissions.decided`, and extensions on `review.deadlines.extend`.

A move is written first, on the obligation itself: the next round, its deadline and the move's id, only if
the stored obligation is still in the round it was read in (another move meanwhile: read again). Its
outcome is published after: a redelivery, or the same extension sent again, finds the move's id already
there and publishes the same outcome under the same msg ids, so nothing moves twice.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from services.deadline.domain.messages import Outgoing, obligation_changed
from services.deadline.domain.moves import (
    Refusal,
    extension_id,
    refuse_extension,
    resubmit_deadline,
    return_id,
)
from services.deadline.domain.obligations import Move, Obligation, moved, obligation_id, version_of, view
from services.deadline.domain.schedule import next_check
from services.deadline.ports import EventPublisher, ObligationStore
from services.deadline.texts import message
from shared import subjects
from shared.clock import ManualClock, SystemClock, aware, iso
from shared.contract import Decided, ErrorItem, Extended, Extension, OfficeRejected
from shared.contract.office import DecisionKind
from shared.messaging import Inbound, Terminal
from shared.plan import Plan

ATTEMPTS = 5  # reads of an obligation two moves race for; more means something is wrong: retried later
EXTEND_PREFIX = "review.deadlines.extend"


class NotYetKnown(LookupError):
    """A return of a version whose accepted event has not reached this service yet: redelivered later."""


class Office:
    def __init__(self, plan: Plan, clock: SystemClock | ManualClock, obligations: ObligationStore,
                 publisher: EventPublisher, log: Any) -> None:
        self.plan, self.clock, self.obligations, self.publisher, self.log = plan, clock, obligations, publisher, log

    async def decided(self, inbound: Inbound) -> None:
        try:
            event = Decided.model_validate_json(inbound.data)
        except ValidationError as exc:
            self.log.warning("decided_event_invalid", error=str(exc.errors()[0]["msg"]))
            raise Terminal("invalid decided event") from None
        if event.decision is not DecisionKind.return_:
            return  # accept and reopen leave deadlines alone
        key, move_id = obligation_id(event.unit_id, event.report_type.value), return_id(event.decision_id)
        due = aware(resubmit_deadline(event.decided_at, event.resubmit_by))

        def step(ob: Obligation | None) -> Obligation | Refusal:
            version = version_of(ob, event.submission_id) if ob is not None else None
            if ob is None or version is None:
                raise NotYetKnown(f"submission {event.submission_id} not seen yet")
            return moved(ob, move_id, due, returned_version=version)

        ob, _ = await self._move(key, move_id, step)
        assert isinstance(ob, Obligation)
        self.log.info("obligation_returned", unit_id=ob.unit_id, report_type=ob.report_type, round=ob.round,
                      due_at=iso(ob.due_at))
        await self._announce([], ob, inbound.correlation_id)

    async def extend(self, inbound: Inbound) -> None:
        now = self.clock.now()
        try:
            ext = Extension.model_validate(json.loads(inbound.data))
        except (ValueError, TypeError, RecursionError) as exc:
            await self._reject(inbound, now, _id_in(inbound.data), _schema_errors(exc))
            raise Terminal("rejected: schema") from None
        key, move_id = obligation_id(ext.unit_id, ext.report_type.value), extension_id(ext.extension_id)
        path = subjects.path_after(inbound.subject, EXTEND_PREFIX)
        due = aware(ext.due)

        def step(ob: Obligation | None) -> Obligation | Refusal:
            refusal = refuse_extension(ob, due, path)
            if refusal is not None:
                return refusal
            assert ob is not None  # refuse_extension refuses a missing obligation
            return moved(ob, move_id, due)

        result, done = await self._move(key, move_id, step)
        if isinstance(result, Refusal):
            current = await self.obligations.get(key)
            text = message(result.code, unit_id=ext.unit_id, report_type=ext.report_type.value, due=iso(due),
                           current=iso(current.due_at) if current else "")
            await self._reject(inbound, now, ext.extension_id, [ErrorItem(code=result.code, field=result.field,
                                                                          message=text)])
            raise Terminal(f"rejected: {result.code}")
        assert done is not None
        extended = Extended(extension_id=ext.extension_id, unit_id=result.unit_id, report_type=result.report_type,
                            due_at=done.due_at, round=done.round)
        outcome = Outgoing(subjects.extended(result.path), extended,
                           f"extended:{result.unit_id}:{result.report_type}:{ext.extension_id}")
        self.log.info("obligation_extended", unit_id=result.unit_id, report_type=result.report_type,
                      round=done.round, due_at=iso(done.due_at))
        await self._announce([outcome], result, inbound.correlation_id)

    async def _move(self, key: str, move_id: str, step: Any) -> tuple[Obligation | Refusal, Move | None]:
        """Apply `step` to the stored obligation until it sticks; (the obligation now, the move) or a refusal."""
        for _ in range(ATTEMPTS):
            ob = await self.obligations.get(key)
            done = ob.move(move_id) if ob is not None else None
            if ob is not None and done is not None:
                return ob, done  # applied before: the same outcome again
            after = step(ob)
            if isinstance(after, Refusal):
                return after, None
            assert ob is not None
            if await self.obligations.save_move(ob, after, next_check(after, self.plan)):
                return after, after.moves[-1]
        raise RuntimeError(f"obligation {key}: moves kept racing")

    async def _announce(self, first: list[Outgoing], ob: Obligation, correlation_id: str) -> None:
        """Publish the outcome and the obligation's state; if a concurrent handler changed it meanwhile,
        publish the stored state too, so the last word on obligations.changed is what is stored."""
        now = self.clock.now()
        messages = [*first, obligation_changed(ob, now)] if ob.known else first
        await self._publish(messages, correlation_id)
        stored = await self.obligations.get(ob.id)
        if stored is not None and stored.known and view(stored, now) != view(ob, now):
            await self._publish([obligation_changed(stored, now)], correlation_id)

    async def _publish(self, messages: list[Outgoing], correlation_id: str) -> None:
        results = await self.publisher.publish_all(messages, correlation_id)
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            raise failures[0]  # the move is stored: the redelivery publishes the same outcome

    async def _reject(self, inbound: Inbound, now: datetime, ext_id: str | None, errors: list[ErrorItem]) -> None:
        payload = OfficeRejected(id=ext_id, subject=inbound.subject, received_at=now, errors=errors)
        await self._publish([Outgoing(subjects.EXTEND_REJECTED, payload, f"extend_rejected:{inbound.msg_id}")],
                            inbound.correlation_id)
        self.log.info("extension_rejected", codes=[e.code for e in errors])


def _schema_errors(exc: Exception) -> list[ErrorItem]:
    if not isinstance(exc, ValidationError):
        return [ErrorItem(code="schema", field=None, message=message("schema", detail="không phải JSON"))]
    return [ErrorItem(code="schema", field=".".join(str(p) for p in err["loc"]) or None,
                      message=message("schema", detail=err["msg"])) for err in exc.errors()]


def _id_in(data: bytes) -> str | None:
    try:
        value = json.loads(data).get("extension_id")
    except (ValueError, AttributeError, RecursionError):
        return None
    return value if isinstance(value, str) and len(value) <= 200 else None
