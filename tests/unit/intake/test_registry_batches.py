"""The registry takes a fetched batch in stream order: parents before children inside one batch, one write,
events in order; a failed write puts the tree back so the redelivered batch is handled as the first time."""

from __future__ import annotations

import json
from datetime import datetime

from services.intake.domain.units import UnitTree
from services.intake.handlers import Registry
from shared.clock import ManualClock, aware
from shared.messaging import Inbound, Terminal
from tests.unit.intake.fakes import FakePublisher


class Units:
    def __init__(self) -> None:
        self.docs: dict[str, dict] = {}
        self.fail_next_save = False

    async def get(self, unit_id):
        return self.docs.get(unit_id)

    async def save(self, docs):
        if self.fail_next_save:
            self.fail_next_save = False
            raise ConnectionError("database down")
        for doc in docs:
            self.docs[doc["unit_id"]] = {**doc, "published": False}

    async def mark_published(self, docs):
        for doc in docs:
            self.docs[doc["unit_id"]]["published"] = True


def unit(unit_id: str, level: str, parent: str | None) -> dict:
    return {"unit_id": unit_id, "name": f"Đơn vị {unit_id}", "level": level, "parent_id": parent,
            "founded_on": "1980-03-02", "roles": [], "active": True, "contacts": [], "supervisors": []}


def inbound(body: dict, n: int) -> Inbound:
    return Inbound("review.units.upsert", json.dumps(body, ensure_ascii=False).encode(), {}, f"m{n}", f"c{n}")


def registry(messages) -> tuple[Registry, Units, FakePublisher, UnitTree]:
    units, publisher, tree = Units(), FakePublisher(), UnitTree()
    clock = ManualClock(aware(datetime(2023, 3, 1, 8)))
    return Registry(clock, messages, tree, units, publisher), units, publisher, tree


BATCH = [unit("TU", "province", None), unit("HU1", "district", "TU"), unit("X1", "grassroots", "HU1"),
         unit("X2", "grassroots", "NOWHERE"), unit("X3", "grassroots", "HU1")]


async def test_a_child_right_after_its_parent_in_one_batch_is_stored_and_events_keep_stream_order(messages):
    reg, units, publisher, tree = registry(messages)
    outcomes = await reg.handle_many([inbound(b, n) for n, b in enumerate(BATCH)])
    assert [type(o).__name__ if o else None for o in outcomes] == [None, None, None, "Terminal", None]
    assert set(units.docs) == {"TU", "HU1", "X1", "X3"} and all(d["published"] for d in units.docs.values())
    changed = [e for e in publisher.events if e.subject.startswith("review.units.changed.")]
    assert [e.payload.unit_id for e in changed] == ["TU", "HU1", "X1", "X3"]
    assert [e.correlation_id for e in changed] == ["c0", "c1", "c2", "c4"]
    assert [e.subject for e in publisher.events if e.subject == "review.units.rejected"] == ["review.units.rejected"]
    assert tree.get("X3")["path"] == "HU1.X3"


async def test_a_failed_write_puts_the_tree_back_and_the_redelivered_batch_is_stored(messages):
    reg, units, publisher, tree = registry(messages)
    units.fail_next_save = True
    batch = [inbound(b, n) for n, b in enumerate(BATCH[:3])]
    outcomes = await reg.handle_many(batch)
    assert all(isinstance(o, ConnectionError) for o in outcomes)
    assert len(tree) == 0 and units.docs == {} and publisher.events == []
    assert await reg.handle_many(batch) == [None, None, None]
    assert set(units.docs) == {"TU", "HU1", "X1"}


async def test_an_upsert_seen_before_is_answered_unchanged(messages):
    reg, _, _, _ = registry(messages)
    await reg.handle_many([inbound(BATCH[0], 0)])
    outcome = (await reg.handle_many([inbound(BATCH[0], 1)]))[0]
    assert isinstance(outcome, Terminal) and str(outcome) == "unchanged"
