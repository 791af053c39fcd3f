"""The sweep: publish every reminder, overdue notice and escalation now owed, each exactly once per key.

Protocol per key: publish with `Nats-Msg-Id` = key, then record it on the obligation (`sent`) with the next check,
in one write per obligation: that record is what says "published", and a sweep plans only the keys its read of
the obligation does not record. A key published and not yet recorded (a concurrent sweeper in flight, or one
that crashed between its publish and its record) is published again under the same msg id: JetStream keeps one
copy inside its duplicate window, and only a publish the stream stored counts in this sweep's reply. An
obligation whose publish failed keeps its next check, so the next sweep retries it.

(Until issue 8 each key was first claimed, a document inserted per key in `deadline_marks`: the claim changed
none of the above, since a key claimed by someone else and not recorded was published again all the same, and it
cost a 10 000-notice storm 10 000 inserts. Marks left by older versions are not read.)
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from datetime import datetime
from typing import Any

from services.deadline.domain.obligations import Obligation
from services.deadline.domain.schedule import Kind, epoch_ms
from services.deadline.domain.sweep import Action, plan_sweep, tally
from services.deadline.ports import EventPublisher, ObligationStore
from shared.clock import ManualClock, SystemClock, iso
from shared.plan import Plan
from shared.timing import Stopwatch

SWEEP_CHUNK = 1000  # obligations a chunk publishes and records together
CHUNKS_AT_ONCE = 3  # one chunk's writes overlap another's publishing, and the first notices go out early


class Sweeper:
    def __init__(self, plan: Plan, clock: SystemClock | ManualClock, obligations: ObligationStore,
                 publisher: EventPublisher, log: Any, chunk: int = SWEEP_CHUNK) -> None:
        self.plan, self.clock, self.obligations = plan, clock, obligations
        self.publisher, self.log, self.chunk = publisher, log, chunk
        self._lock = asyncio.Lock()  # one sweep at a time in a process; other processes: the msg ids and records

    async def sweep(self, trigger: str = "admin") -> dict[str, int]:
        """The due obligations are published and recorded a chunk at a time as the read brings them, a few chunks
        in flight: a 10 000-notice storm's first notices leave while the rest are read (the read alone took
        two thirds of a storm's sweep). Each chunk keeps the protocol above; `phases_ms` sums the chunks'
        phases (`find`: until the last chunk was read)."""
        async with self._lock:
            watch = Stopwatch()
            now = self.clock.now()
            gate = asyncio.Semaphore(CHUNKS_AT_ONCE)
            chunks: list[asyncio.Future[tuple[list[Kind], int, set[str]]]] = []
            found = 0
            try:
                async for due in self.obligations.due_chunks(epoch_ms(now), self.chunk):
                    found += len(due)
                    chunks.append(asyncio.ensure_future(self._chunk(due, now, gate, watch)))
                watch.add("find", watch.started)
            finally:  # a read that failed midway: the chunks already started finish and record theirs
                results = await asyncio.gather(*chunks, return_exceptions=True)
            errors = [r for r in results if isinstance(r, BaseException)]
            if errors:  # the other chunks finished and recorded theirs; the failed ones' next check is unchanged
                raise errors[0]
            outcomes = [r for r in results if not isinstance(r, BaseException)]
            counts = tally(kind for counted, _, _ in outcomes for kind in counted)
            self.log.info("sweep_done", trigger=trigger, now=iso(now), found=found,
                          owed=sum(owed for _, owed, _ in outcomes), failed=sum(len(f) for _, _, f in outcomes),
                          duration_ms=watch.total_ms(), phases_ms=watch.laps, **counts)
            return counts

    async def _chunk(self, obligations: list[Obligation], now: datetime, gate: asyncio.Semaphore,
                     watch: Stopwatch) -> tuple[list[Kind], int, set[str]]:
        """Publish, record: returns the kinds this sweep stored first, how many were owed, the obligations whose
        publish failed."""
        async with gate:
            started = time.perf_counter()
            work = plan_sweep(obligations, self.plan, now)
            published, counted, failed = await self._publish(work.actions)
            started = watch.add("publish", started)
            sent: dict[str, list[str]] = defaultdict(list)
            for action in work.actions:
                if action.key in published:
                    sent[action.obligation_id].append(action.key)
            announced = {a.obligation_id for a in work.actions if a.kind == "overdue" and a.key in published}
            await self.obligations.advance(
                work.rounds, {ob_id: ts for ob_id, ts in work.next_ts.items() if ob_id not in failed}, sent,
                announced)
            watch.add("record", started)
            return counted, len(work.actions), failed

    async def _publish(self, actions: list[Action]) -> tuple[set[str], list[Kind], set[str]]:
        """Returns the keys published, the kinds this sweep stored first, the obligations that failed."""
        results = await self.publisher.publish_all([m for a in actions for m in a.messages])
        published: set[str] = set()
        counted: list[Kind] = []
        failed: set[str] = set()
        at = 0
        for action in actions:
            outcome = results[at:at + len(action.messages)]
            at += len(action.messages)
            errors = [r for r in outcome if isinstance(r, BaseException)]
            if errors:
                failed.add(action.obligation_id)
                self.log.warning("sweep_publish_failed", key=action.key, error=str(errors[0])[:300])
                continue
            published.add(action.key)
            if outcome[0] is True:
                counted.append(action.kind)
        return published, counted, failed


async def sweep_every(sweeper: Sweeper, seconds: float, log: Any) -> None:
    """The timer: a sweep every `seconds` (MIDTERM_SWEEP_SECONDS) at the service clock's time."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await sweeper.sweep(trigger="timer")
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the next tick retries; a sweep never takes the service down
            log.error("sweep_failed", trigger="timer", error=f"{type(exc).__name__}: {exc}"[:500])
