"""MongoDB repositories of intake's collections: `units`, `submissions`, `catalog` (docs/SERVICES.md).

Every query is by `_id` or one indexed field (the stand-in database scans on anything else); writes are
batched. Nothing a client sent becomes a key or an operator: documents are built from validated models
whose field names are ours, and client strings only ever appear as values.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pymongo import ReplaceOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from services.intake.domain.catalog import Entry, from_doc

DUPLICATE_KEY = 11000


class UnitsRepo:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self.col = db["units"]

    async def all(self) -> list[dict[str, Any]]:
        return await self.col.find({}).to_list(None)

    async def get(self, unit_id: str) -> dict[str, Any] | None:
        doc: dict[str, Any] | None = await self.col.find_one({"_id": unit_id})
        return doc

    async def save(self, docs: Iterable[dict[str, Any]]) -> None:
        ops = [ReplaceOne({"_id": d["unit_id"]}, {**d, "_id": d["unit_id"], "published": False}, upsert=True)
               for d in docs]
        if ops:
            await self.col.bulk_write(ops, ordered=True)

    async def unpublished(self) -> list[dict[str, Any]]:
        return await self.col.find({"published": False}).to_list(None)

    async def mark_published(self, docs: Iterable[dict[str, Any]]) -> None:
        for doc in docs:
            await self.col.update_one({"_id": doc["unit_id"], "content_hash": doc["content_hash"]},
                                      {"$set": {"published": True}})


class SubmissionsRepo:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self.col = db["submissions"]

    async def create_indexes(self) -> None:
        await self.col.create_index("obligation")
        await self.col.create_index("ov", unique=True)
        await self.col.create_index("unit_id")

    async def summaries(self) -> list[dict[str, Any]]:
        """Id, hash, announced flag, obligation, version and lateness of every submission (read at start-up)."""
        fields = {"content_hash": 1, "published": 1, "obligation": 1, "version": 1, "on_time": 1}
        return await self.col.find({}, fields).to_list(None)

    async def by_ids(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        return {d["_id"]: d async for d in self.col.find({"_id": {"$in": ids}})}

    async def versions(self, obligations: list[str]) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {}
        if obligations:
            cursor = self.col.find({"obligation": {"$in": obligations}},
                                   {"obligation": 1, "version": 1, "on_time": 1})
            async for doc in cursor:
                found.setdefault(doc["obligation"], []).append(doc)
        return found

    async def insert(self, docs: list[dict[str, Any]]) -> dict[int, str]:
        """Inserts what it can; returns the index of each document refused as a duplicate, with its key."""
        if not docs:
            return {}
        try:
            await self.col.insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            refused: dict[int, str] = {}
            for err in exc.details.get("writeErrors", []):
                if err.get("code") != DUPLICATE_KEY:
                    raise
                refused[err["index"]] = "ov" if "ov" in str(err.get("keyPattern") or err.get("errmsg")) else "_id"
            return refused
        return {}

    async def mark_published(self, ids: list[str]) -> None:
        if ids:
            await self.col.update_many({"_id": {"$in": ids}}, {"$set": {"published": True}})


class CatalogRepo:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self.col = db["catalog"]

    async def all(self) -> list[Entry]:
        return [from_doc(d) async for d in self.col.find({})]

    async def add_many(self, docs: list[dict[str, Any]]) -> None:
        """Entries of accepted submissions: written once, a redelivered write changes nothing."""
        if not docs:
            return
        try:
            await self.col.insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            if any(e.get("code") != DUPLICATE_KEY for e in exc.details.get("writeErrors", [])):
                raise

    async def put(self, doc: dict[str, Any]) -> None:
        await self.col.replace_one({"_id": doc["_id"]}, doc, upsert=True)
