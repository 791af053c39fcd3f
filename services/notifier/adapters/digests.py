"""`notifier_digests`: per draft scope, the digest window and what was mailed or waits (see domain/digest.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from services.notifier.domain.digest import DigestState


class MongoDigests:
    def __init__(self, db: AsyncDatabase[Any], name: str = "notifier_digests") -> None:
        self.col = db[name]

    async def ensure_indexes(self) -> None:
        await self.col.create_index([("due_ts", ASCENDING)], name="due_ts")

    async def get(self, scope: str) -> DigestState | None:
        doc = await self.col.find_one({"_id": scope})
        return _state(doc) if doc else None

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
        await self.col.replace_one({"_id": state.scope}, doc, upsert=True)

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
