"""Everything a page reads, through the public queries and the stream, with the last good answer kept in memory
so that a page still renders (marked stale) while NATS or a service is away."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.dashboard.adapters import history
from services.dashboard.adapters.bus import Bus, QueryError, Unavailable
from services.dashboard.domain.rows import UnitInfo, parse_unit
from services.dashboard.domain.unit import StreamEvent
from shared import subjects

CACHE_SIZE = 256
REGISTRY_TTL = 15.0


@dataclass(frozen=True)
class Answer:
    data: Any  # None when there has never been an answer
    fetched_at: datetime | None
    stale: bool = False
    reason: str | None = None  # why it is stale or missing: disconnected | no_responders | timeout | bad_reply

    @property
    def ok(self) -> bool:
        return self.data is not None


class Source:
    def __init__(self, bus: Bus, query_timeout: float = 5.0) -> None:
        self.bus = bus
        self.timeout = query_timeout
        self._cache: OrderedDict[str, tuple[Any, datetime]] = OrderedDict()
        self._units: dict[str, UnitInfo] = {}
        self._units_read = 0.0
        self._units_lock = asyncio.Lock()
        self._mails: list[StreamEvent] = []
        self._mails_seq = 0
        self._mails_at: datetime | None = None
        self._mails_lock = asyncio.Lock()

    def _remember(self, key: str, data: Any) -> datetime:
        now = datetime.now(UTC)
        self._cache[key] = (data, now)
        self._cache.move_to_end(key)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return now

    def _fallback(self, key: str, reason: str) -> Answer:
        if key in self._cache:
            data, at = self._cache[key]
            return Answer(data, at, stale=True, reason=reason)
        return Answer(None, None, stale=True, reason=reason)

    async def ask(self, subject: str, payload: dict[str, Any], timeout: float | None = None) -> Answer:
        """A query's answer; `QueryError` (the service said no) passes through, unreachability does not."""
        key = subject + " " + json.dumps(payload, sort_keys=True, ensure_ascii=False)
        try:
            data = await self.bus.request(subject, payload, timeout or self.timeout)
        except Unavailable as exc:
            return self._fallback(key, exc.reason)
        return Answer(data, self._remember(key, data))

    async def status(self, scope: str | None = None) -> Answer:
        return await self.ask(subjects.QUERY_STATUS, {"scope": scope} if scope else {})

    async def province(self) -> Answer:
        """Every obligation of the province. A reply too large for one NATS message (a very large province)
        is asked again district by district, the districts taken from the registry."""
        try:
            return await self.status()
        except QueryError as exc:
            if exc.code != "too_large":
                raise
        tops = [u.unit_id for u in (await self.units()).values() if u.level in ("district", "agency")]
        parts = await asyncio.gather(*(self.status(top) for top in sorted(tops)))
        if not parts or any(not p.ok for p in parts):
            missing = next((p for p in parts if not p.ok), None)
            return Answer(None, None, stale=True, reason=missing.reason if missing else "too_large")
        rows = [row for p in parts for row in p.data.get("obligations") or []]
        fetched = [p.fetched_at for p in parts if p.fetched_at]
        return Answer({"as_of": parts[0].data.get("as_of"), "obligations": rows}, min(fetched) if fetched else None,
                      stale=any(p.stale for p in parts), reason=next((p.reason for p in parts if p.stale), None))

    async def draft(self, scope: str | None, fmt: str = "json") -> Answer:
        payload: dict[str, Any] = {"format": fmt}
        if scope:
            payload["scope"] = scope
        return await self.ask(subjects.QUERY_DRAFT, payload)

    async def catalog(self, q: str, limit: int = 50) -> Answer:
        return await self.ask(subjects.QUERY_CATALOG, {"q": q, "limit": limit})

    async def docx(self, scope: str) -> tuple[bytes, str]:
        """The Word file of a draft; raises `Unavailable` or `QueryError` (never served stale)."""
        data = await self.bus.request(subjects.QUERY_DRAFT, {"scope": scope, "format": "docx"}, timeout=20.0)
        try:
            return base64.b64decode(data["docx_base64"]), str(data.get("filename") or f"du-thao-{scope}.docx")
        except (KeyError, TypeError, ValueError) as exc:
            raise Unavailable("bad_reply") from exc

    async def events(self, filters: Sequence[str], *, last_per_subject: bool = False) -> Answer:
        key = "stream " + " ".join(filters) + (" last" if last_per_subject else "")
        try:
            found = await history.read(self.bus, filters, last_per_subject=last_per_subject)
        except Unavailable as exc:
            return self._fallback(key, exc.reason)
        return Answer(found, self._remember(key, found))

    async def mails(self) -> Answer:
        """`review.notifications.sent`, read once and then only what is new (it grows with every mail)."""
        async with self._mails_lock:
            try:
                new = await history.read(self.bus, [subjects.NOTIFICATIONS_SENT], start_seq=self._mails_seq + 1)
            except Unavailable as exc:
                return Answer(list(self._mails), self._mails_at, stale=True, reason=exc.reason)
            for event in new:
                keep = {k: event.data.get(k) for k in ("event_key", "recipient", "sent_at")}
                self._mails.append(StreamEvent(event.subject, keep, event.published, event.seq))
                self._mails_seq = max(self._mails_seq, event.seq)
            self._mails_at = datetime.now(UTC)
            return Answer(list(self._mails), self._mails_at)

    async def units(self) -> dict[str, UnitInfo]:
        """The registry as `review.units.changed` last told it, re-read at most every REGISTRY_TTL seconds."""
        async with self._units_lock:
            if time.monotonic() - self._units_read < REGISTRY_TTL and self._units:
                return self._units
            answer = await self.events([subjects.UNITS_CHANGED_ALL], last_per_subject=True)
            if answer.ok and not answer.stale:
                self._units = registry(answer.data)
                self._units_read = time.monotonic()
            return self._units


def registry(events: Sequence[StreamEvent]) -> dict[str, UnitInfo]:
    units: dict[str, UnitInfo] = {}
    for event in events:
        unit = parse_unit(event.data)
        if unit is not None:
            units[unit.unit_id] = unit
    return units


__all__ = ["Answer", "QueryError", "Source", "Unavailable"]
