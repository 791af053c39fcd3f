"""Hand-written fakes of the deadline ports: an in-memory database and a JetStream that drops duplicates."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import replace

from services.deadline.domain.messages import Outgoing
from services.deadline.domain.obligations import Obligation


class FakeObligations:
    def __init__(self, obs: Iterable[tuple[Obligation, int]] = ()) -> None:
        self.docs: dict[str, Obligation] = {}
        self.next_ts: dict[str, int] = {}
        for ob, ts in obs:
            self.docs[ob.id], self.next_ts[ob.id] = ob, ts

    async def due(self, now_ms: int) -> list[Obligation]:
        await asyncio.sleep(0)
        return [self.docs[i] for i, ts in self.next_ts.items() if ts <= now_ms]

    async def due_chunks(self, now_ms: int, size: int) -> AsyncIterator[list[Obligation]]:
        found = await self.due(now_ms)
        for at in range(0, len(found), size):
            await asyncio.sleep(0)
            yield found[at:at + size]

    async def get(self, obligation_id: str) -> Obligation | None:
        await asyncio.sleep(0)
        return self.docs.get(obligation_id)

    async def many(self, ids: Iterable[str]) -> dict[str, Obligation]:
        return {i: self.docs[i] for i in ids if i in self.docs}

    async def save_move(self, before: Obligation, after: Obligation, next_ts: int) -> bool:
        await asyncio.sleep(0)
        stored = self.docs.get(before.id)
        if stored is None or stored.round != before.round:
            return False
        self.docs[before.id] = replace(stored, round=after.round, due_at=after.due_at, moves=after.moves,
                                       returned_version=after.returned_version, overdue_announced=False)
        self.next_ts[before.id] = next_ts
        return True

    async def advance(self, rounds: Mapping[str, int], next_ts: Mapping[str, int],
                      sent: Mapping[str, list[str]], announced: Iterable[str] = ()) -> None:
        def current(ob_id: str) -> bool:  # the real store filters on `_id` and the round the sweep planned in
            return self.docs[ob_id].round == rounds.get(ob_id, self.docs[ob_id].round)

        next_ts = {i: ts for i, ts in next_ts.items() if current(i)}
        sent = {i: keys for i, keys in sent.items() if current(i)}
        announced = [i for i in announced if current(i)]
        for ob_id, ts in next_ts.items():
            self.next_ts[ob_id] = max(self.next_ts[ob_id], ts)
        for ob_id, keys in sent.items():
            ob = self.docs[ob_id]
            self.docs[ob_id] = replace(ob, sent=ob.sent | set(keys))
        for ob_id in announced:
            self.docs[ob_id] = replace(self.docs[ob_id], overdue_announced=True)


class FakeUnits:
    def __init__(self, units: Iterable[object] = ()) -> None:
        self.units = {u.unit_id: u for u in units}  # type: ignore[attr-defined]

    async def get(self, unit_id: str) -> object | None:
        return self.units.get(unit_id)

    async def of_levels(self, levels: Iterable[str], path: str = "") -> list[object]:
        wanted = set(levels)
        return [u for u in self.units.values() if u.level in wanted  # type: ignore[attr-defined]
                and (not path or u.path == path or u.path.startswith(path + "."))]  # type: ignore[attr-defined]


class FakeStream:
    """Stores each msg id once (JetStream's duplicate window), like a PubAck with `duplicate`."""

    def __init__(self) -> None:
        self.stored: list[Outgoing] = []
        self.ids: set[str] = set()
        self.down = False

    async def publish(self, message: Outgoing, correlation_id: str | None = None) -> bool:
        await asyncio.sleep(0)
        if self.down:
            raise ConnectionError("nats down")
        if message.msg_id in self.ids:
            return False
        self.ids.add(message.msg_id)
        self.stored.append(message)
        return True

    async def publish_all(self, messages: Sequence[Outgoing],
                          correlation_id: str | None = None) -> list[bool | BaseException]:
        return await asyncio.gather(*(self.publish(m) for m in messages), return_exceptions=True)

    def subjects(self, prefix: str) -> list[str]:
        return [m.msg_id for m in self.stored if m.subject.startswith(prefix)]


class NullLog:
    def debug(self, *args: object, **kwargs: object) -> None: ...
    def info(self, *args: object, **kwargs: object) -> None: ...
    def warning(self, *args: object, **kwargs: object) -> None: ...
    def error(self, *args: object, **kwargs: object) -> None: ...


class FakeRegistry:
    """The obligations and units a status query reads."""

    def __init__(self, obs: Iterable[Obligation], units: Iterable[object] = ()) -> None:
        self.obs = list(obs)
        self.units = {u.unit_id: u for u in units}  # type: ignore[attr-defined]

    async def in_district(self, district: str) -> list[Obligation]:
        return [ob for ob in self.obs if ob.district == district]

    async def everything(self) -> list[Obligation]:
        return list(self.obs)

    async def get(self, unit_id: str) -> object | None:
        return self.units.get(unit_id)
