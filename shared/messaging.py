"""Publishing with deterministic ids; the messages consumers hand to handlers, and the dead letter.

The consumers themselves, and their reliability policy, are in shared/consumers.py.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from faststream.nats import NatsBroker
from pydantic import BaseModel

from shared import subjects
from shared.settings import Settings
from shared.streams import STREAM_NAME

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


Handler = Callable[[Inbound], Awaitable[None]]


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


def error_reply(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}

