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

        self.reads: list[list[str]] = []  # each by_ids call, its ids

    async def get(self, unit_id):
        return self.docs.get(unit_id)

    async def by_ids(self, unit_ids):
        self.reads.append(list(unit_ids))
        return {i: {**self.docs[i], "_id": i} for i in unit_ids if i in self.docs}

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
    assert tree.view("X3").path == "HU1.X3"


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



def person(name: str) -> dict:
    return {"name": name, "email": f"{name.lower()}@example.vn"}


# Levels keep paths stable, so a cascade needs a stored tree whose paths are out of date (an older registry):
# district D was stored under the path OLD, its unit G under OLD.G.
STALE = [
    {**unit("R", "province", None), "path": "", "revision": 1, "content_hash": "r" * 64},
    {**unit("D", "district", "R"), "path": "OLD", "revision": 1, "content_hash": "d" * 64},
    {**unit("G", "grassroots", "D"), "contacts": [person("Lan")], "supervisors": [person("Minh")], "path": "OLD.G",
     "revision": 3, "content_hash": "g" * 64},
]


def stale_registry(messages) -> tuple[Registry, Units, FakePublisher, UnitTree]:
    reg, units, publisher, tree = registry(messages)
    for doc in STALE:
        units.docs[doc["unit_id"]] = {**doc, "published": True}
        tree.commit({**doc, "_id": doc["unit_id"], "published": True})
    return reg, units, publisher, tree


async def test_a_moved_parent_republishes_its_children_read_whole_from_the_database_in_one_query(messages):
    reg, units, publisher, tree = stale_registry(messages)
    assert await reg.handle_many([inbound(unit("D", "district", "R"), 0)]) == [None]
    assert units.reads == [["G"]]
    [d, g] = [e.payload for e in publisher.events]
    assert (d.unit_id, d.path, g.unit_id, g.path) == ("D", "D", "G", "D.G")
    assert [c.name for c in g.contacts] == ["Lan"] and [c.name for c in g.supervisors] == ["Minh"]
    assert units.docs["G"]["contacts"] == [person("Lan")] and units.docs["G"]["revision"] == 4
    assert units.docs["G"]["published"] and tree.view("G").path == "D.G"


async def test_a_child_changed_earlier_in_the_batch_moves_as_the_batch_left_it_not_as_stored(messages):
    reg, units, publisher, tree = stale_registry(messages)
    g = {**unit("G", "grassroots", "D"), "contacts": [person("Hoa")]}
    assert await reg.handle_many([inbound(g, 0), inbound(unit("D", "district", "R"), 1)]) == [None, None]
    assert units.reads == []
    moved = [e.payload for e in publisher.events if e.payload.unit_id == "G"][-1]
    assert moved.path == "D.G" and [c.name for c in moved.contacts] == ["Hoa"] and units.docs["G"]["revision"] == 5


async def test_a_failed_write_after_a_move_puts_back_the_summaries_the_tree_had(messages):
    reg, units, publisher, tree = stale_registry(messages)
    before = {u: tree.node(u) for u in ("R", "D", "G")}
    units.fail_next_save = True
    batch = [inbound(unit("D", "district", "R"), 0)]
    assert isinstance((await reg.handle_many(batch))[0], ConnectionError)
    assert {u: tree.node(u) for u in ("R", "D", "G")} == before and publisher.events == []
    assert units.docs["G"]["path"] == "OLD.G"
    assert await reg.handle_many(batch) == [None]
    assert units.reads == [["G"], ["G"]] and units.docs["G"]["path"] == "D.G" and tree.view("G").path == "D.G"


async def test_a_unit_missing_from_the_database_holds_the_batch_back_from_it_on(messages):
    reg, units, publisher, tree = stale_registry(messages)
    del units.docs["G"]
    outcomes = await reg.handle_many([inbound(unit("X", "grassroots", "D"), 0),
                                      inbound(unit("D", "district", "R"), 1)])
    assert outcomes[0] is None and isinstance(outcomes[1], LookupError)
    assert tree.view("D").path == "OLD" and [e.payload.unit_id for e in publisher.events] == ["X"]
