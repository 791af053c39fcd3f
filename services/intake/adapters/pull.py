"""Intake's durable pull consumers, read with nats-py directly, a whole fetched batch at a time (submissions)
or one message at a time in stream order (`sequential`: the registry and review decisions).

Why not `Consumers.consume` (shared/messaging.py): FastStream's per-message machinery (task group, context,
dependency injection, a thread hop) cost about half of intake's event loop at national-scale bursts, and
its handlers, one task per message, reached the write batcher in dribbles of 10-50. Here every message of
a fetch is handled at once, so the batcher gets the whole fetch for one write, and a few fetches overlap.

The reliability policy is the shared one, unchanged: the same durable name (MIDTERM_CONSUMER_SUFFIX
applied), consumer configuration and start-at-new rule; ack after the handler returns; `Terminal`: ack;
any other exception: NAK with the MIDTERM_RETRY_SECONDS back-off, and on the last delivery the dead-letter
subject `review.dlq.<service>`, then terminate. One log line per message with `duration_ms`. On shutdown
fetching stops and the batches in flight finish (bounded by ack_wait) before the broker closes.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from nats.errors import ConnectionClosedError
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import DeliverPolicy

from shared.messaging import (
    CORRELATION_HEADER,
    MSG_ID_HEADER,
    Consumers,
    Handler,
    Inbound,
    Terminal,
    dead_letter,
)
from shared.streams import STREAM_NAME, consumer_config


class BatchPullConsumer:
    def __init__(self, consumers: Consumers, subject: str, durable: str, handler: Handler, *,
                 fetch: int = 256, in_flight: int = 3, fetch_timeout: float = 1.0, sequential: bool = False) -> None:
        """`sequential`: one message at a time in stream order, one fetch at a time (a registry's parents
        before their children; decisions on one submission in the order they were taken)."""
        self.consumers, self.subject, self.handler = consumers, subject, handler
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
        """Create (or bind) the durable now, before the service reports healthy: a consumer created later with
        start-at-new would miss what a client publishes as soon as the service answers."""
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
                task.add_done_callback(lambda t: (self._batches.discard(t), gate.release()))
        except asyncio.CancelledError:
            await self.drain()
            # Unsubscribe before the broker drains the connection: nats-py's fetch takes messages off the
            # subscription's queue without `task_done`, so draining it would wait forever (drain_timeout).
            try:
                await sub.unsubscribe()
            except Exception as exc:  # already closed: nothing left to drain
                self.log.debug("unsubscribe_failed", subject=self.subject, error=repr(exc)[:200])
            raise

    async def drain(self) -> None:
        if self._batches:
            await asyncio.wait(set(self._batches), timeout=self.consumers.settings.ack_wait_seconds)

    async def _batch(self, msgs: list[Any]) -> None:
        if self.sequential:
            for msg in msgs:
                await self._one(msg)
            return
        await asyncio.gather(*(self._one(m) for m in msgs))

    async def _one(self, msg: Any) -> None:
        inbound = _inbound(msg)
        started = time.perf_counter()
        # The message's fields go on its log lines themselves: binding context variables per message cost ~5%.
        log = _MessageLog(self.log, inbound)
        try:
            await self.handler(inbound)
        except Terminal as done:
            await _settle(msg.ack())
            log.info("message_answered", outcome=str(done) or "rejected", duration_ms=_ms(started))
        except Exception as exc:  # every failure is bounded: back-off, then the dead-letter subject
            await self._failed(msg, inbound, exc, started, log)
        else:
            await _settle(msg.ack())
            log.info("message_handled", duration_ms=_ms(started))

    async def _failed(self, msg: Any, inbound: Inbound, exc: Exception, started: float, log: Any) -> None:
        settings = self.consumers.settings
        reason = f"{type(exc).__name__}: {exc}"[:500]
        if inbound.delivered >= settings.max_deliver:
            try:
                await self.consumers.publisher.publish(dead_letter(self.consumers.service, inbound, reason))
            except Exception as dlq_exc:  # the broker itself is down: let ack_wait redeliver later
                log.error("dead_letter_failed", reason=reason, error=str(dlq_exc), duration_ms=_ms(started))
                return
            await _settle(msg.term())
            log.error("message_dead_lettered", reason=reason, delivered=inbound.delivered,
                           duration_ms=_ms(started))
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
