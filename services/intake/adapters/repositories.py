"""MongoDB repositories of intake's collections: `units`, `submissions`, `catalog` (docs/SERVICES.md).

Every query is by `_id` or one indexed field (the stand-in database scans on anything else); writes are
batched. Nothing a client sent becomes a key or an operator: documents are built from validated models
whose field names are ours, and client strings only ever appear as values.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable
from typing import Any

from pymongo import ReplaceOne, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.intake.domain.catalog import Entry, from_doc
from services.intake.domain.units import KEPT_FIELDS

DUPLICATE_KEY = 11000


class UnitsRepo:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self.col = db["units"]

    def summaries(self) -> AsyncIterator[dict[str, Any]]:
        """Every unit with only the fields the tree keeps (read at start-up, one document at a time)."""
        return aiter(self.col.find({}, dict.fromkeys(KEPT_FIELDS, 1)))

    async def get(self, unit_id: str) -> dict[str, Any] | None:
        doc: dict[str, Any] | None = await self.col.find_one({"_id": unit_id})
        return doc

    async def by_ids(self, unit_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Whole documents, in one query."""
        if not unit_ids:
            return {}
        return {d["_id"]: d async for d in self.col.find({"_id": {"$in": unit_ids}})}

    async def save(self, docs: Iterable[dict[str, Any]]) -> None:
        ops = [ReplaceOne({"_id": d["unit_id"]}, {**d, "_id": d["unit_id"], "published": False}, upsert=True)
               for d in docs]
        if ops:
            await self.col.bulk_write(ops, ordered=True)

    async def unpublished(self) -> list[dict[str, Any]]:
        return await self.col.find({"published": False}).to_list(None)

    async def mark_published(self, docs: Iterable[dict[str, Any]]) -> None:
        ops = [UpdateOne({"_id": doc["unit_id"], "content_hash": doc["content_hash"]}, {"$set": {"published": True}})
               for doc in docs]
        if ops:
            await self.col.bulk_write(ops, ordered=False)


class SubmissionsRepo:
    """`submissions` (the documents docs/SERVICES.md describes) and `intake_announced`, which records the ids
    whose accepted events went out: one document per announced batch, listing its ids. (It replaced an
    update of every announced submission, which cost the stand-in database a third of its time per message.)
    A submission is announced if its id is listed there, or, for documents written before, if it carries
    `published: true`."""

    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self.col = db["submissions"]
        self.announced = db["intake_announced"]

    async def create_indexes(self) -> None:
        await self.col.create_index("obligation")
        await self.col.create_index("ov", unique=True)

    async def summaries(self) -> AsyncIterator[dict[str, Any]]:
        """Id, hash, announced flag, obligation, version, lateness and catalogue entries (`catalog`, absent from
        documents stored before it was) of every submission, one at a time (read at start-up). `catalog` is a
        top-level field: the stand-in database answers a dotted projection flat."""
        announced = {i async for batch in self.announced.find({}) for i in batch.get("ids", [])}
        fields = {"content_hash": 1, "published": 1, "obligation": 1, "version": 1, "on_time": 1, "catalog": 1}
        async for doc in self.col.find({}, fields):
            doc["published"] = bool(doc.get("published")) or doc["_id"] in announced
            yield doc

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
            await self.announced.insert_one({"_id": uuid.uuid4().hex, "ids": list(ids)})


class DecisionsRepo:
    """`intake_decisions`: one document per review decision taken, keyed by `decision_id`; `os`
    (`<obligation>:<seq>`) is unique, so two writers can never both take one obligation's next turn."""

    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self.col = db["intake_decisions"]

    async def create_indexes(self) -> None:
        await self.col.create_index("os", unique=True)

    async def summaries(self) -> list[dict[str, Any]]:
        return await self.col.find({}, {"obligation": 1, "version": 1, "state": 1, "seq": 1}).to_list(None)

    async def get(self, decision_id: str) -> dict[str, Any] | None:
        doc: dict[str, Any] | None = await self.col.find_one({"_id": decision_id})
        return doc

    async def insert(self, doc: dict[str, Any]) -> str | None:
        """None once stored; the key (`_id` or `os`) another writer took first otherwise."""
        try:
            await self.col.insert_one(doc)
        except DuplicateKeyError as exc:
            details = exc.details or {}
            key = details.get("keyPattern") or {}
            by_id = "_id" in key if key else "_id" in str(details.get("errmsg") or exc)
            return "_id" if by_id else "os"
        return None

    async def mark_published(self, decision_id: str) -> None:
        await self.col.update_one({"_id": decision_id}, {"$set": {"published": True}})


class CatalogRepo:
    """`catalog`: the directives registered through `review.catalog.register`, and the entries of submissions
    stored before a submission carried its own (field `catalog` of `submissions`)."""

    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self.col = db["catalog"]

    async def entries(self) -> AsyncIterator[Entry]:
        """Every entry, one at a time (read at start-up into the index)."""
        async for doc in self.col.find({}, dict.fromkeys(("number", "title", "issued_on", "issuer", "kind", "url"), 1)):
            yield from_doc(doc)

    async def add_many(self, docs: list[dict[str, Any]]) -> None:
        """Entries of submissions stored without their own (by an older version): written once, a redelivered
        write changes nothing."""
        if not docs:
            return
        try:
            await self.col.insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            if any(e.get("code") != DUPLICATE_KEY for e in exc.details.get("writeErrors", [])):
                raise

    async def put(self, doc: dict[str, Any]) -> None:
        await self.col.replace_one({"_id": doc["_id"]}, doc, upsert=True)
