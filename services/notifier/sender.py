"""The background sender: drains due outbox entries with bounded concurrency, independent of the consumers' acks.

Per entry: mark it `sending` (a lease), send, then publish the outcome and record it. The only window left open
is a crash between the relay's 250 and that record: on restart the entry is still `sending` and is sent once
more, with the same Message-ID. If the broker is down when an outcome is known, the entry is recorded with a
due time and the outcome is announced again later (same `Nats-Msg-Id`), so no `sent|failed` event is lost.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from services.notifier.domain.mail import Mail
from services.notifier.domain.retry import Action, Outcome, decide
from services.notifier.ports import FAILED, PENDING, SENDING, SENT, Announcer, Entry, Outbox, Relay
from shared.clock import Clock, iso

TAKEN_MAX = 4  # batches of mails written leased to the sender waiting for it, at most (the rest are written due)


class Sender:
    def __init__(
        self,
        outbox: Outbox,
        relay: Relay,
        announcer: Announcer,
        clock: Clock,
        log: Any,
        *,
        retry_delay: Callable[[int], float],
        concurrency: int = 8,
        max_attempts: int = 8,
        poll_seconds: float = 0.5,
        lease_seconds: float = 300.0,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.outbox, self.relay, self.announcer, self.clock, self.log = outbox, relay, announcer, clock, log
        self.retry_delay = retry_delay
        self.max_attempts = max_attempts
        self.poll_seconds = poll_seconds
        self.lease_ms = int(lease_seconds * 1000)
        # Retry timing is mechanical time (like ack_wait), not campaign time: the manual clock stands still.
        self.wall = wall
        self.batch = concurrency * 8
        self._gate = asyncio.Semaphore(concurrency)  # mails being sent
        # mails sent whose outcome is being announced and recorded: a slow database holds these, not the sending
        self._settling = asyncio.Semaphore(self.batch)
        self._wake = asyncio.Event()
        self._taken: deque[Entry] = deque()
        self._room = asyncio.Event()  # set while the sender takes more mails leased (`lease_until`)
        self._room.set()
        self._inflight: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        """Look at the outbox now."""
        self._wake.set()

    def lease_until(self) -> int | None:
        """The lease for mails about to be written already leased to this sender (`take`), or None when it has
        enough of those waiting: then the caller waits for `room`, or writes them due for a poll to find."""
        if self._full():
            self._room.clear()
            return None
        return self._now_ms() + self.lease_ms

    def _full(self) -> bool:
        return len(self._taken) >= TAKEN_MAX * self.batch

    async def room(self, timeout: float) -> None:
        """Wait, `timeout` s at most, until the sender takes mails leased again: a consumer of a storm keeps the
        sending's pace (its events wait in the stream, unacknowledged) instead of writing mails due that a poll
        reads back and claims. Past the timeout (a relay that hangs) the caller writes them due."""
        if self._room.is_set():
            return
        try:
            await asyncio.wait_for(self._room.wait(), timeout)
        except TimeoutError:
            pass

    def take(self, mails: Sequence[Mail]) -> None:
        """Mails just written leased to this sender (`lease_until`): sent without being read back or claimed
        (a storm read 10 000 mails of ~5 KB back and wrote each once more to claim it). A crash before they are
        sent leaves them `sending`: due again when the lease ends, or at once on restart (`resume`)."""
        self._taken.extend(Entry(mail) for mail in mails)
        self._wake.set()

    def _now_ms(self) -> int:
        return int(self.wall() * 1000)

    async def run(self) -> None:
        resumed = False
        try:
            while True:
                try:
                    if not resumed:  # entries left `sending` by a crash: due now (the one-resend window)
                        await self.outbox.resume(self._now_ms())
                        resumed = True
                    found = await self.drain_once()
                except Exception as exc:  # the database is down: wait, then look again
                    self.log.warning("outbox_unavailable", error=f"{type(exc).__name__}: {exc}"[:300])
                    found = 0
                    await asyncio.sleep(self.retry_delay(1))
                if not found:
                    await self._idle()
        except asyncio.CancelledError:
            await self.settle(timeout=10)
            raise

    async def settle(self, timeout: float = 30) -> None:
        """Let the mails in flight finish (shutdown, tests)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    async def _idle(self) -> None:
        try:
            await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
        except TimeoutError:
            pass
        self._wake.clear()

    async def drain_once(self) -> int:
        """Start sending the mails written leased to this sender (`take`), or else claim what is due and start
        sending it; returns how many entries were taken."""
        if self._taken:
            return await self._send_taken()
        now = self._now_ms()
        entries = [e for e in await self.outbox.due(now, self.batch) if e.id not in self._inflight]
        if not entries:
            return 0
        to_send = [e for e in entries if e.state in (PENDING, SENDING)]
        to_announce = [e for e in entries if e.state in (SENT, FAILED)]
        self._inflight.update(e.id for e in entries)
        try:
            if to_send:  # only what this claim leased: another sender may have taken some meanwhile
                leased = await self.outbox.claim([e.id for e in to_send], now, now + self.lease_ms)
                self._inflight.difference_update(e.id for e in to_send if e.id not in leased)
                to_send = [e for e in to_send if e.id in leased]
            if to_announce:
                await self.outbox.hold([e.id for e in to_announce], now + self.lease_ms)
        except BaseException:
            self._inflight.difference_update(e.id for e in entries)
            raise
        for entry in to_send:
            await self._gate.acquire()
            self._spawn(self._deliver(entry.tried()))
        for entry in to_announce:
            await self._gate.acquire()
            self._spawn(self._reannounce(entry))
        return len(entries)

    async def _send_taken(self) -> int:
        """Start sending mails written leased to this sender (`take`)."""
        taken = [self._taken.popleft() for _ in range(min(self.batch, len(self._taken)))]
        if not self._full():
            self._room.set()
        self._inflight.update(e.id for e in taken)  # new in the outbox and leased to this sender: in no poll
        for entry in taken:
            await self._gate.acquire()
            self._spawn(self._deliver(entry.tried()))
        return len(taken)

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, entry: Entry) -> None:
        """Send, then free the sending slot before announcing and recording the outcome: with the database
        busy, the record took longer than the mail and held every slot (national run: 0.35 of the raw rate).
        The entry stays leased (`sending`, in flight) until its outcome is recorded."""
        sending = True
        try:
            try:
                outcome = await self.relay.send(entry.mail)
            except Exception as exc:  # a relay adapter bug still ends, bounded by the attempts
                outcome = Outcome.unreachable(f"{type(exc).__name__}: {exc}")
            async with self._settling:
                self._gate.release()
                sending = False
                decision = decide(outcome, entry.attempts, self.max_attempts, self.retry_delay)
                if decision.action is Action.done:
                    await self._sent(entry)
                elif decision.action is Action.retry:
                    due = self._now_ms() + int(decision.delay * 1000)
                    await self._persist("reschedule", lambda: self.outbox.reschedule(entry.id, due, decision.reason))
                    self.log.warning("mail_retry", **_fields(entry), reason=decision.reason,
                                     retry_in_s=decision.delay)
                else:
                    await self._failed(entry, decision.reason)
        finally:
            self._inflight.discard(entry.id)
            if sending:
                self._gate.release()

    async def _sent(self, entry: Entry) -> None:
        sent_at = iso(self.clock.now())
        announce = await self._announce(lambda: self.announcer.sent(entry, sent_at))
        await self._persist("mark_sent", lambda: self.outbox.mark_sent(entry.id, sent_at, announce))
        self.log.info("mail_sent", **_fields(entry))

    async def _failed(self, entry: Entry, reason: str) -> None:
        failed_at = iso(self.clock.now())
        announce = await self._announce(lambda: self.announcer.failed(entry, reason, failed_at))
        await self._persist("mark_failed", lambda: self.outbox.mark_failed(entry.id, failed_at, reason, announce))
        self.log.error("mail_failed", **_fields(entry), reason=reason)

    async def _reannounce(self, entry: Entry) -> None:
        try:
            if entry.state == SENT:
                announce = await self._announce(lambda: self.announcer.sent(entry, entry.sent_at or ""))
            else:
                reason = entry.reason or ""
                announce = await self._announce(lambda: self.announcer.failed(entry, reason, entry.failed_at or ""))
            if announce is None:
                await self._persist("announced", lambda: self.outbox.announced([entry.id]))
            else:
                await self._persist("hold", lambda: self.outbox.hold([entry.id], announce))
        finally:
            self._inflight.discard(entry.id)
            self._gate.release()

    async def _announce(self, publish: Callable[[], Awaitable[None]]) -> int | None:
        """None when published; else when to try again."""
        try:
            await publish()
            return None
        except Exception as exc:
            self.log.warning("announce_deferred", error=f"{type(exc).__name__}: {exc}"[:300])
            return self._now_ms() + int(self.retry_delay(1) * 1000)

    async def _persist(self, what: str, write: Callable[[], Awaitable[Any]]) -> None:
        """A database write after the fact, retried a bounded number of times.
        Given up, the entry keeps its lease and is tried again when it expires: the same one-resend window."""
        attempt = 1
        while True:
            try:
                await write()
                return
            except Exception as exc:
                if attempt >= self.max_attempts:
                    self.log.error("outbox_write_failed", write=what, error=f"{type(exc).__name__}: {exc}"[:300])
                    return
                await asyncio.sleep(self.retry_delay(attempt))
                attempt += 1


def _fields(entry: Entry) -> dict[str, Any]:
    mail = entry.mail
    return {
        "event_key": mail.event_key, "recipient": mail.recipient, "message_id": mail.message_id,
        "attempts": entry.attempts, "kind": mail.kind, "unit_id": mail.unit_id,
        "correlation_id": mail.correlation_id,
    }

