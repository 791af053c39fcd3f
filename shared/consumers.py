"""Durable pull consumers that ack only after the work is done: the one consumer policy of every service.

Every handler registered through `Consumers.consume` gets the same reliability policy (DESIGN.md):
- success: ack, one log line with `duration_ms`;
- `Terminal` raised: the handler has answered the message itself (e.g. a rejection event): ack;
- any other exception: NAK with the doubling back-off of MIDTERM_RETRY_SECONDS, so a database or relay
  outage delays the message instead of burning its deliveries; on the last delivery (`MIDTERM_MAX_DELIVER`)
  the message goes to `review.dlq.<service>` with the reason, and is terminated.

The consumers are read with nats-py directly, a whole fetched batch at a time, or one message at a time in
stream order (`ordered`: a registry's parents before their children). Not FastStream subscribers: its
per-message machinery (task group, context, dependency injection) cost about half of a service's event loop
at national-scale bursts, its handlers reached the write batchers in dribbles, and it handles a fetch's
messages concurrently even with one worker, so it cannot keep stream order. Here every message of a fetch is
handled at once (the batchers get the whole fetch), and a few fetches overlap.

Lifecycle (shared/service.py does it): `start()` binds every durable before the service answers health (a
consumer created later with start-at-new would miss what a client publishes as soon as health answers) and
starts the fetch loops; `stop()` stops fetching, lets the batches in flight finish (bounded by ack_wait) and
unsubscribes, before the broker drains the connection.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from faststream.nats import NatsBroker
from nats.errors import ConnectionClosedError
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import DeliverPolicy
from pydantic import BaseModel

from shared.messaging import (
    CORRELATION_HEADER,
    MSG_ID_HEADER,
    Handler,
    Inbound,
    Publisher,
    Terminal,
    dead_letter,
)
from shared.settings import Settings
from shared.streams import STREAM_NAME, consumer_config

# A whole fetch in stream order -> an outcome per message: None (done), `Terminal` (answered) or the failure.
BatchHandler = Callable[[list[Inbound]], Awaitable[Sequence[BaseException | None]]]


@dataclass(frozen=True)
class Consumed:
    """What a service consumes, for its AsyncAPI document."""

    subject: str
    durable: str
    description: str
    schema: type[BaseModel] | None = None


class Consumers:
    """Registers durable pull consumers with the policy above, and starts and stops them together."""

    def __init__(self, broker: NatsBroker, publisher: Publisher, settings: Settings, service: str) -> None:
        self.broker = broker
        self.publisher = publisher
        self.settings = settings
        self.service = service
        self.log = structlog.get_logger().bind(service=service)
        self.pulls: list[PullConsumer] = []
        self.consumed: list[Consumed] = []
        self._runs: list[asyncio.Task[None]] = []

    def consume(
        self,
        subject: str,
        durable: str,
        handler: Handler,
        *,
        fetch: int = 16,
        in_flight: int = 1,
        ordered: bool = False,
        description: str | None = None,
        schema: type[BaseModel] | None = None,
    ) -> PullConsumer:
        """`fetch` messages are handled concurrently, `in_flight` fetches overlap; `ordered`: one message at a
        time in stream order, one fetch at a time."""
        pull = PullConsumer(self, subject, durable, handler, fetch=fetch, in_flight=in_flight, sequential=ordered)
        self.pulls.append(pull)
        self.consumed.append(Consumed(subject, pull.durable, description or subject, schema))
        return pull

    def consume_batches(self, subject: str, durable: str, handler: BatchHandler, *, fetch: int = 64,
                        description: str | None = None, schema: type[BaseModel] | None = None) -> PullConsumer:
        """In stream order, a whole fetch at a time: the handler gets the fetch's messages and returns an outcome
        for each (None: done; `Terminal`: answered; any other exception: retried under the same policy). One
        fetch at a time, so the next fetch sees everything the previous one did."""
        pull = PullConsumer(self, subject, durable, handler, fetch=fetch, sequential=True, whole=True)
        self.pulls.append(pull)
        self.consumed.append(Consumed(subject, pull.durable, description or subject, schema))
        return pull

    def durable(self, name: str) -> str:
        """The durable name with MIDTERM_CONSUMER_SUFFIX, if one is set (`intake-submissions-<suffix>`)."""
        suffix = self.settings.consumer_suffix.strip("-")
        return f"{name}-{suffix}" if suffix else name

    async def start(self) -> None:
        """Bind every durable, then start the fetch loops (the broker is connected)."""
        for pull in self.pulls:
            await pull.bind()
        self._runs = [asyncio.ensure_future(pull.run()) for pull in self.pulls]

    async def stop(self) -> None:
        """Stop fetching; the batches in flight finish and the subscriptions close (before the drain)."""
        for run in self._runs:
            run.cancel()
        await asyncio.gather(*self._runs, return_exceptions=True)
        self._runs = []


class PullConsumer:
    def __init__(self, consumers: Consumers, subject: str, durable: str, handler: Handler | BatchHandler, *,
                 fetch: int = 16, in_flight: int = 1, fetch_timeout: float = 1.0, sequential: bool = False,
                 whole: bool = False) -> None:
        """`whole`: `handler` is a `BatchHandler`, given each fetch at once."""
        self.consumers, self.subject, self.handler = consumers, subject, handler
        self.whole = whole
        self.durable = consumers.durable(durable)
        self.sequential = sequential
        self.fetch, self.in_flight, self.fetch_timeout = fetch, 1 if sequential else in_flight, fetch_timeout
        self.log = consumers.log.bind()  # resolved once: a lazy proxy would rebuild the logger on every call
        self._batches: set[asyncio.Task[None]] = set()
        self._sub: Any = None

    async def subscribe(self) -> Any:
        settings = self.consumers.settings
        config = consumer_config(self.durable, self.subject, max_deliver=settings.max_deliver,
                                 ack_wait_seconds=settings.ack_wait_seconds,
                                 max_ack_pending=max(1000, self.fetch * self.in_flight * 4))
        if settings.consumer_suffix:
            config.deliver_policy = DeliverPolicy.NEW
        js = self.consumers.broker.connection.jetstream()
        return await js.pull_subscribe(self.subject, durable=self.durable, stream=STREAM_NAME, config=config)

    async def bind(self) -> None:
        """Create (or bind) the durable now, before the service reports healthy."""
        try:
            self._sub = await self.subscribe()
        except Exception as exc:  # the broker is reconnecting: `run` keeps trying
            self.log.warning("subscribe_failed", subject=self.subject, error=str(exc)[:200])

    async def run(self) -> None:
        """Fetch and hand over until cancelled; then let the batches in flight finish."""
        sub = self._sub
        while sub is None:  # the broker may be reconnecting at start-up: keep trying, never give up silently
            try:
                sub = await self.subscribe()
            except Exception as exc:
                self.log.warning("subscribe_failed", subject=self.subject, error=str(exc)[:200])
                await asyncio.sleep(1.0)
        gate = asyncio.Semaphore(self.in_flight)
        try:
            while True:
                await gate.acquire()
                try:
                    msgs = await sub.fetch(self.fetch, timeout=self.fetch_timeout)
                except (TimeoutError, NatsTimeout, ConnectionClosedError) as exc:
                    gate.release()
                    # nats-py may turn a cancellation into one of these: stop when asked, or when closed for good
                    if _cancelled() or self.consumers.broker.connection.is_closed:
                        raise asyncio.CancelledError from exc
                    continue
                except Exception as exc:  # a reconnect in progress: try again shortly
                    gate.release()
                    if _cancelled():  # a cancellation nats-py turned into another error: stop, as asked
                        raise asyncio.CancelledError from exc
                    self.log.warning("fetch_failed", subject=self.subject, error=repr(exc)[:200])
                    await asyncio.sleep(0.5)
                    continue
                task = asyncio.ensure_future(self._batch(msgs))
                self._batches.add(task)
                task.add_done_callback(self._finished(gate))
        except asyncio.CancelledError:
            await self.drain()
            # Unsubscribe before the broker drains the connection: nats-py's fetch takes messages off the
            # subscription's queue without `task_done`, so draining it would wait forever (drain_timeout).
            try:
                await sub.unsubscribe()
            except Exception as exc:  # already closed: nothing left to drain
                self.log.debug("unsubscribe_failed", subject=self.subject, error=repr(exc)[:200])
            raise

    def _finished(self, gate: asyncio.Semaphore) -> Any:
        def done(task: asyncio.Task[None]) -> None:
            self._batches.discard(task)
            gate.release()
        return done

    async def drain(self) -> None:
        if self._batches:
            await asyncio.wait(set(self._batches), timeout=self.consumers.settings.ack_wait_seconds)

    async def _batch(self, msgs: list[Any]) -> None:
        if self.whole:
            await self._whole(msgs)
            return
        if self.sequential:
            for msg in msgs:
                await self._one(msg)
            return
        await asyncio.gather(*(self._one(m) for m in msgs))

    async def _one(self, msg: Any) -> None:
        inbound = _inbound(msg)
        started = time.perf_counter()
        outcome: BaseException | None = None
        try:
            await self.handler(inbound)  # type: ignore[arg-type]
        except Exception as exc:  # every failure is bounded: back-off, then the dead-letter subject
            outcome = exc
        await self._settle_one(msg, inbound, outcome, started)

    async def _whole(self, msgs: list[Any]) -> None:
        inbounds = [_inbound(m) for m in msgs]
        started = time.perf_counter()
        try:
            outcomes = list(await self.handler(inbounds))  # type: ignore[arg-type]
            if len(outcomes) != len(inbounds):
                raise RuntimeError(f"{len(outcomes)} outcomes for {len(inbounds)} messages")
        except Exception as exc:  # the whole fetch failed: each message retried under the policy
            outcomes = [exc] * len(inbounds)
        for msg, inbound, outcome in zip(msgs, inbounds, outcomes, strict=True):
            await self._settle_one(msg, inbound, outcome, started)

    async def _settle_one(self, msg: Any, inbound: Inbound, outcome: BaseException | None, started: float) -> None:
        # The message's fields go on its log lines themselves: binding context variables per message cost ~5%.
        log = _MessageLog(self.log, inbound)
        if outcome is None:
            await _settle(msg.ack())
            log.info("message_handled", duration_ms=_ms(started))
        elif isinstance(outcome, Terminal):
            await _settle(msg.ack())
            log.info("message_answered", outcome=str(outcome) or "rejected", duration_ms=_ms(started))
        else:
            await self._failed(msg, inbound, outcome, started, log)

    async def _failed(self, msg: Any, inbound: Inbound, exc: BaseException, started: float, log: Any) -> None:
        settings = self.consumers.settings
        reason = f"{type(exc).__name__}: {exc}"[:500]
        if inbound.delivered >= settings.max_deliver:
            try:
                await self.consumers.publisher.publish(dead_letter(self.consumers.service, inbound, reason))
            except Exception as dlq_exc:  # the broker itself is down: let ack_wait redeliver later
                log.error("dead_letter_failed", reason=reason, error=str(dlq_exc), duration_ms=_ms(started))
                return
            await _settle(msg.term())
            log.error("message_dead_lettered", reason=reason, delivered=inbound.delivered, duration_ms=_ms(started))
            return
        delay = settings.retry_delay(inbound.delivered)
        await _settle(msg.nak(delay=delay))
        log.warning("message_retry", reason=reason, delivered=inbound.delivered, retry_in_s=delay,
                    duration_ms=_ms(started))


class _MessageLog:
    """A message's log lines, each with its subject, msg_id and correlation_id (CONTRACT section 9)."""

    def __init__(self, log: Any, inbound: Inbound) -> None:
        self._log, self._inbound = log, inbound

    def __getattr__(self, level: str) -> Any:
        method = getattr(self._log, level)
        inbound = self._inbound

        def write(event: str, **fields: Any) -> Any:
            return method(event, subject=inbound.subject, msg_id=inbound.msg_id,
                          correlation_id=inbound.correlation_id, **fields)

        return write


def _cancelled() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def _inbound(msg: Any) -> Inbound:
    headers = dict(msg.headers or {})
    meta = msg.metadata
    msg_id = headers.get(MSG_ID_HEADER) or f"seq:{meta.sequence.stream}"
    return Inbound(subject=msg.subject, data=msg.data, headers=headers, msg_id=msg_id,
                   correlation_id=headers.get(CORRELATION_HEADER) or msg_id, delivered=meta.num_delivered or 1)


async def _settle(ack: Any) -> None:
    try:
        await ack
    except Exception:  # connection lost: ack_wait redelivers, and every handler is idempotent
        pass


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
