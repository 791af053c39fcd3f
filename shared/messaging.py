"""Publishing with deterministic ids, and durable consumers that ack only after the work is done.

Every handler registered through `consume` gets the same reliability policy (DESIGN.md):
- success: ack, one log line with `duration_ms`;
- `Terminal` raised: the handler has answered the message itself (e.g. a rejection event): ack;
- any other exception: NAK with the doubling back-off of MIDTERM_RETRY_SECONDS, so a database or relay
  outage delays the message instead of burning its deliveries; on the last delivery
  (`MIDTERM_MAX_DELIVER`) the message goes to `review.dlq.<service>` with the reason, and is terminated.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import structlog
from faststream import AckPolicy
from faststream.nats import NatsBroker, NatsMessage, PullSub
from nats.js.api import DeliverPolicy
from pydantic import BaseModel

from shared import subjects
from shared.settings import Settings
from shared.streams import STREAM, STREAM_NAME, consumer_config

CORRELATION_HEADER = "X-Correlation-Id"
MSG_ID_HEADER = "Nats-Msg-Id"


class Terminal(Exception):
    """Raised by a handler for a message that can never succeed and has been answered: ack, never retry."""


@dataclass(frozen=True)
class Inbound:
    subject: str
    data: bytes
    headers: Mapping[str, str]
    msg_id: str
    correlation_id: str
    delivered: int = 1

    def json(self) -> Any:
        return json.loads(self.data)


@dataclass(frozen=True)
class Event:
    subject: str
    payload: BaseModel | Mapping[str, Any]
    msg_id: str
    correlation_id: str | None = None
    extra_headers: Mapping[str, str] = field(default_factory=dict)


def encode(payload: BaseModel | Mapping[str, Any]) -> bytes:
    if isinstance(payload, BaseModel):
        return payload.model_dump_json(exclude_none=False).encode()
    return json.dumps(payload, ensure_ascii=False, default=str).encode()


def make_broker(settings: Settings, service: str) -> NatsBroker:
    # logger=None: FastStream's own per-message logging costs ~40% throughput; `consume` logs one line.
    return NatsBroker(
        settings.nats_url,
        name=f"midterm-{service}",
        logger=None,
        allow_reconnect=True,
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        connect_timeout=5,
    )


class Publisher:
    """JetStream publishes with `Nats-Msg-Id` and the correlation id; bulk publishes go through
    `publish_async` (one reply subscription, a bounded number in flight) instead of a round trip each.

    The ack timeout is short on purpose: a publish caught in a broker restart is lost with its connection, and
    every caller retries (the message is redelivered, the recompute loop runs again), so waiting long only
    delays the retry past the restart."""

    def __init__(self, broker: NatsBroker, timeout: float = 4.0, in_flight: int = 1024) -> None:
        self._broker = broker
        self._timeout = timeout
        self._in_flight = in_flight
        self._js: Any = None
        self._js_of: Any = None

    def _context(self) -> Any:
        connection = self._broker.connection
        if self._js is None or self._js_of is not connection:
            self._js = connection.jetstream(publish_async_max_pending=self._in_flight)
            self._js_of = connection
        return self._js

    async def publish(self, event: Event) -> Any:
        """Returns the stream's PubAck (`.duplicate` is true when the msg id was seen inside the window)."""
        return await self._context().publish(
            event.subject, encode(event.payload), timeout=self._timeout, stream=STREAM_NAME, headers=_headers(event)
        )

    async def publish_many(self, events: Iterable[Event]) -> int:
        """Publish all, wait for every ack; raise the first failure after all have settled (callers retry the
        whole batch: the msg ids make the retry idempotent)."""
        results = await self.publish_each(events)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return len(results)

    async def publish_each(self, events: Iterable[Event]) -> list[bool | BaseException]:
        """One result per event, in order: True stored, False dropped as a duplicate (its msg id was seen inside
        the window), or the exception; failures are returned, not raised. The wait grows with the batch."""
        js = self._context()
        futures: list[asyncio.Future[Any] | BaseException] = []
        for e in events:
            try:
                futures.append(await js.publish_async(e.subject, encode(e.payload), wait_stall=self._timeout,
                                                      stream=STREAM_NAME, headers=_headers(e)))
            except Exception as exc:  # stalled or disconnected: this one failed, the rest may not
                futures.append(exc)
        pending = [f for f in futures if isinstance(f, asyncio.Future)]
        if pending:
            _, late = await asyncio.wait(pending, timeout=self._timeout + len(pending) / 5000)
            for future in late:
                future.cancel()  # frees its in-flight slot; reported as a failure below
        return [_outcome(f) for f in futures]


def _outcome(future: asyncio.Future[Any] | BaseException) -> bool | BaseException:
    if isinstance(future, BaseException):
        return future
    if future.cancelled():
        return TimeoutError("no acknowledgement from JetStream in time")
    error = future.exception()
    return error if error is not None else not future.result().duplicate


def _headers(event: Event) -> dict[str, str]:
    headers = {MSG_ID_HEADER: event.msg_id, **event.extra_headers}
    if event.correlation_id:
        headers[CORRELATION_HEADER] = event.correlation_id
    return headers


