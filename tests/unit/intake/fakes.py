"""Hand-written fakes of intake's ports (services/intake/ports.py)."""

from __future__ import annotations

from typing import Any


class FakeStore:
    def __init__(self) -> None:
        self.docs: dict[str, dict] = {}
        self.taken_ov: set[str] = set()

    async def summaries(self):
        for d in list(self.docs.values()):
            yield dict(d)

    async def by_ids(self, ids):
        return {i: dict(self.docs[i]) for i in ids if i in self.docs}

    async def versions(self, obligations):
        out: dict[str, list] = {}
        for d in self.docs.values():
            if d["obligation"] in obligations:
                out.setdefault(d["obligation"], []).append(d)
        return out

    async def insert(self, docs):
        refused = {}
        for i, d in enumerate(docs):
            if d["_id"] in self.docs:
                refused[i] = "_id"
            elif d["ov"] in self.taken_ov:
                refused[i] = "ov"
            else:
                self.docs[d["_id"]] = dict(d)
                self.taken_ov.add(d["ov"])
        return refused

    async def mark_published(self, ids):
        for i in ids:
            self.docs[i]["published"] = True


class FakeCatalog:
    def __init__(self) -> None:
        self.docs: dict[str, dict] = {}

    async def add_many(self, docs):
        for d in docs:
            self.docs.setdefault(d["_id"], d)

    async def put(self, doc):
        self.docs[doc["_id"]] = doc


class FakePublisher:
    def __init__(self) -> None:
        self.events = []

    async def publish(self, event):
        self.events.append(event)

    async def publish_many(self, events):
        events = list(events)
        self.events.extend(events)
        return len(events)


class FakeDecisions:
    def __init__(self) -> None:
        self.docs: dict[str, dict] = {}

    async def summaries(self):
        return [dict(d) for d in self.docs.values()]

    async def get(self, decision_id):
        doc = self.docs.get(decision_id)
        return dict(doc) if doc else None

    async def insert(self, doc):
        if doc["_id"] in self.docs:
            return "_id"
        if any(d["os"] == doc["os"] for d in self.docs.values()):
            return "os"
        self.docs[doc["_id"]] = dict(doc)
        return None

    async def mark_published(self, decision_id):
        self.docs[decision_id]["published"] = True


async def flush_then_crash(recorder: Any, candidates: list[Any]) -> None:
    """A recorder whose process dies after its write, before any event or mark."""

    async def die() -> None:
        raise SystemExit("crash after the write")

    recorder.after_write = die
    try:
        await recorder.flush(candidates)
    except SystemExit:
        pass
