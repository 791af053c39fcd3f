"""The compiler's collections: its projections, dirty marks and versioned drafts, and reads of intake's
`submissions` (by `_id`; at start-up, which submission holds each report's latest version). Every hot query is by
`_id` (the stand-in nx-27017 scans on anything else).

The projection writes of concurrent handlers (`save_coverage`) go to the database together, one `bulk_write` of
replaces by `_id` per flush, and their submission reads together, one `$in` by `_id`: a burst costs a round trip
per batch instead of one per event. Each call returns once its own write is done. Reports are not written at all:
the submissions hold them (`take_report`)."""

from __future__ import annotations

import asyncio
import json
import zlib
from collections.abc import Collection, Iterable, Mapping
from sys import intern
from typing import Any, NamedTuple

import bson
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo import DeleteOne, ReplaceOne, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, OperationFailure

from services.compiler.adapters.report_cache import ReportCache
from services.compiler.domain.draft import HEAD, content_json
from services.compiler.domain.model import ObligationRow, ReportRow, UnitInfo, report_key
from shared import db as shared_db
from shared.batching import MicroBatcher
from shared.text import interned

UNITS = "compiler_units"
COVERAGE = "compiler_coverage"
DIRTY = "compiler_dirty"
DRAFTS = "drafts"
LATEST = "drafts_latest"
SUBMISSIONS = "submissions"
DUPLICATE_KEY = 11000


WRITE_BATCH = 512
RAW: CodecOptions[RawBSONDocument] = CodecOptions(document_class=RawBSONDocument, tz_aware=True)
DRAFT_COMPRESSION = 1  # zlib level: a district draft 75 -> ~8 KB in ~0.3 ms; higher levels gain little on JSON
CACHE_BYTES = 28 << 20  # the report cache's budget: every report of a province (~3 000) takes ~5 MB


