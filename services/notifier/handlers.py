"""Use cases: decode an event, decide who gets what, write the outbox entries, wake the sender. The consumer
acks once the entries are written; sending happens in the background (`sender.py`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from services.notifier.domain import digest as digests
from services.notifier.domain.compose import (
    Composer,
    DeadlineNotice,
    DigestNotice,
    ErrorLine,
    Origin,
    RejectionNotice,
    ReturnNotice,
)
from services.notifier.domain.mail import Mail, Person
from services.notifier.domain.units import UnitView
from services.notifier.ports import Digests, Handoff, NoHandoff, Outbox, Units
from shared.clock import Clock
from shared.contract import Decided, DraftUpdated, Escalated, Overdue, Rejected, Reminder, UnitChanged
from shared.contract.deadlines import escalated_key, overdue_key, reminder_key
from shared.contract.office import DecisionKind
from shared.locks import KeyedLocks
from shared.messaging import MSG_ID_HEADER, Event, Inbound, Terminal, dead_letter

M = TypeVar("M", bound=BaseModel)

RESUBMIT_DEFAULT = timedelta(days=7)  # CONTRACT § 10: `resubmit_by` defaults to 7 days after the decision
# how long a handler waits for the sender to take its mails leased before writing them due (a relay that hangs)
HANDOFF_WAIT = 5.0

DEADLINE_MODELS: dict[str, type[Reminder | Overdue | Escalated]] = {
    "reminder": Reminder, "overdue": Overdue, "escalated": Escalated,
}


class UnknownUnit(Exception):
    """A deadline event for a unit whose `units.changed` has not arrived yet: retried by the consumer policy."""


class EventPublisher(Protocol):
    async def publish(self, event: Event) -> None: ...


class Handlers:
    def __init__(self, units: Units, outbox: Outbox, digest_store: Digests, composer: Composer, clock: Clock,
                 publisher: EventPublisher, log: Any, *, service: str = "notifier", digest_window: timedelta,
                 handoff: Handoff | None = None, wall: Callable[[], float] = time.time) -> None:
        self.units, self.outbox, self.digests, self.composer = units, outbox, digest_store, composer
        self.clock, self.publisher, self.log, self.service = clock, publisher, log, service
        self.window, self.handoff, self.wall = digest_window, handoff or NoHandoff(), wall
        self._locks = KeyedLocks()

    async def unit_changed(self, inbound: Inbound) -> None:
        unit = await self._decode(inbound, UnitChanged)
        await self.units.put(UnitView(
            unit_id=unit.unit_id, name=unit.name, level=unit.level.value, path=unit.path,
            contacts=tuple(Person(c.name, c.email) for c in unit.contacts),
            supervisors=tuple(Person(s.name, s.email) for s in unit.supervisors),
            active=unit.active,
        ))

    async def deadline(self, inbound: Inbound) -> None:
        kind = inbound.subject.split(".")[2]  # review.deadlines.<kind>.<path>
        event = await self._decode(inbound, DEADLINE_MODELS[kind])
        unit = await self.units.get(event.unit_id)
        if unit is None:
            raise UnknownUnit(f"unit {event.unit_id} not known yet")
        notice = DeadlineNotice(
            kind=kind, key=inbound.headers.get(MSG_ID_HEADER) or _deadline_key(kind, event),
            unit_id=event.unit_id, report_type=event.report_type.value, due_at=event.due_at,
            before=getattr(event, "before", None), level=getattr(event, "level", None),
            after=getattr(event, "after", None), round=event.round,
        )
        await self._queue(notice.key, self.composer.deadline(notice, unit, self.clock.now(), _origin(inbound)))

    async def rejected(self, inbound: Inbound) -> None:
        event = await self._decode(inbound, Rejected)
        who = event.submitted_by
        submitter = Person(who.name, who.email) if who and who.email else None
        key = f"rejected:{event.submission_id or inbound.msg_id}"
        if submitter is None:
            self.log.info("mail_not_needed", event_key=key, why="no submitter email")
            return
        unit = await self.units.get(event.unit_id) if event.unit_id else None
        notice = RejectionNotice(
            key=key, submission_id=event.submission_id, unit_id=event.unit_id, subject=event.subject,
            received_at=event.received_at, submitter=submitter,
            errors=tuple(ErrorLine(e.code, e.field, e.message) for e in event.errors),
            report_type=event.report_type,
        )
        mails = self.composer.rejection(notice, unit.name if unit else None, self.clock.now(), _origin(inbound))
        await self._queue(key, mails)

    async def decided(self, inbound: Inbound) -> None:
        """A version returned by the level above: one mail to the unit's contacts with the comment and the new
        deadline (CONTRACT § 10). Accept and reopen mail nobody."""
        event = await self._decode(inbound, Decided)
        key = f"returned:{event.decision_id}"
        if event.decision is not DecisionKind.return_:
            return
        unit = await self.units.get(event.unit_id)
        if unit is None:
            raise UnknownUnit(f"unit {event.unit_id} not known yet")
        notice = ReturnNotice(
            key=key, decision_id=event.decision_id, submission_id=event.submission_id, unit_id=event.unit_id,
            report_type=event.report_type.value, comment=event.comment or "", decided_at=event.decided_at,
            resubmit_by=event.resubmit_by or event.decided_at + RESUBMIT_DEFAULT,
        )
        await self._queue(key, self.composer.returned(notice, unit, self.clock.now(), _origin(inbound)))

    async def draft_updated(self, inbound: Inbound) -> None:
        event = await self._decode(inbound, DraftUpdated)
        async with self._locks.hold(event.scope):
            state = await self.digests.get(event.scope)
            step = digests.on_update(state, event.scope, event.version, event.updated_at, self.clock.now(),
                                     self.window)
            await self._digest_step(step, _origin(inbound), changed=step.state != state)

    async def flush_digests(self) -> int:
        """Mail the versions that waited for their window to close (by the service clock)."""
        flushed = 0
        now = self.clock.now()
        for due in await self.digests.due(int(now.timestamp() * 1000)):
            async with self._locks.hold(due.scope):
                state = await self.digests.get(due.scope)
                if state is None:
                    continue
                step = digests.on_tick(state, now, self.window)
                if step.mail_version is not None:
                    await self._digest_step(step, Origin(f"digest:{due.scope}"), changed=True)
                    flushed += 1
        return flushed

    async def _digest_step(self, step: digests.DigestStep, origin: Origin, changed: bool) -> None:
        state = step.state
        if step.mail_version is not None:  # the outbox first: a crash before the state is saved rewrites the same key
            key = digests.digest_key(state.scope, step.mail_version)
            scope_unit = await self.units.get(state.scope)
            notice = DigestNotice(key, state.scope, step.mail_version, state.mailed_updated_at or self.clock.now())
            mails = self.composer.digest(notice, scope_unit.name if scope_unit else None, self.clock.now(), origin)
            await self._queue(key, mails)
        if changed:
            due = state.window_end(self.window) if state.waiting_version is not None else None
            await self.digests.put(state, int(due.timestamp() * 1000) if due else None)

    async def _queue(self, key: str, mails: Sequence[Mail]) -> None:
        if not mails:
            self.log.info("mail_not_needed", event_key=key, why="no recipients")
            return
        lease = self.handoff.lease_until()
        if lease is None:
            await self.handoff.room(HANDOFF_WAIT)
            lease = self.handoff.lease_until()
        now_ms = int(self.wall() * 1000)
        if lease is None:
            added = await self.outbox.add(mails, now_ms)
            self.handoff.wake()
        else:  # written leased to this process's sender, and handed to it: only the new ones (a redelivery)
            new = await self.outbox.add_leased(mails, now_ms, lease)
            self.handoff.take([m for m in mails if m.id in new])
            added = len(new)
        self.log.debug("mail_queued", event_key=key, recipients=len(mails), new=added)

    async def _decode(self, inbound: Inbound, model: type[M]) -> M:
        try:
            return model.model_validate_json(inbound.data)
        except ValidationError as exc:
            # Can never succeed: set aside on the dead-letter subject with the reason, and ack.
            reason = f"invalid payload: {exc.errors()[0].get('loc')} {exc.errors()[0].get('msg')}"[:500]
            await self.publisher.publish(dead_letter(self.service, inbound, reason))
            raise Terminal("invalid_payload") from None


def _origin(inbound: Inbound) -> Origin:
    return Origin(inbound.subject, inbound.correlation_id)


def _deadline_key(kind: str, event: Reminder | Overdue | Escalated) -> str:
    unit, report, round_ = event.unit_id, event.report_type.value, event.round
    if isinstance(event, Reminder):
        return reminder_key(unit, report, event.before, round_)
    if isinstance(event, Escalated):
        return escalated_key(unit, report, event.level, round_)
    return overdue_key(unit, report, round_)
