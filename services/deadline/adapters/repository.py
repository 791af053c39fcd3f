"""The deadline service's collections: `obligations`, `deadline_units`, `deadline_marks`.

Every hot query matches `_id` or one indexed field (nx-27017 scans on two-field matches, DESIGN.md):
the sweep `next_ts <= now`, a unit's obligations `unit_id`, a district's subtree `district`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from services.deadline.adapters.documents import (
    SUBMISSION_SIDE,
    UNIT_SIDE,
    from_doc,
    side,
    to_doc,
    unit_doc,
    unit_from_doc,
)
from services.deadline.domain.obligations import Obligation, UnitFacts
from services.deadline.domain.schedule import NEVER

DUPLICATE_KEY = 11000
CLAIMED, PUBLISHED = "claimed", "published"


class Obligations:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self.col = db["obligations"]

    async def create_indexes(self) -> None:
        for name in ("next_ts", "unit_id", "district"):
            await self.col.create_index([(name, ASCENDING)])

    async def get(self, obligation_id: str) -> Obligation | None:
        doc = await self.col.find_one({"_id": obligation_id})
        return from_doc(doc) if doc else None

    async def of_unit(self, unit_id: str) -> dict[str, Obligation]:
        return {d["_id"]: from_doc(d) async for d in self.col.find({"unit_id": unit_id})}

    async def save_unit_side(self, obs: Iterable[tuple[Obligation, int]]) -> None:
        """Write what the registry decides (and the next check), never the submission fields."""
        ops = []
        for ob, next_ts in obs:
            fields = side(to_doc(ob), UNIT_SIDE) | {"next_ts": next_ts}
            if ob.overdue_announced:
                fields["overdue_announced"] = True
            ops.append(UpdateOne({"_id": ob.id}, {"$set": fields}, upsert=True))
        if ops:
            await self.col.bulk_write(ops, ordered=False)

    async def save_submission_side(self, ob: Obligation) -> None:
        """Write what an accepted event decides; a placeholder's unit fields only if the document is new."""
        doc = to_doc(ob)
        await self.col.update_one(
            {"_id": ob.id},
            {"$set": side(doc, SUBMISSION_SIDE) | {"next_ts": NEVER},
             "$setOnInsert": side(doc, UNIT_SIDE)},
            upsert=True,
        )

    async def due(self, now_ms: int) -> list[Obligation]:
        return [from_doc(d) async for d in self.col.find({"next_ts": {"$lte": now_ms}})]

    async def advance(self, next_ts: Mapping[str, int], sent: Mapping[str, list[str]],
                      announced: Iterable[str] = ()) -> None:
        """After a sweep: record published keys; move each next check forward (`$max`, so a concurrent
        change that made the obligation owe nothing, next_ts = NEVER, is never moved back)."""
        announced = set(announced)
        ops = []
        for ob_id in set(next_ts) | set(sent) | announced:
            update: dict[str, Any] = {}
            if ob_id in next_ts:
                update["$max"] = {"next_ts": next_ts[ob_id]}
            fields: dict[str, Any] = {f"sent.{key}": True for key in sent.get(ob_id, ())}
            if ob_id in announced:
                fields["overdue_announced"] = True
            if fields:
                update["$set"] = fields
            ops.append(UpdateOne({"_id": ob_id}, update))
        if ops:
            await self.col.bulk_write(ops, ordered=False)

    async def in_district(self, district: str) -> list[Obligation]:
        return [from_doc(d) async for d in self.col.find({"district": district})]

    async def everything(self) -> list[Obligation]:
        return [from_doc(d) async for d in self.col.find({})]

    async def seed(self, obs: Iterable[tuple[Obligation, int]]) -> int:
        """Bulk insert (benchmarks and imports): documents must be new."""
        docs = [to_doc(ob) | {"next_ts": next_ts} for ob, next_ts in obs]
        if docs:
            await self.col.insert_many(docs, ordered=False)
        return len(docs)


class Units:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self.col = db["deadline_units"]

    async def get(self, unit_id: str) -> UnitFacts | None:
        doc = await self.col.find_one({"_id": unit_id})
        return unit_from_doc(doc) if doc else None

    async def is_stale(self, unit_id: str, changed_ts: int | None) -> bool:
        """A registry event older than the one already stored (a redelivery overtaken by a newer change)."""
        if changed_ts is None:
            return False
        doc = await self.col.find_one({"_id": unit_id}, {"changed_ts": 1})
        return bool(doc and doc.get("changed_ts") and doc["changed_ts"] > changed_ts)

    async def save(self, unit: UnitFacts, changed_at: datetime | None) -> None:
        doc = unit_doc(unit, changed_at)
        await self.col.replace_one({"_id": unit.unit_id}, doc, upsert=True)


class Marks:
    """One document per deadline event key: claimed before publishing, published after."""

    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self.col = db["deadline_marks"]

    async def claim(self, claims: Mapping[str, str], stamp: str) -> tuple[set[str], set[str]]:
        """Insert a claim per key (`key -> obligation id`); returns (claimed by us, already taken)."""
        if not claims:
            return set(), set()
        docs = [{"_id": key, "obligation": ob_id, "state": CLAIMED, "claimed_at": stamp}
                for key, ob_id in claims.items()]
        keys = list(claims)
        try:
            await self.col.insert_many(docs, ordered=False)
            return set(keys), set()
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") != DUPLICATE_KEY for e in errors):
                raise
            taken = {keys[e["index"]] for e in errors}
            return set(keys) - taken, taken

    async def already_published(self, keys: Iterable[str]) -> set[str]:
        keys = list(keys)
        if not keys:
            return set()
        return {d["_id"] async for d in self.col.find({"_id": {"$in": keys}}, {"state": 1})
                if d.get("state") == PUBLISHED}

    async def published(self, keys: Iterable[str], stamp: str) -> None:
        keys = list(keys)
        if keys:
            await self.col.update_many({"_id": {"$in": keys}},
                                       {"$set": {"state": PUBLISHED, "published_at": stamp}})