def _inbound(msg: NatsMessage) -> Inbound:
    raw = msg.raw_message
    headers = dict(raw.headers or {})
    msg_id = headers.get(MSG_ID_HEADER) or f"seq:{raw.metadata.sequence.stream}"
    return Inbound(
        subject=raw.subject,
        data=raw.data,
        headers=headers,
        msg_id=msg_id,
        correlation_id=headers.get(CORRELATION_HEADER) or msg_id,
        delivered=raw.metadata.num_delivered or 1,
    )


Handler = Callable[[Inbound], Awaitable[None]]


class Consumers:
    """Registers durable pull consumers with the policy above."""

    def __init__(self, broker: NatsBroker, publisher: Publisher, settings: Settings, service: str) -> None:
        self.broker = broker
        self.publisher = publisher
        self.settings = settings
        self.service = service
        self.log = structlog.get_logger().bind(service=service)

    def consume(
        self,
        subject: str,
        durable: str,
        handler: Handler,
        *,
        max_workers: int = 1,
        batch_size: int = 16,
        description: str | None = None,
    ) -> Any:
        """Note: FastStream handles the messages of one fetch concurrently, even with one worker; a consumer
        whose messages must be handled in stream order needs its own loop (intake's `BatchPullConsumer`)."""
        durable = self.durable(durable)
        config = consumer_config(
            durable,
            subject,
            max_deliver=self.settings.max_deliver,
            ack_wait_seconds=self.settings.ack_wait_seconds,
            max_ack_pending=max(1000, max_workers * batch_size * 4),
        )
        if self.settings.consumer_suffix:
            config.deliver_policy = DeliverPolicy.NEW
        options: dict[str, Any] = {"max_workers": max_workers} if max_workers > 1 else {}
        subscriber = self.broker.subscriber(
            subject,
            stream=STREAM,
            durable=durable,
            config=config,
            pull_sub=PullSub(batch_size=batch_size, timeout=1.0),
            ack_policy=AckPolicy.MANUAL,
            # The raw body: FastStream's JSON decoding would run before the guard, and a deeply nested or
            # huge-number payload would then escape unanswered. Handlers decode and validate themselves.
            decoder=_raw_body,
            description=description,
            **options,
        )

        # The `NatsMessage` annotation matters: with `Any`, FastStream passes the decoded body instead.
        async def on_message(msg: NatsMessage) -> None:
            await self.guard(msg, handler)

        on_message.__name__ = f"on_{durable.replace('-', '_')}"
        return subscriber(on_message)

    def durable(self, name: str) -> str:
        """The durable name with MIDTERM_CONSUMER_SUFFIX, if one is set (`intake-submissions-<suffix>`)."""
        suffix = self.settings.consumer_suffix.strip("-")
        return f"{name}-{suffix}" if suffix else name

    async def guard(self, msg: NatsMessage, handler: Handler) -> None:
        inbound = _inbound(msg)
        started = time.perf_counter()
        structlog.contextvars.bind_contextvars(
            subject=inbound.subject, msg_id=inbound.msg_id, correlation_id=inbound.correlation_id
        )
        try:
            await handler(inbound)
        except Terminal as done:
            await msg.ack()
            self.log.info("message_answered", outcome=str(done) or "rejected", duration_ms=_ms(started))
        except Exception as exc:  # every failure is bounded: back-off, then the dead-letter subject
            await self._failed(msg, inbound, exc, started)
        else:
            await msg.ack()
            self.log.info("message_handled", duration_ms=_ms(started))
        finally:
            structlog.contextvars.unbind_contextvars("subject", "msg_id", "correlation_id")

    async def _failed(self, msg: NatsMessage, inbound: Inbound, exc: Exception, started: float) -> None:
        reason = f"{type(exc).__name__}: {exc}"[:500]
        if inbound.delivered >= self.settings.max_deliver:
            try:
                await self.publisher.publish(dead_letter(self.service, inbound, reason))
            except Exception as dlq_exc:  # the broker itself is down: let ack_wait redeliver later
                self.log.error("dead_letter_failed", reason=reason, error=str(dlq_exc), duration_ms=_ms(started))
                return
            await msg.reject()
            self.log.error("message_dead_lettered", reason=reason, delivered=inbound.delivered,
                           duration_ms=_ms(started))
            return
        delay = self.settings.retry_delay(inbound.delivered)
        try:
            await msg.nack(delay=delay)
        except Exception:  # connection lost: ack_wait redelivers
            pass
        self.log.warning("message_retry", reason=reason, delivered=inbound.delivered, retry_in_s=delay,
                         duration_ms=_ms(started))


def dead_letter(service: str, inbound: Inbound, reason: str) -> Event:
    return Event(
        subject=subjects.dlq(service),
        payload={
            "service": service,
            "subject": inbound.subject,
            "msg_id": inbound.msg_id,
            "reason": reason,
            "delivered": inbound.delivered,
            "data_b64": base64.b64encode(inbound.data).decode(),
        },
        msg_id=f"dlq:{service}:{inbound.msg_id}",
        correlation_id=inbound.correlation_id,
    )


async def _raw_body(msg: Any) -> bytes:
    return bytes(msg.body)


def error_reply(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
