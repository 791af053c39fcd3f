"""The outbox in MongoDB (`outbox`): one document per (event key, recipient), `_id` = `<event key>|<recipient>`
(the unique index), written before anything is sent. `due_ts` (epoch ms, indexed) is set while the entry needs
the sender (to send it, retry it, or announce its outcome) and unset once it is done, so the hot query is a
range on one indexed field, which the nx-27017 stand-in serves from its index.

`add` and `mark_sent` of concurrent callers go to the database together (one `insert_many`, one `bulk_write`
per batch); each call still returns only once its own write is done, so a consumer acks after its entries are
written and the sender records a mail as sent before it forgets it."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from services.notifier.domain.mail import Mail, Person
from services.notifier.ports import FAILED, PENDING, SENDING, SENT, Entry
from shared.batching import MicroBatcher

DUPLICATE_KEY = 11000


BATCH = 512


class MongoOutbox:
    def __init__(self, db: AsyncDatabase[Any], name: str = "outbox", holder: str | None = None) -> None:
        self.col = db[name]
        # who leases entries (`holder` on them): this host. A notifier restarted on it resumes what it held; a
        # replica elsewhere leaves them to their lease (`resume`).
        self.holder = holder or socket.gethostname()
        self._adds: MicroBatcher[tuple[Sequence[Mail], int, int | None], set[str]] = MicroBatcher(
            self._add_many, max_items=BATCH)
        # gathered for the batcher's default few milliseconds only: a mail sent and not yet recorded is sent again
        # after a crash (CONTRACT section 8's one window), and a 25 ms wait here let a kill -9 resend three mails
        self._marks: MicroBatcher[tuple[str, dict[str, Any]], None] = MicroBatcher(self._update_many,
                                                                                    max_items=BATCH)

    async def ensure_indexes(self) -> None:
        await self.col.create_index([("due_ts", ASCENDING)], name="due_ts")
        await self.col.create_index([("state", ASCENDING)], name="state")

    async def add(self, mails: Sequence[Mail], due_ms: int) -> int:
        """Insert what is new, due at `due_ms`; entries already there (a redelivered event) are left exactly as
        they are. Returns how many of these mails were new."""
        if not mails:
            return 0
        return len(await self._adds.submit((mails, due_ms, None)))

    async def add_leased(self, mails: Sequence[Mail], now_ms: int, lease_until_ms: int) -> set[str]:
        """Insert what is new already leased (`sending`, one attempt, due when the lease ends) to the caller,
        which sends them; returns their ids. Entries already there are left as they are."""
        if not mails:
            return set()
        return await self._adds.submit((mails, now_ms, lease_until_ms))

    async def _add_many(self, calls: list[tuple[Sequence[Mail], int, int | None]]) -> list[set[str]]:
        docs, owner = [], []
        for n, (mails, due_ms, lease) in enumerate(calls):
            for mail in mails:
                docs.append(_doc(mail, due_ms) if lease is None else _doc(mail, due_ms) | {
                    "state": SENDING, "attempts": 1, "due_ts": lease, "holder": self.holder})
                owner.append(n)
        new = [{m.id for m in mails} for mails, _, _ in calls]
        try:
            await self.col.insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") != DUPLICATE_KEY for e in errors):
                raise
            for error in errors:
                index = int(error["index"])
                new[owner[index]].discard(docs[index]["_id"])
        return new

    async def _update_many(self, updates: list[tuple[str, dict[str, Any]]]) -> list[None]:
        await self.col.bulk_write([UpdateOne({"_id": i}, u) for i, u in updates], ordered=False)
        return [None] * len(updates)

    async def close(self) -> None:
        await self._adds.close()
        await self._marks.close()

    async def due(self, now_ms: int, limit: int) -> list[Entry]:
        cursor = self.col.find({"due_ts": {"$lte": now_ms}}).sort("due_ts", ASCENDING).limit(limit)
        return [_entry(doc) async for doc in cursor]

    async def claim(self, ids: Sequence[str], now_ms: int, lease_until_ms: int) -> set[str]:
        """Lease the entries still due by `now_ms` (not leased meanwhile by another replica's sender); returns the
        ids this call leased. The common case, every entry leased, is told by the count; otherwise the ids are
        read back by this claim's token."""
        ids = list(ids)
        if not ids:
            return set()
        token = uuid.uuid4().hex
        result = await self.col.update_many(
            {"_id": {"$in": ids}, "due_ts": {"$lte": now_ms}},
            {"$set": {"state": SENDING, "due_ts": lease_until_ms, "lease": token, "holder": self.holder},
             "$inc": {"attempts": 1}},
        )
        if result.modified_count == len(ids):
            return set(ids)
        return {d["_id"] async for d in self.col.find({"_id": {"$in": ids}, "lease": token}, {"_id": 1})}

    async def hold(self, ids: Sequence[str], until_ms: int) -> None:
        await self.col.update_many({"_id": {"$in": list(ids)}}, {"$set": {"due_ts": until_ms}})

    async def mark_sent(self, entry_id: str, sent_at: str, announce_ms: int | None) -> None:
        await self._marks.submit((entry_id, _settle({"state": SENT, "sent_at": sent_at}, announce_ms)))

    async def reschedule(self, entry_id: str, due_ms: int, reason: str) -> None:
        await self.col.update_one({"_id": entry_id}, {"$set": {"state": PENDING, "due_ts": due_ms, "reason": reason}})

    async def mark_failed(self, entry_id: str, failed_at: str, reason: str, announce_ms: int | None) -> None:
        fields = {"state": FAILED, "failed_at": failed_at, "reason": reason}
        await self.col.update_one({"_id": entry_id}, _settle(fields, announce_ms))

    async def announced(self, ids: Sequence[str]) -> None:
        await self.col.update_many({"_id": {"$in": list(ids)}}, {"$unset": {"due_ts": ""}})

    async def resume(self, now_ms: int) -> int:
        """At start-up: entries this host left `sending` (a crash between send and record) are due now, the one
        resend CONTRACT § 8 admits. Entries another host holds are not touched: that replica may be sending them
        at this moment; if it died, they are due when their lease ends. (Entries without a holder: stored before
        holders were recorded.)"""
        modified = 0
        for holder in (self.holder, None):
            result = await self.col.update_many({"state": SENDING, "holder": holder}, {"$set": {"due_ts": now_ms}})
            modified += result.modified_count
        return modified

    async def get(self, entry_id: str) -> Entry | None:
        doc = await self.col.find_one({"_id": entry_id})
        return _entry(doc) if doc else None

    async def count(self, state: str) -> int:
        return await self.col.count_documents({"state": state})


def _settle(fields: dict[str, Any], announce_ms: int | None) -> dict[str, Any]:
    if announce_ms is None:
        return {"$set": fields, "$unset": {"due_ts": ""}}
    return {"$set": {**fields, "due_ts": announce_ms}}


def _people(people: Sequence[Person]) -> list[list[str]]:
    return [[p.name, p.email] for p in people]


def _doc(mail: Mail, due_ms: int) -> dict[str, Any]:
    return {
        "_id": mail.id, "event_key": mail.event_key, "recipient": mail.recipient, "message_id": mail.message_id,
        "kind": mail.kind, "unit_id": mail.unit_id, "correlation_id": mail.correlation_id,
        "source_subject": mail.source_subject, "subject": mail.subject, "text": mail.text, "html": mail.html,
        "to": _people(mail.to), "cc": _people(mail.cc), "date": mail.date,
        "state": PENDING, "attempts": 0, "due_ts": due_ms, "created_ts": due_ms,
        "reason": None, "sent_at": None, "failed_at": None,
    }


def _entry(doc: dict[str, Any]) -> Entry:
    mail = Mail(
        event_key=doc["event_key"], recipient=doc["recipient"], subject=doc["subject"], text=doc["text"],
        html=doc["html"], to=tuple(Person(n, e) for n, e in doc.get("to", [])),
        cc=tuple(Person(n, e) for n, e in doc.get("cc", [])), date=doc.get("date", ""), kind=doc.get("kind", ""),
        unit_id=doc.get("unit_id"), correlation_id=doc.get("correlation_id"),
        source_subject=doc.get("source_subject", ""),
    )
    return Entry(mail, doc.get("state", PENDING), int(doc.get("attempts", 0)), doc.get("reason"),
                 doc.get("sent_at"), doc.get("failed_at"))
