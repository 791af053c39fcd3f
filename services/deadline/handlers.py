"""Use cases for the registry and submissions: keep each obligation current and announce every change.

Order inside a handler: publish the change, write it, read it back, and publish again if a concurrent
handler changed the same obligation meanwhile. Publishing before writing means a redelivered message
still sees the change (and republishes it under the same deterministic msg id); reading back means the
last word on `review.obligations.changed` is the stored state.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from services.deadline.domain.messages import obligation_changed
from services.deadline.domain.obligations import (
    Obligation,
    UnitFacts,
    obligation_id,
    placeholder,
    reconcile,
    status_of,
    view,
    with_accepted,
)
from services.deadline.domain.schedule import epoch_ms, next_check
from services.deadline.ports import Conflict, EventPublisher, ObligationStore, UnitStore
from shared import subjects
from shared.clock import ManualClock, SystemClock
from shared.contract import Accepted, UnitChanged
from shared.contract.deadlines import ObligationStatus
from shared.locks import KeyedLocks
from shared.messaging import Inbound, Terminal
from shared.plan import Plan

ACCEPT_ATTEMPTS = 5  # reads of one accepted event's obligation, each undone by a concurrent unit or deadline change


class Registry:
    def __init__(self, plan: Plan, clock: SystemClock | ManualClock, obligations: ObligationStore,
                 units: UnitStore, publisher: EventPublisher, log: Any) -> None:
        self.plan, self.clock, self.obligations, self.units = plan, clock, obligations, units
        self.publisher, self.log = publisher, log
        # One at a time per key: the accepted events of one obligation (versions in any order), the changes of
        # one unit; handlers of other keys overlap (a whole fetch is handled at once).
        self.locks = KeyedLocks()

    async def unit_changed(self, inbound: Inbound) -> None:
        try:
            event = UnitChanged.model_validate_json(inbound.data)
        except ValidationError as exc:
            self.log.warning("unit_event_invalid", error=str(exc.errors()[0]["msg"]))
            raise Terminal("invalid unit event") from None
        async with self.locks.hold(f"unit:{event.unit_id}"):  # two changes of one unit, in the order read
            await self._unit_changed(event, inbound)

    async def _unit_changed(self, event: UnitChanged, inbound: Inbound) -> None:
        if await self.units.is_stale(event.unit_id, epoch_ms(event.changed_at) if event.changed_at else None):
            raise Terminal("stale unit event")
        unit = UnitFacts(unit_id=event.unit_id, name=event.name, level=event.level.value, path=event.path,
                         parent_id=event.parent_id, founded_on=event.founded_on, roles=tuple(event.roles),
                         active=event.active)
        await self.units.save(unit, event.changed_at)
        now = self.clock.now()
        existing = await self.obligations.of_unit(unit.unit_id)
        updated = reconcile(self.plan, unit, existing)
        changed = [ob for ob in updated if _differs(existing.get(ob.id), ob, now)]
        await self._announce(changed, now, inbound.correlation_id)
        announced = {ob.id for ob in changed}
        await self.obligations.save_unit_side(
            (_announced_if_overdue(ob, now) if ob.id in announced else ob, next_check(ob, self.plan))
            for ob in updated
        )
        await self._confirm(changed, now, inbound.correlation_id)

    async def accepted(self, inbound: Inbound) -> None:
        try:
            event = Accepted.model_validate_json(inbound.data)
        except ValidationError as exc:
            self.log.warning("accepted_event_invalid", error=str(exc.errors()[0]["msg"]))
            raise Terminal("invalid accepted event") from None
        key = obligation_id(event.unit_id, event.report_type.value)
        async with self.locks.hold(key):
            await self._accept(event, key, inbound)

    async def _accept(self, event: Accepted, key: str, inbound: Inbound) -> None:
        """Read, announce, write the submission side guarded by the revision read: a unit or deadline change
        in between (another handler, another replica) makes the write a `Conflict`, and this reads again and
        announces what it finds. A placeholder (no stored obligation yet) is read back instead."""
        for _ in range(ACCEPT_ATTEMPTS):
            now = self.clock.now()
            old = await self.obligations.get(key)
            base = old or placeholder(event.unit_id, event.report_type.value, event.due_at,
                                      subjects.path_after(inbound.subject, "review.submissions.accepted"))
            new = with_accepted(base, event.version, event.submission_id, event.on_time, event.received_at,
                                event.evidence)
            changed = [new] if new.known and _differs(old, new, now) else []
            await self._announce(changed, now, inbound.correlation_id)
            newest = old is None or old.version is None or event.version > old.version
            try:
                await self.obligations.save_submission_side(new, answered=newest and new.answered, read=old)
            except Conflict:
                continue
            if old is None:
                await self._confirm(changed, now, inbound.correlation_id)
            return
        raise RuntimeError(f"obligation {key} changed under each of {ACCEPT_ATTEMPTS} attempts")  # redelivered

    async def _announce(self, obs: list[Obligation], now: datetime, correlation_id: str) -> None:
        results = await self.publisher.publish_all([obligation_changed(ob, now) for ob in obs], correlation_id)
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            raise failures[0]  # nothing written yet: the redelivery publishes again, same msg ids
        for ob in obs:
            self.log.debug("obligation_changed", unit_id=ob.unit_id, report_type=ob.report_type,
                          status=status_of(ob, now).value)

    async def _confirm(self, published: Iterable[Obligation], now: datetime, correlation_id: str) -> None:
        """Read back what was announced; if a concurrent handler changed it meanwhile, announce the result."""
        stale = []
        for ob in published:
            stored = await self.obligations.get(ob.id)
            if stored is not None and stored.known and view(stored, now) != view(ob, now):
                stale.append(stored)
        if stale:
            await self._announce(stale, now, correlation_id)


def _differs(old: Obligation | None, new: Obligation, now: datetime) -> bool:
    if not new.known:
        return False
    return old is None or not old.known or view(old, now) != view(new, now)


def _announced_if_overdue(ob: Obligation, now: datetime) -> Obligation:
    """An obligation announced as overdue needs no second overdue announcement from the sweep."""
    if status_of(ob, now) is ObligationStatus.overdue:
        return replace(ob, overdue_announced=True)
    return ob
