"""Talking to the platform the way an outside system does: JetStream publishes, requests, event captures."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import nats
from nats.js.api import ConsumerConfig, DeliverPolicy

from shared.streams import ensure_stream


async def publish(nc: nats.NATS, subject: str, payload: Any, msg_id: str | None = None,
                  headers: dict[str, str] | None = None) -> Any:
    """Publish through JetStream (`payload` as JSON unless bytes); returns the stream's ack."""
    js = nc.jetstream()
    await ensure_stream(js)
    data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
    all_headers = dict(headers or {})
    if msg_id:
        all_headers["Nats-Msg-Id"] = msg_id
    return await js.publish(subject, data, headers=all_headers or None, timeout=10)


async def request(nc: nats.NATS, subject: str, payload: Any = None, timeout: float = 10.0) -> Any:
    data = payload if isinstance(payload, bytes) else json.dumps(payload or {}, ensure_ascii=False).encode()
    reply = await nc.request(subject, data, timeout=timeout)
    return json.loads(reply.data)


class Capture:
    """Every message on `subject` (wildcards allowed) from the moment `start` is called, with headers."""

    def __init__(self, nc: nats.NATS, subject: str) -> None:
        self.nc = nc
        self.subject = subject
        self.messages: list[tuple[str, dict[str, Any] | None, dict[str, str]]] = []
        self._sub: Any = None

    async def start(self) -> Capture:
        js = self.nc.jetstream()
        await ensure_stream(js)

        async def on(msg: Any) -> None:
            try:
                body = json.loads(msg.data)
            except ValueError:
                body = None
            self.messages.append((msg.subject, body, dict(msg.headers or {})))
            await msg.ack()

        self._sub = await js.subscribe(
            self.subject, cb=on, manual_ack=True,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW),
        )
        return self

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [b for _, b, _ in self.messages if b is not None]

    def where(self, **fields: Any) -> list[dict[str, Any]]:
        return [b for b in self.bodies if all(b.get(k) == v for k, v in fields.items())]

    async def stop(self) -> None:
        if self._sub is not None:
            await self._sub.unsubscribe()
            self._sub = None


async def capture(nc: nats.NATS, subject: str) -> Capture:
    return await Capture(nc, subject).start()


async def set_clocks(nc: nats.NATS, now: str, services: tuple[str, ...]) -> None:
    for service in services:
        reply = await request(nc, f"review.admin.{service}.clock", {"now": now})
        assert reply.get("now"), reply
    await asyncio.sleep(0)
