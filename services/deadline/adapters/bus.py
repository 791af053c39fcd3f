"""JetStream publishes that report whether the stream stored the message or dropped it as a duplicate.

`shared.messaging.Publisher.publish` discards the PubAck; the sweep needs its `duplicate` flag to count
only what it published itself when another sweeper (or a crashed one) published the same key. Bulk publishes
go through `publish_async` (one reply subscription, a bounded number in flight), not one request each.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from faststream.nats import NatsBroker

from services.deadline.domain.messages import Outgoing
from shared.messaging import CORRELATION_HEADER, MSG_ID_HEADER, encode
from shared.streams import STREAM_NAME


class CountingPublisher:
    def __init__(self, broker: NatsBroker, timeout: float = 10.0, in_flight: int = 1024) -> None:
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

    async def publish(self, message: Outgoing, correlation_id: str | None = None) -> bool:
        """True when the stream stored it, False when it was a duplicate of an earlier publish."""
        ack = await self._context().publish(message.subject, encode(message.payload), timeout=self._timeout,
                                            stream=STREAM_NAME, headers=_headers(message, correlation_id))
        return not ack.duplicate

    async def publish_all(self, messages: Sequence[Outgoing],
                          correlation_id: str | None = None) -> list[bool | BaseException]:
        """One result per message, failures returned, not raised. Without a correlation id (a sweep), each
        event starts its own: its key."""
        js = self._context()
        futures: list[asyncio.Future[Any] | BaseException] = []
        for message in messages:
            try:
                futures.append(await js.publish_async(
                    message.subject, encode(message.payload), wait_stall=self._timeout, stream=STREAM_NAME,
                    headers=_headers(message, correlation_id or message.msg_id)))
            except Exception as exc:  # stalled or disconnected: this one failed, the rest may not
                futures.append(exc)
        pending = [f for f in futures if isinstance(f, asyncio.Future)]
        if pending:
            _, late = await asyncio.wait(pending, timeout=self._timeout)
            for future in late:
                future.cancel()  # frees its in-flight slot; reported as a failure below
        return [_outcome(f) for f in futures]


def _headers(message: Outgoing, correlation_id: str | None) -> dict[str, str]:
    headers = {MSG_ID_HEADER: message.msg_id}
    if correlation_id:
        headers[CORRELATION_HEADER] = correlation_id
    return headers


def _outcome(future: asyncio.Future[Any] | BaseException) -> bool | BaseException:
    if isinstance(future, BaseException):
        return future
    if future.cancelled():
        return TimeoutError("no acknowledgement from JetStream in time")
    error = future.exception()
    return error if error is not None else not future.result().duplicate