class Store:
    def __init__(self, database: AsyncDatabase[Any] | None = None, cache_bytes: int = CACHE_BYTES) -> None:
        self._db = database
        self.cache = ReportCache(cache_bytes)
        self._writes: MicroBatcher[tuple[str, str, dict[str, Any]], None] = MicroBatcher(
            self._write_many, max_items=WRITE_BATCH)
        self._reads: MicroBatcher[str, StoredSubmission | None] = MicroBatcher(self._read_many, max_items=WRITE_BATCH)
        self._marks: MicroBatcher[tuple[str, ...], None] = MicroBatcher(self._mark_many, max_items=WRITE_BATCH)
        # the writes of each recompute (RECOMPUTES_AT_ONCE run together): a version and its pointer, the pointer's
        # `published`, the dirty mark's clear; one command per batch instead of one per recompute (a national
        # burst wrote ~520 versions, each four commands, with the database's queue at ~150 ms)
        self._versions: MicroBatcher[tuple[dict[str, Any], dict[str, Any]], None] = MicroBatcher(
            self._save_versions, max_items=WRITE_BATCH)
        self._published: MicroBatcher[tuple[str, int], None] = MicroBatcher(self._publish_many,
                                                                              max_items=WRITE_BATCH)
        self._clears: MicroBatcher[tuple[str, int], None] = MicroBatcher(self._clear_many, max_items=WRITE_BATCH)
        self._sources: dict[str, str] = {}  # report key -> id of the submission holding its latest version

    def connect(self, uri: str) -> None:
        self._db = shared_db.connect(uri)

    @property
    def db(self) -> AsyncDatabase[Any]:
        assert self._db is not None, "Store.connect() first"
        return self._db

    # --- units ------------------------------------------------------------------------------------

    async def units(self) -> list[dict[str, Any]]:
        return [doc async for doc in self.db[UNITS].find({})]

    async def save_unit(self, doc: dict[str, Any]) -> None:
        await self.db[UNITS].replace_one({"_id": doc["unit_id"]}, {"_id": doc["unit_id"], **doc}, upsert=True)

    # --- coverage -------------------------------------------------------------------------------------

    async def coverage(self) -> list[dict[str, Any]]:
        return [doc async for doc in self.db[COVERAGE].find({})]

    async def save_coverage(self, key: str, doc: dict[str, Any]) -> None:
        await self._writes.submit((COVERAGE, key, doc))

    # --- reports --------------------------------------------------------------------------------------

    async def report_versions(self, report_types: Collection[str]) -> dict[str, int]:
        """The latest version of each report of these types, from intake's stored submissions (immutable, and
        stored before their accepted event went out), remembering which submission holds it: what `take_report`
        learnt before a restart, read back from the one place it is stored. (Until issue 8 the compiler wrote a
        record of it per accepted report, `compiler_reports`: 42 740 upserts in a national burst.)"""
        found: dict[str, tuple[int, str]] = {}
        fields = {"unit_id": 1, "report_type": 1, "version": 1}
        async for doc in self.db[SUBMISSIONS].find({"report_type": {"$in": sorted(report_types)}}, fields):
            if doc.get("version") is None:
                continue
            key = intern(report_key(doc["unit_id"], doc["report_type"]))
            if key not in found or int(doc["version"]) > found[key][0]:
                found[key] = (int(doc["version"]), doc["_id"])
        self._sources = {key: sid for key, (_, sid) in found.items()}
        return {key: version for key, (version, _) in found.items()}

    def would_cache(self, key: str, pinned: bool = False) -> bool:
        """Whether `take_report` would keep a new version's content of `key` (else it need not be read now)."""
        return self.cache.would_keep(key, pinned)

    def take_report(self, key: str, doc: Mapping[str, Any], pinned: bool = False) -> None:
        """The latest version of a report: the submission that holds it is remembered (intake's `submissions`
        keeps it; `report_versions` reads it back at start-up), its content, if given, goes to the cache (without
        it, a cached older version is dropped). `pinned`: kept in the cache past its budget (a report the
        provincial draft is compiled from)."""
        self._sources[key] = doc["submission_id"]
        if "content" in doc:
            self.cache.put(key, _report_row(doc), always=pinned)
        else:
            self.cache.drop(key)

    async def reports(self, keys: Iterable[str], pinned: bool = False) -> dict[str, ReportRow]:
        """The latest report of each key that has one: from the cache, the rest read from their submissions
        (raw, together with the other readers' by the read batcher)."""
        found: dict[str, ReportRow] = {}
        missing: list[str] = []
        for key in keys:
            row = self.cache.get(key)
            if row is None:
                if key in self._sources:
                    missing.append(key)
            else:
                found[key] = row
        if not missing:
            return found
        read = await asyncio.gather(*(self._reads.submit(self._sources[key]) for key in missing))
        for key, stored in zip(missing, read, strict=True):
            if stored is None or stored.version is None:
                continue  # not stored (a test's store without intake): no report
            raw = stored.content
            head = (stored.unit_id, stored.report_type, self._sources[key], stored.version)
            self.cache.put(key, ReportRow(*head, raw), always=pinned)  # type: ignore[arg-type]  # compressed as read
            found[key] = ReportRow(*head, bson.decode(raw.raw) if isinstance(raw, RawBSONDocument) else dict(raw))
        return found

    def cache_stats(self) -> dict[str, int]:
        return self.cache.stats()

    async def submission(self, submission_id: str) -> StoredSubmission | None:
        return await self._reads.submit(submission_id)

    # --- the batches ----------------------------------------------------------------------------------

    async def _write_many(self, items: list[tuple[str, str, dict[str, Any]]]) -> list[None]:
        """Replaces by `_id`, one `bulk_write` per collection. The callers hold a lock per key, so one batch
        never holds two writes of the same document."""
        by_collection: dict[str, list[ReplaceOne[Any]]] = {}
        for collection, key, doc in items:
            by_collection.setdefault(collection, []).append(ReplaceOne({"_id": key}, {"_id": key, **doc}, upsert=True))
        for collection, ops in by_collection.items():
            await self.db[collection].bulk_write(ops, ordered=False)
        return [None] * len(items)

    async def _read_many(self, ids: list[str]) -> list[StoredSubmission | None]:
        """Read raw: only the top-level fields are decoded, the content stays BSON for the report cache (decoding
        every submission of a national burst was a sixth of the compiler's time, and the cache encoded it
        again)."""
        submissions = self.db[SUBMISSIONS].with_options(codec_options=RAW)
        found = {d["_id"]: stored_submission(d) async for d in submissions.find({"_id": {"$in": sorted(set(ids))}})}
        return [found.get(i) for i in ids]

    async def close(self) -> None:
        await self._writes.close()
        await self._reads.close()
        await self._marks.close()
        await self._versions.close()
        await self._published.close()
        await self._clears.close()

    # --- dirty marks ------------------------------------------------------------------------------------

    async def mark_dirty(self, scopes: Iterable[str]) -> None:
        """Returns once a mark of each scope was written after this call began. The marks of concurrent handlers
        go together, one `$inc` per scope per batch: a batch of 256 obligation changes that all touch the province
        wrote its mark 256 times."""
        scopes = tuple(sorted(set(scopes)))
        if scopes:
            await self._marks.submit(scopes)

    async def _mark_many(self, calls: list[tuple[str, ...]]) -> list[None]:
        scopes = sorted({s for call in calls for s in call})
        await self.db[DIRTY].bulk_write([UpdateOne({"_id": s}, {"$inc": {"gen": 1}}, upsert=True) for s in scopes],
                                        ordered=False)
        return [None] * len(calls)

    async def dirty(self, scopes: list[str] | None = None) -> dict[str, int]:
        """The marks: all of them, or those of `scopes`."""
        query = {} if scopes is None else {"_id": {"$in": scopes}}
        return {d["_id"]: int(d.get("gen", 0)) async for d in self.db[DIRTY].find(query)}

    async def clear_dirty(self, scope: str, gen: int) -> None:
        """Clear the mark only if nothing marked it again since it was read."""
        await self._clears.submit((scope, gen))

    async def _clear_many(self, items: list[tuple[str, int]]) -> list[None]:
        await self.db[DIRTY].bulk_write([DeleteOne({"_id": scope, "gen": gen}) for scope, gen in items],
                                        ordered=False)
        return [None] * len(items)

    # --- drafts ---------------------------------------------------------------------------------------

    async def head(self, scope: str) -> dict[str, Any] | None:
        """The pointer to the scope's latest version: `version`, `hash`, `published` (no draft)."""
        doc: dict[str, Any] | None = await self.db[LATEST].find_one({"_id": scope})
        return doc

    async def latest(self, scope: str) -> dict[str, Any] | None:
        """The pointer with its `draft`."""
        head = await self.head(scope)
        if head is None:
            return None
        draft = head.get("draft") or await self.draft(scope, int(head["version"]))  # `draft`: stored before issue 8
        return {**head, "draft": draft} if draft else None

    async def draft(self, scope: str, version: int) -> dict[str, Any] | None:
        doc = await self.db[DRAFTS].find_one({"_id": f"{scope}:{version}"})
        return stored_draft(doc) if doc else None

    async def save_draft(self, scope: str, version: int, digest: str, draft: dict[str, Any],
                         content: bytes | None = None) -> bytes:
        """The version first, then the pointer to it; a crash between the two redoes both, harmlessly. The draft
        is written once: the pointer holds its version and hash (a recompute compares hashes, reading only it).

        A version keeps its content compressed (`draft_z`: zlib of the JSON the hash was computed from, `content`
        when the caller has it; `bytes` its size) beside its `version` and `updated_at`: every version is kept,
        and a national burst wrote ~4 000 district drafts of ~75 KB, most of what the database had to write.
        Returns the content as stored (`unpack_draft` reads it)."""
        raw = content if content is not None else content_json(draft)[1]
        body = {"scope": scope, "version": version, "hash": digest, "updated_at": draft.get("updated_at")}
        packed = pack_draft(raw)
        doc = {"_id": f"{scope}:{version}", **body, "bytes": len(raw), "draft_z": packed}
        await self._versions.submit((doc, {"_id": scope, **body, "published": False}))
        return packed

    async def _save_versions(self, items: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[BaseException | None]:
        """The versions in one insert, then the pointers of those stored in one bulk write. The callers are
        recomputes of distinct scopes (one loop per scope), so no batch holds two pointers of one scope."""
        results: list[BaseException | None] = [None] * len(items)
        try:
            await self.db[DRAFTS].insert_many([doc for doc, _ in items], ordered=False)
        except BulkWriteError as exc:
            for error in exc.details.get("writeErrors", []):
                at = int(error["index"])
                if error.get("code") != DUPLICATE_KEY:
                    results[at] = OperationFailure(str(error.get("errmsg")), error.get("code"), error)
                    continue
                doc = items[at][0]  # redone after a crash before the pointer moved ($set: nx-27017 replaces no bytes)
                await self.db[DRAFTS].update_one({"_id": doc["_id"]},
                                                 {"$set": {k: v for k, v in doc.items() if k != "_id"},
                                                  "$unset": {"draft": ""}})
        pointers = [ReplaceOne({"_id": pointer["_id"]}, pointer, upsert=True)
                    for (_, pointer), failed in zip(items, results, strict=True) if failed is None]
        if pointers:
            await self.db[LATEST].bulk_write(pointers, ordered=False)
        return results

    async def mark_published(self, scope: str, version: int) -> None:
        """The pointer's version was published (a pointer moved on to a newer version meanwhile keeps its own)."""
        await self._published.submit((scope, version))

    async def _publish_many(self, items: list[tuple[str, int]]) -> list[None]:
        await self.db[LATEST].bulk_write(
            [UpdateOne({"_id": scope, "version": version}, {"$set": {"published": True, "published_version": version}})
             for scope, version in items], ordered=False)
        return [None] * len(items)


def stored_draft(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored version's draft: its compressed content (`draft_z`) with its version and time or, stored before
    issue 8, a document (`draft`)."""
    if doc.get("draft_z") is None:
        return doc.get("draft") or {}
    content = unpack_draft(doc["draft_z"])
    head = {k: doc[k] for k in ("scope", *HEAD) if doc.get(k) is not None}
    return {**head, **content}


def pack_draft(content: bytes) -> bytes:
    """A version's content (its JSON, `content_json`) as stored: `draft_z`."""
    return zlib.compress(content, DRAFT_COMPRESSION)


def unpack_draft(packed: bytes) -> dict[str, Any]:
    content: dict[str, Any] = json.loads(zlib.decompress(packed))
    return content


def unit_info(doc: dict[str, Any]) -> UnitInfo:
    return UnitInfo(intern(doc["unit_id"]), doc.get("name") or doc["unit_id"], intern(doc.get("level", "")),
                    interned(doc.get("parent_id")), doc.get("path") or "", bool(doc.get("active", True)))


class StoredSubmission(NamedTuple):
    """What the compiler takes of a stored submission (intake's `submissions`)."""

    version: int | None
    path: str | None
    content: Mapping[str, Any]  # as read: a RawBSONDocument, compressed as it is by the report cache
    unit_id: str = ""
    report_type: str = ""


def stored_submission(doc: Mapping[str, Any]) -> StoredSubmission:
    """From the document intake stores (read raw or not)."""
    submission = doc.get("submission")
    content = submission.get("content") if submission is not None else None
    version = doc.get("version")
    return StoredSubmission(int(version) if version is not None else None, doc.get("path"),
                            content if content is not None else {}, doc.get("unit_id") or "",
                            doc.get("report_type") or "")


def _report_row(doc: Mapping[str, Any]) -> ReportRow:
    content = doc.get("content")  # not `or {}`: the truth of a RawBSONDocument decodes it
    return ReportRow(doc["unit_id"], doc["report_type"], doc["submission_id"], int(doc["version"]),
                     content if content is not None else {})  # type: ignore[arg-type]


def obligation_row(doc: dict[str, Any]) -> ObligationRow:
    """Ids, statuses and dates interned: 55 000 rows at national scale repeat them (and the tree's unit ids)."""
    return ObligationRow(intern(doc["unit_id"]), intern(doc["report_type"]), intern(doc["status"]),
                         doc.get("unit_name") or "", doc.get("path") or "", interned(doc.get("due_at")),
                         doc.get("version"), int(doc.get("changed_ts") or 0))

