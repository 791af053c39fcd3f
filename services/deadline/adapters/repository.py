"""The deadline service's collections: `obligations` (with the keys each one's events were published under) and
`deadline_units` (`deadline_marks`, a claim per key until issue 8, is no longer written or read).

Every hot query matches `_id` or one indexed field (nx-27017 scans on two-field matches, DESIGN.md):
the sweep `next_ts <= now`, a unit's obligations `unit_id`, a district's subtree `district`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, UpdateMany, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from services.deadline.adapters.documents import (
    DEADLINE_SIDE,
    SUBMISSION_SIDE,
    UNIT_SIDE,
    from_doc,
    move_doc,
    move_key,
    seen_doc,
    seen_key,
    sent_field,
    side,
    to_doc,
    unit_doc,
    unit_from_doc,
)
from services.deadline.domain.obligations import Obligation, UnitFacts
from services.deadline.domain.schedule import NEVER
from services.deadline.ports import Conflict
from shared.batching import MicroBatcher

REV = "rev"  # stored `Obligation.revision`
BATCH = 512  # reads or writes gathered into one round trip
IN_CHUNK = 5000  # ids per `$in` of a grouped update (a document stays far below 16 MiB)


class Obligations:
    """`get`/`many` and `save_submission_side`, the accepted events' path and the milestones queries, gather the
    calls of concurrent handlers into one `$in` read and one bulk write (shared.batching): a burst costs a few
    round trips per fetch, a compiler round's ~700 milestones queries a few in all."""

    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self.col = db["obligations"]
        # (the update, its obligation, the revision it expects or None)
        self._writes: MicroBatcher[tuple[UpdateOne, str, int | None], None] = MicroBatcher(self._write_many,
                                                                                             max_items=BATCH)
        # the id sets of concurrent `get` and `many` calls
        self._groups: MicroBatcher[frozenset[str], dict[str, Obligation]] = MicroBatcher(self._many_groups,
                                                                                          max_items=BATCH)

    async def close(self) -> None:
        await self._writes.close()
        await self._groups.close()

    async def create_indexes(self) -> None:
        for name in ("next_ts", "unit_id", "district"):
            await self.col.create_index([(name, ASCENDING)])

    async def get(self, obligation_id: str) -> Obligation | None:
        return (await self.many((obligation_id,))).get(obligation_id)

    async def _write_many(self, items: list[tuple[UpdateOne, str, int | None]]) -> list[None | BaseException]:
        """Unordered (no two writes of one obligation meet in a batch: its handlers hold its key's lock);
        each caller gets its own outcome: a guarded write that matched nothing gets `Conflict`."""
        results: list[None | BaseException] = [None] * len(items)
        try:
            result = await self.col.bulk_write([op for op, _, _ in items], ordered=False)
            applied = result.matched_count + result.upserted_count
        except BulkWriteError as exc:
            for error in exc.details.get("writeErrors", []):
                results[error["index"]] = RuntimeError(f"write failed: {error.get('errmsg', error)}"[:300])
            applied = int(exc.details.get("nMatched", 0)) + int(exc.details.get("nUpserted", 0))
        if applied < sum(r is None for r in results):
            await self._find_conflicts(items, results)
        return results

    async def _find_conflicts(self, items: list[tuple[UpdateOne, str, int | None]],
                              results: list[None | BaseException]) -> None:
        """Which guarded writes matched nothing: those whose obligation's revision is not the one they expected
        (rare: a unit or deadline change between a handler's read and its write). A write that did apply but
        whose obligation changed right after is taken for a conflict too: redone, it writes the same."""
        guarded = {i: (ob_id, rev) for i, (_, ob_id, rev) in enumerate(items) if results[i] is None and rev is not None}
        if not guarded:
            return
        stored = {d["_id"]: int(d.get(REV) or 0) async for d in self.col.find(
            {"_id": {"$in": [ob_id for ob_id, _ in guarded.values()]}}, {REV: 1})}
        for i, (ob_id, rev) in guarded.items():
            if stored.get(ob_id) != rev:
                results[i] = Conflict(ob_id)

    async def of_unit(self, unit_id: str) -> dict[str, Obligation]:
        return {d["_id"]: from_doc(d) async for d in self.col.find({"unit_id": unit_id})}

    async def save_unit_side(self, obs: Iterable[tuple[Obligation, int]]) -> None:
        """Write what the registry decides, never the submission fields. The deadline only while the
        obligation is in round 1 (a move's deadline stays, whatever the registry read meanwhile); the next
        check only earlier (`$min`: a check too early costs a look, one too late would miss an event)."""
        ops: list[UpdateOne] = []
        for ob, next_ts in obs:
            doc = to_doc(ob)
            fields = side(doc, UNIT_SIDE)
            if ob.overdue_announced:
                fields["overdue_announced"] = True
            ops.append(UpdateOne({"_id": ob.id}, {"$set": fields, "$min": {"next_ts": next_ts},
                                                  "$setOnInsert": side(doc, DEADLINE_SIDE), "$inc": {REV: 1}},
                                 upsert=True))
            if ob.round == 1:
                ops.append(UpdateOne({"_id": ob.id, "round": 1},
                                     {"$set": side(doc, ("due_at", "due_ts")), "$inc": {REV: 1}}))
        if ops:
            await self.col.bulk_write(ops, ordered=True)

    async def save_submission_side(self, ob: Obligation, answered: bool, read: Obligation | None = None) -> None:
        """Write what an accepted event decides; a placeholder's unit fields only if the document is new.
        `answered`: this version is the newest and answers the round, so nothing more is owed.

        `read`: the stored obligation `ob` was made from. Then the write applies only if no unit- or
        deadline-side write came since (`revision`), else `Conflict`: the caller reads again, instead of reading
        back every obligation it announced to see whether a concurrent handler changed it meanwhile."""
        doc = to_doc(ob)
        fields = side(doc, SUBMISSION_SIDE) | {f"seen.{seen_key(s.version)}": seen_doc(s) for s in ob.seen}
        on_insert = side(doc, UNIT_SIDE + DEADLINE_SIDE)
        if answered:
            fields["next_ts"] = NEVER
        else:
            on_insert["next_ts"] = NEVER
        if read is None:
            await self._writes.submit((UpdateOne({"_id": ob.id}, {"$set": fields, "$setOnInsert": on_insert},
                                                 upsert=True), ob.id, None))
            return
        since = {REV: read.revision} if read.revision else {REV: {"$exists": False}}
        await self._writes.submit((UpdateOne({"_id": ob.id, **since}, {"$set": fields}), ob.id, read.revision))

    async def save_move(self, before: Obligation, after: Obligation, next_ts: int) -> bool:
        """Start the next round, if the stored obligation is still in the round `before` was read in;
        False when another move got there first (the caller reads again)."""
        step = after.moves[-1]
        doc = to_doc(after)
        fields = side(doc, DEADLINE_SIDE) | {"overdue_announced": False, "next_ts": next_ts,
                                             "returned_version": after.returned_version,
                                             f"moves.{move_key(step.id)}": move_doc(step)}
        result = await self.col.update_one({"_id": before.id, "round": before.round},
                                           {"$set": fields, "$inc": {REV: 1}})
        return result.matched_count == 1

    async def due(self, now_ms: int) -> list[Obligation]:
        return [ob async for chunk in self.due_chunks(now_ms, BATCH) for ob in chunk]

    async def due_chunks(self, now_ms: int, size: int) -> AsyncIterator[list[Obligation]]:
        """The due obligations, `size` at a time as the cursor brings them (its batches that size too: the
        driver's default first batch is 101 documents, and a storm of 10 000 took ~100 round trips)."""
        chunk: list[Obligation] = []
        async for d in self.col.find({"next_ts": {"$lte": now_ms}}, batch_size=size):
            chunk.append(from_doc(d))
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    async def advance(self, rounds: Mapping[str, int], next_ts: Mapping[str, int],
                      sent: Mapping[str, list[str]], announced: Iterable[str] = ()) -> None:
        """After a sweep: record published keys; move each next check forward (`$max`, so a concurrent
        change that made the obligation owe nothing, next_ts = NEVER, is never moved back). Only in the round
        the sweep planned for: a move meanwhile started a new round whose checks the sweep knows nothing of.

        Obligations that get the same update (a storm: the same round, next check, published kinds) get it
        in one `update_many` over their ids: stored keys are relative to their obligation (`sent_field`)."""
        announced = set(announced)
        groups: dict[tuple[Any, ...], list[str]] = defaultdict(list)
        for ob_id in set(next_ts) | set(sent) | announced:
            fields = tuple(sorted(sent_field(ob_id, key) for key in sent.get(ob_id, ())))
            groups[(rounds.get(ob_id), next_ts.get(ob_id), fields, ob_id in announced)].append(ob_id)
        ops: list[UpdateMany] = []
        for (round_, check, fields, announce), ids in groups.items():
            update: dict[str, Any] = {}
            if check is not None:
                update["$max"] = {"next_ts": check}
            values: dict[str, Any] = {f"sent.{name}": True for name in fields}
            if announce:
                values["overdue_announced"] = True
            if values:
                update["$set"] = values
            for at in range(0, len(ids), IN_CHUNK):
                where: dict[str, Any] = {"_id": {"$in": ids[at:at + IN_CHUNK]}}
                if round_ is not None:
                    where["round"] = round_
                ops.append(UpdateMany(where, update))
        if ops:
            await self.col.bulk_write(ops, ordered=False)

    async def many(self, ids: Iterable[str]) -> dict[str, Obligation]:
        """The stored ones of `ids`. Concurrent calls share one `$in` read (`_many_groups`)."""
        wanted = frozenset(ids)
        if not wanted:
            return {}
        return await self._groups.submit(wanted)

    async def _many_groups(self, calls: list[frozenset[str]]) -> list[dict[str, Obligation]]:
        found = await self._fetch(frozenset().union(*calls))
        return [{i: found[i] for i in call if i in found} for call in calls]

    async def _fetch(self, ids: Iterable[str]) -> dict[str, Obligation]:
        wanted = sorted(ids)
        found: dict[str, Obligation] = {}
        for at in range(0, len(wanted), IN_CHUNK):
            async for d in self.col.find({"_id": {"$in": wanted[at:at + IN_CHUNK]}}):
                found[d["_id"]] = from_doc(d)
        return found

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
    """`get` gathers the calls of concurrent handlers and queries into one `$in` read (shared.batching): a
    compiler round asks the milestones of ~700 districts at once, each of them starting with its scope."""

    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self.col = db["deadline_units"]
        self._reads: MicroBatcher[str, UnitFacts | None] = MicroBatcher(self._get_many, max_items=BATCH)

    async def close(self) -> None:
        await self._reads.close()

    async def create_indexes(self) -> None:
        await self.col.create_index([("level", ASCENDING)])
        await self.col.create_index([("district", ASCENDING)])

    async def of_levels(self, levels: Iterable[str], path: str = "") -> list[UnitFacts]:
        """Units of these levels, at or below `path` (the root: every one). Below a district, read through the
        `district` index (the first path segment): a district's milestones query read the whole country's
        grassroots units, 700 times per compiler round at national scale."""
        wanted = set(levels)
        if path:
            docs = [d async for d in self.col.find({"district": path.split(".", 1)[0]})]
            if not docs:  # units stored before the `district` field: the old way
                docs = [d async for d in self.col.find({"level": {"$in": sorted(wanted)}})]
            return [unit_from_doc(d) for d in docs if d.get("level") in wanted
                    and (d.get("path") == path or str(d.get("path", "")).startswith(path + "."))]
        return [unit_from_doc(d) async for d in self.col.find({"level": {"$in": sorted(wanted)}})]

    async def get(self, unit_id: str) -> UnitFacts | None:
        return await self._reads.submit(unit_id)

    async def _get_many(self, ids: list[str]) -> list[UnitFacts | None]:
        found = {d["_id"]: unit_from_doc(d) async for d in self.col.find({"_id": {"$in": sorted(set(ids))}})}
        return [found.get(i) for i in ids]

    async def is_stale(self, unit_id: str, changed_ts: int | None) -> bool:
        """A registry event older than the one already stored (a redelivery overtaken by a newer change)."""
        if changed_ts is None:
            return False
        doc = await self.col.find_one({"_id": unit_id}, {"changed_ts": 1})
        return bool(doc and doc.get("changed_ts") and doc["changed_ts"] > changed_ts)

    async def save(self, unit: UnitFacts, changed_at: datetime | None) -> None:
        doc = unit_doc(unit, changed_at)
        await self.col.replace_one({"_id": unit.unit_id}, doc, upsert=True)
