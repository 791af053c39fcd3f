"""The one NATS connection: reconnects forever, answers queries, and reports changes and its own state.

The first connection is retried in the background too, so the web pages come up (with the "disconnected"
banner) even when NATS is not there yet.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout

from shared import subjects

WATCHED = (subjects.OBLIGATIONS_CHANGED_ALL, subjects.DRAFTS_UPDATED_ALL)


class Unavailable(Exception):
    """No answer: NATS is unreachable, nobody serves the query, or it timed out."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # disconnected | no_responders | timeout | bad_reply


class QueryError(Exception):
    """The service answered with `{"error": {"code", "message"}}`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


class Bus:
    def __init__(self, url: str, log: Any, on_change: Callable[[str], None] | None = None,
                 on_state: Callable[[bool], None] | None = None) -> None:
        self.url = url
        self.log = log
        self.on_change = on_change or (lambda subject: None)
        self.on_state = on_state or (lambda up: None)
        self.nc: Client | None = None
        self._task: asyncio.Task[None] | None = None
        self._up = False

    @property
    def connected(self) -> bool:
        return self.nc is not None and self.nc.is_connected

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._connect_forever())

    async def _connect_forever(self) -> None:
        delay = 0.5
        while True:
            try:
                nc = await nats.connect(
                    self.url, name="midterm-dashboard", allow_reconnect=True, max_reconnect_attempts=-1,
                    reconnect_time_wait=1, connect_timeout=2, ping_interval=10, max_outstanding_pings=2,
                    disconnected_cb=self._disconnected, reconnected_cb=self._reconnected,
                    error_cb=self._error, closed_cb=self._closed,
                )
            except Exception as exc:  # noqa: BLE001 - any failure to connect is retried, forever
                self.log.warning("nats_connect_failed", error=type(exc).__name__, retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            for subject in WATCHED:
                await nc.subscribe(subject, cb=self._on_message)
            self.nc = nc
            self._state(True)
            return

    async def _on_message(self, msg: Msg) -> None:
        self.on_change(msg.subject)

    async def _disconnected(self) -> None:
        self._state(False)

    async def _reconnected(self) -> None:
        self._state(True)

    async def _closed(self) -> None:
        self._state(False)

    async def _error(self, exc: Exception) -> None:
        self.log.info("nats_error", error=type(exc).__name__, detail=str(exc)[:200])

    def _state(self, up: bool) -> None:
        if up != self._up:
            self._up = up
            self.log.info("nats_connected" if up else "nats_disconnected", nats=self.url)
            self.on_state(up)

    def client(self) -> Client:
        if self.nc is None or not self.nc.is_connected:
            raise Unavailable("disconnected")
        return self.nc

    async def request(self, subject: str, payload: dict[str, Any], timeout: float = 5.0) -> Any:
        nc = self.client()
        try:
            reply = await nc.request(subject, json.dumps(payload, ensure_ascii=False).encode(), timeout=timeout)
        except NoRespondersError as exc:
            raise Unavailable("no_responders") from exc
        except NatsTimeout as exc:
            raise Unavailable("timeout" if self.connected else "disconnected") from exc
        except Exception as exc:  # noqa: BLE001 - a connection dropping mid-request
            raise Unavailable("disconnected") from exc
        try:
            data = json.loads(reply.data)
        except ValueError as exc:
            raise Unavailable("bad_reply") from exc
        if isinstance(data, dict) and isinstance(data.get("error"), dict):
            raise QueryError(str(data["error"].get("code", "error")), str(data["error"].get("message", "")))
        return data

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self.nc is not None:
            try:
                await self.nc.close()
            except Exception:  # noqa: BLE001 - closing a connection that is already gone
                pass
