"""The deadline service's publisher: the shared one, speaking in the domain's `Outgoing` messages.

The sweep needs per-message results (`publish_each`: stored, duplicate or failed) to count only what it
published itself when another sweeper (or a crashed one) published the same key.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.deadline.domain.messages import Outgoing
from shared.messaging import Event, Publisher


class CountingPublisher:
    def __init__(self, publisher: Publisher) -> None:
        self._publisher = publisher

    async def publish(self, message: Outgoing, correlation_id: str | None = None) -> bool:
        """True when the stream stored it, False when it was a duplicate of an earlier publish."""
        ack = await self._publisher.publish(_event(message, correlation_id))
        return not ack.duplicate

    async def publish_all(self, messages: Sequence[Outgoing],
                          correlation_id: str | None = None) -> list[bool | BaseException]:
        """One result per message, failures returned, not raised. Without a correlation id (a sweep), each
        event starts its own: its key."""
        return await self._publisher.publish_each(_event(m, correlation_id or m.msg_id) for m in messages)


def _event(message: Outgoing, correlation_id: str | None) -> Event:
    return Event(message.subject, message.payload, msg_id=message.msg_id, correlation_id=correlation_id)
