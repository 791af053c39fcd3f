"""Recording accepted submissions, a batch at a time: no lookup (ids and obligations are known from start-up),
one insert_many (each submission carries its catalogue entries, field `catalog`: no second write), the events,
one record of the announced batch. Batches run one after another, so versions of one obligation are assigned in
order; the unique `ov` index (obligation:version) refuses a version another writer took first, and that message
is simply retried. A new version of an obligation the level above accepted is refused (`locked`) until a reopen
(CONTRACT section 10)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from services.intake.domain import catalog
from services.intake.domain.catalog import CatalogIndex
from services.intake.domain.evidence import evidence
from services.intake.domain.review import Standing, is_locked, standings
from services.intake.domain.submissions import Obligation
from services.intake.domain.versions import (
    Kind,
    ObligationState,
    Stored,
    content_hash,
    decide,
    obligation_key,
    obligation_state,
    state_of,
    version_key,
)
from services.intake.ports import CatalogStore, DecisionStore, EventPublisher, SubmissionStore
from shared import subjects
from shared.clock import iso
from shared.contract.submissions import Accepted, Submission
from shared.messaging import Event
from shared.plan import Plan


@dataclass(frozen=True)
class Candidate:
    submission: Submission
    obligation: Obligation
    received_at: datetime
    correlation_id: str | None = None


class Outcome(Enum):
    ACCEPTED = "accepted"
    REPEAT = "repeat"
    CONFLICT = "conflict"
    LOCKED = "locked"  # a new version of an obligation the level above accepted (CONTRACT section 10)


class Contended(Exception):
    """Another writer stored this id or this version first: retry the message, it will see what is stored."""


Seen = bytes | tuple[str, bool]


def seen(hash_: str, announced: bool) -> Seen:
    """A stored id's content hash and whether it was announced, as 33 bytes (66 with the header) rather than a
    tuple and the hash's hex text (170): one is kept per submission of the campaign."""
    if len(hash_) == 64 and hash_ == hash_.lower():
        try:
            return bytes.fromhex(hash_) + (b"\x01" if announced else b"\x00")
        except ValueError:
            pass
    return (hash_, announced)


def known_as(value: Seen | None) -> tuple[str, bool] | None:
    """(content hash, announced) back from `seen`."""
    if isinstance(value, bytes):
        return value[:32].hex(), value[32] == 1
    return value


