"""`notifier_digests`: per draft scope, the digest window and what was mailed or waits (see domain/digest.py).

The reads and writes of concurrent handlers go together (one `$in`, one `bulk_write` per batch): a compiler
round announces a version of hundreds of districts at once, each a read and a write here (a national storm: ~1 700
commands, most of the database's work besides the mails)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, ReplaceOne
from pymongo.asynchronous.database import AsyncDatabase

from services.notifier.domain.digest import DigestState
from shared.batching import MicroBatcher

BATCH = 512


class MongoDigests:
    def __init__(self, db: AsyncDatabase[Any], name: str = "notifier_digests") -> None:
        self.col = db[name]
        self._reads: MicroBatcher[str, DigestState | None] = MicroBatcher(self._get_many, max_items=BATCH)
        # the callers hold the scope's lock: a batch never holds two writes of one scope
        self._writes: MicroBatcher[dict[str, Any], None] = MicroBatcher(self._put_many, max_items=BATCH)

    async def close(self) -> None:
        await self._writes.close()
        await self._reads.close()

    async def ensure_indexes(self) -> None:
        await self.col.create_index([("due_ts", ASCENDING)], name="due_ts")

    async def get(self, scope: str) -> DigestState | None:
        return await self._reads.submit(scope)

    async def _get_many(self, scopes: list[str]) -> list[DigestState | None]:
        found = {doc["_id"]: _state(doc) async for doc in self.col.find({"_id": {"$in": sorted(set(scopes))}})}
        return [found.get(scope) for scope in scopes]

    async def put(self, state: DigestState, due_ms: int | None) -> None:
        doc: dict[str, Any] = {
            "_id": state.scope,
            "window_start": state.window_start.isoformat(),
            "mailed_version": state.mailed_version,
            "mailed_updated_at": _iso(state.mailed_updated_at),
            "waiting_version": state.waiting_version,
            "waiting_updated_at": _iso(state.waiting_updated_at),
        }
        if due_ms is not None:
            doc["due_ts"] = due_ms
        await self._writes.submit(doc)

    async def _put_many(self, docs: list[dict[str, Any]]) -> list[None]:
        await self.col.bulk_write([ReplaceOne({"_id": doc["_id"]}, doc, upsert=True) for doc in docs], ordered=False)
        return [None] * len(docs)

    async def due(self, now_ms: int) -> list[DigestState]:
        return [_state(doc) async for doc in self.col.find({"due_ts": {"$lte": now_ms}})]


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _state(doc: dict[str, Any]) -> DigestState:
    return DigestState(
        scope=doc["_id"],
        window_start=datetime.fromisoformat(doc["window_start"]),
        mailed_version=int(doc["mailed_version"]),
        mailed_updated_at=_when(doc.get("mailed_updated_at")),
        waiting_version=doc.get("waiting_version"),
        waiting_updated_at=_when(doc.get("waiting_updated_at")),
    )
