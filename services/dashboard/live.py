"""Server-sent events: tell open pages what changed (which districts, which drafts) and whether NATS is up.

Changes are coalesced for `flush_after` seconds, so a sweep that touches thousands of obligations costs the
browsers one refresh, not thousands.
"""

from __future__ import annotations

import asyncio
import contextlib
import json

from aiohttp import web

from shared import subjects

KEEPALIVE_SECONDS = 15.0
QUEUE_SIZE = 64


class Hub:
    def __init__(self, flush_after: float = 0.5) -> None:
        self.flush_after = flush_after
        self.clients: set[asyncio.Queue[str | None]] = set()
        self.pending: dict[str, set[str]] = {"obligations": set(), "drafts": set()}
        self.connected = False
        self._timer: asyncio.TimerHandle | None = None

    def changed(self, subject: str) -> None:
        if subject.startswith("review.obligations.changed."):
            path = subjects.path_after(subject, "review.obligations.changed")
            self.pending["obligations"].add(path.split(".", 1)[0] or "root")
        elif subject.startswith("review.drafts.updated."):
            self.pending["drafts"].add(subject.rsplit(".", 1)[-1])
        else:
            return
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.flush_after, self._flush)

    def _flush(self) -> None:
        self._timer = None
        payload = {kind: sorted(keys) for kind, keys in self.pending.items() if keys}
        for keys in self.pending.values():
            keys.clear()
        if payload:
            self._broadcast(_event("changed", json.dumps(payload)))

    def state(self, up: bool) -> None:
        self.connected = up
        self._broadcast(_event("connection", "up" if up else "down"))

    def _broadcast(self, message: str | None) -> None:
        for queue in list(self.clients):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(message)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={
            "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache, no-transform",
            "X-Accel-Buffering": "no",  # nginx: pass the events through at once
        })
        await response.prepare(request)
        queue: asyncio.Queue[str | None] = asyncio.Queue(QUEUE_SIZE)
        self.clients.add(queue)
        try:
            await response.write(("retry: 2000\n\n" + _event("connection", "up" if self.connected else "down"))
                                 .encode())
            while True:
                try:
                    message = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    message = ": keepalive\n\n"
                if message is None:
                    break
                await response.write(message.encode())
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self.clients.discard(queue)
        return response

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._broadcast(None)


def _event(name: str, data: str) -> str:
    return f"event: {name}\ndata: {data}\n\n"