class Recorder:
    def __init__(self, store: SubmissionStore, catalog_store: CatalogStore, index: CatalogIndex,
                 publisher: EventPublisher, plan: Plan,
                 after_write: Callable[[], Awaitable[None]] | None = None,
                 decisions: DecisionStore | None = None) -> None:
        self.store = store
        self.catalog_store = catalog_store
        self.index = index
        self.publisher = publisher
        self.plan = plan
        self.after_write = after_write
        self.decisions = decisions
        self.reviews: dict[str, Standing] = {}  # obligation -> its last review decision
        self._states: dict[str, ObligationState | None] = {}
        self._ids: dict[str, Seen] = {}  # submission id -> (content hash, announced), see `seen`
        self._versioning = asyncio.Lock()

    async def warm(self) -> None:
        """Learn every stored id and obligation once, at start-up: a batch then needs no lookup at all; the
        catalogue entries stored with the submissions go into the index in the same pass, one document at a time.
        (Intake is the only writer; another replica's write shows up as a refused insert, handled below.)"""
        by_obligation: dict[str, list[dict[str, Any]]] = {}
        async for doc in self.store.summaries():
            for entry in doc.pop("catalog", None) or ():
                self.index.add(catalog.from_doc(entry))
            self._ids[doc["_id"]] = seen(doc["content_hash"], bool(doc.get("published")))
            by_obligation.setdefault(doc["obligation"], []).append(doc)
        self._states = {o: state_of(docs) for o, docs in by_obligation.items()}
        if self.decisions is not None:
            self.reviews = standings(await self.decisions.summaries())

    def exclusive(self) -> asyncio.Lock:
        """Held while versions are assigned; a review decision holds it too, so "latest" and "locked" are
        never judged against a version being stored at that moment."""
        return self._versioning

    def latest(self, obligation: str) -> int:
        state = self._states.get(obligation)
        return state.version if state else 0

    def locked_version(self, obligation: str) -> int | None:
        """The accepted version that locks this obligation, if one does."""
        standing, latest = self.reviews.get(obligation), self.latest(obligation)
        return latest if latest and is_locked(standing, latest) else None

    async def flush(self, batch: list[Candidate]) -> list[Outcome | BaseException]:
        async with self._versioning:  # one batch at a time decides versions; announcing overlaps the next
            results, written, again = await self._store(batch)
        if again:
            found = await self.store.by_ids(again)
            written += [found[i] for i in again if i in found]
        if self.after_write and written:
            await self.after_write()
        await self._announce(written, {c.submission.submission_id: c.correlation_id for c in batch})
        for doc in written:
            self._ids[doc["_id"]] = seen(doc["content_hash"], True)
        return results

    async def _store(self, batch: list[Candidate]) -> tuple[list[Outcome | BaseException], list[dict[str, Any]], list[str]]:
        results: list[Outcome | BaseException] = [Outcome.REPEAT] * len(batch)
        fresh: list[tuple[int, dict[str, Any]]] = []
        again: list[str] = []
        # What this batch decided, over what was stored before it (copying those took O(n) a batch).
        ids: dict[str, Seen] = {}
        states: dict[str, ObligationState | None] = {}
        for i, cand in enumerate(batch):
            sub = cand.submission
            obligation = obligation_key(sub.unit_id, sub.report_type.value)
            raw = sub.model_dump_json()
            hash_ = content_hash(sub, raw)
            earlier = known_as(ids.get(sub.submission_id) or self._ids.get(sub.submission_id))
            known = Stored(earlier[0], earlier[1], {}) if earlier else None
            state = states[obligation] if obligation in states else self._states.get(obligation)
            decision = decide(hash_, known, state, cand.received_at, cand.obligation.due_at)
            if decision.kind is Kind.NEW and self.locked_version(obligation) is not None:
                results[i] = Outcome.LOCKED
            elif decision.kind is Kind.CONFLICT:
                results[i] = Outcome.CONFLICT
            elif decision.kind is Kind.REPEAT:
                if known is not None and not known.published and sub.submission_id not in again:
                    again.append(sub.submission_id)  # stored by an attempt that died before its events
            else:
                doc = self._document(cand, obligation, hash_, decision.version, decision.on_time, raw)
                fresh.append((i, doc))
                ids[sub.submission_id] = seen(hash_, True)  # the same id later in this batch: repeat or conflict
                states[obligation] = obligation_state(decision.version, decision.on_time)
                results[i] = Outcome.ACCEPTED
        refused = await self.store.insert([doc for _, doc in fresh])
        written = []
        for position, (i, doc) in enumerate(fresh):
            if position in refused:
                results[i] = Contended(f"{refused[position]} taken: {doc['_id']}")
            else:
                self._ids[doc["_id"]] = seen(doc["content_hash"], False)
                self._states[doc["obligation"]] = obligation_state(doc["version"], doc["on_time"])
                written.append(doc)
        if refused:
            await self._relearn([fresh[p][1] for p in refused])
        return results, written, again

    async def _relearn(self, docs: list[dict[str, Any]]) -> None:
        """Another writer got there first: learn what it stored, so the retried message decides right."""
        for doc in (await self.store.by_ids([d["_id"] for d in docs])).values():
            self._ids[doc["_id"]] = seen(doc["content_hash"], bool(doc.get("published")))
        obligations = list({d["obligation"] for d in docs})
        found = await self.store.versions(obligations)
        for obligation in obligations:
            self._states[obligation] = state_of(found.get(obligation, []))

    def _document(self, cand: Candidate, obligation: str, hash_: str, version: int, on_time: bool,
                  raw: str) -> dict[str, Any]:
        sub, unit_name, submission = cand.submission, cand.obligation.unit.name, json.loads(raw)
        entries = catalog.from_submission(submission, unit_name, self.plan.report_name(sub.report_type.value))
        return {
            "_id": sub.submission_id, "submission_id": sub.submission_id, "unit_id": sub.unit_id,
            "path": cand.obligation.unit.path, "report_type": sub.report_type.value, "version": version,
            "obligation": obligation, "received_at": iso(cand.received_at),
            "received_ts": int(cand.received_at.timestamp() * 1000), "due_at": iso(cand.obligation.due_at),
            "on_time": on_time, "content_hash": hash_, "submission": submission, "unit_name": unit_name,
            "catalog": [e.doc() for e in entries], "ov": version_key(obligation, version), "published": False,
        }

    async def _announce(self, docs: list[dict[str, Any]], correlations: dict[str, str | None]) -> None:
        """Index, then events, then the mark: a crash anywhere before the mark repeats all three, harmlessly (the
        entries were written with their submission; start-up indexes them again, an entry replaces its id)."""
        if not docs:
            return
        older = [doc for doc in docs if "catalog" not in doc]
        if older:  # stored by a version that wrote entries to `catalog` after the submission, maybe not yet
            await self.catalog_store.add_many([e.doc(source="submission", submission_id=d["_id"], unit_id=d["unit_id"])
                                               for d in older for e in self._entries(d)])
        for doc in docs:
            for entry in self._entries(doc):
                self.index.add(entry)
        await self.publisher.publish_many(accepted_event(d, correlations.get(d["_id"]), self.plan) for d in docs)
        await self.store.mark_published([d["_id"] for d in docs])

    def _entries(self, doc: dict[str, Any]) -> list[catalog.Entry]:
        """A stored submission's catalogue entries: those stored with it, else (older documents) built again."""
        if "catalog" in doc:
            return [catalog.from_doc(e) for e in doc["catalog"]]
        return catalog.from_submission(doc["submission"], doc.get("unit_name", doc["unit_id"]),
                                       self.plan.report_name(doc["report_type"]))


def accepted_event(doc: dict[str, Any], correlation_id: str | None, plan: Plan | None = None) -> Event:
    payload = Accepted(submission_id=doc["submission_id"], unit_id=doc["unit_id"], report_type=doc["report_type"],
                       version=doc["version"], received_at=doc["received_at"], due_at=doc["due_at"],
                       on_time=doc["on_time"],
                       evidence=evidence(plan, doc["report_type"], doc["submission"]) if plan else None,
                       report_type_name=plan.report_name(doc["report_type"]) if plan else None)
    return Event(subjects.accepted(doc["path"]), payload, msg_id=f"accepted:{doc['submission_id']}",
                 correlation_id=correlation_id or doc["submission_id"])
