"""A small NATS client for the CLI: requests, JetStream publishes, waiting for outcomes."""

from __future__ import annotations

import json
from typing import Any

import nats
from nats.aio.client import Client

from shared.streams import ensure_stream


class BusError(RuntimeError):
    """The broker or a service did not answer; the message says which and what to do."""


async def connect(url: str) -> Client:
    try:
        return await nats.connect(url, connect_timeout=3, max_reconnect_attempts=3, reconnect_time_wait=0.5)
    except Exception as exc:
        raise BusError(f"cannot reach NATS at {url} ({exc}); is the stack up? try `midterm stack up`") from None


async def request(nc: Client, subject: str, payload: Any = None, timeout: float = 30.0) -> Any:
    data = json.dumps(payload if payload is not None else {}, ensure_ascii=False).encode()
    try:
        reply = await nc.request(subject, data, timeout=timeout)
    except Exception as exc:
        raise BusError(f"no reply on {subject} within {timeout}s ({type(exc).__name__}); is the service running?") from None
    return json.loads(reply.data)


async def publish(nc: Client, subject: str, payload: Any, msg_id: str | None = None,
                  correlation_id: str | None = None) -> None:
    js = nc.jetstream()
    await ensure_stream(js)
    headers = {}
    if msg_id:
        headers["Nats-Msg-Id"] = msg_id
    if correlation_id:
        headers["X-Correlation-Id"] = correlation_id
    data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
    await js.publish(subject, data, headers=headers or None, timeout=10)
