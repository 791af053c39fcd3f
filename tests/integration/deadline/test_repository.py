"""Every query and update shape of the deadline repositories, checked by its result on the test database
(nx-27017 here, which fails silently on shapes it does not support)."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest_asyncio

from services.deadline.adapters.repository import Obligations, Units
from services.deadline.domain.obligations import Obligation, UnitFacts, moved, with_accepted
from services.deadline.domain.schedule import NEVER, epoch_ms
from shared import db
from shared.clock import aware
from tests.unit.deadline.conftest import at

DUE = at("2023-05-15 00:00")


def grassroots(unit: str, district: str = "HU03", **changes) -> Obligation:
    base = Obligation(unit, "resolution_review", DUE, unit_name=f"Xã {unit}", path=f"{district}.{unit}",
                      parent_id=district, level="grassroots")
    return base if not changes else Obligation(**{**base.__dict__, **changes})


@pytest_asyncio.fixture
async def database(mongo_uri):
    yield db.connect(mongo_uri)
    await db.close()


async def test_an_obligation_round_trips_with_every_field(database):
    store = Obligations(database)
    ob = grassroots("CS1", sent=frozenset({"reminder:CS1:resolution_review:P7D"}), exempt=True)
    await store.save_unit_side([(ob, 5)])
    found = await store.get(ob.id)
    assert found == Obligation(**{**ob.__dict__, "sent": frozenset()})  # `sent` is the sweep's to write
    assert aware(found.due_at) == DUE


async def test_the_sweep_query_finds_exactly_the_obligations_whose_next_check_has_come(database):
    store = Obligations(database)
    await store.create_indexes()
    await store.seed([(grassroots("CS1"), 100), (grassroots("CS2"), 200), (grassroots("CS3"), NEVER)])
    assert sorted(ob.unit_id for ob in await store.due(200)) == ["CS1", "CS2"]
    await store.seed([(grassroots(f"CS{n}"), 150) for n in range(4, 9)])
    chunks = [[ob.unit_id for ob in chunk] async for chunk in store.due_chunks(200, 3)]
    assert [len(c) for c in chunks] == [3, 3, 1]
    assert sorted(u for c in chunks for u in c) == ["CS1", "CS2", "CS4", "CS5", "CS6", "CS7", "CS8"]


async def test_advancing_records_keys_and_never_moves_a_next_check_back(database):
    store = Obligations(database)
    await store.seed([(grassroots("CS1"), 100), (grassroots("CS2"), NEVER)])
    await store.advance({}, {"CS1:resolution_review": 300, "CS2:resolution_review": 300},
                        {"CS1:resolution_review": ["overdue:CS1:resolution_review"]}, ["CS1:resolution_review"])
    assert sorted(ob.unit_id for ob in await store.due(300)) == ["CS1"]
    assert [ob.unit_id for ob in await store.due(299)] == []
    cs1 = await store.get("CS1:resolution_review")
    assert cs1.sent == {"overdue:CS1:resolution_review"} and cs1.overdue_announced


async def test_a_district_query_returns_its_whole_subtree_and_a_unit_query_its_own(database):
    store = Obligations(database)
    await store.create_indexes()
    await store.seed([(grassroots("CS1"), 1), (grassroots("CS2", "HU05"), 1),
                      (Obligation("HU03", "inspection_review", DUE, path="HU03"), 1)])
    assert sorted(ob.id for ob in await store.in_district("HU03")) == ["CS1:resolution_review",
                                                                      "HU03:inspection_review"]
    assert list(await store.of_unit("CS2")) == ["CS2:resolution_review"]
    assert len(await store.everything()) == 3


async def test_an_accepted_event_before_the_unit_creates_a_placeholder_the_unit_completes(database):
    store = Obligations(database)
    early = with_accepted(Obligation("CS1", "resolution_review", DUE, path="HU03.CS1", known=False), 1, "s1", True)
    await store.save_submission_side(early, answered=True)
    assert (await store.get(early.id)).known is False
    await store.save_unit_side([(grassroots("CS1"), NEVER)])
    ob = await store.get(early.id)
    assert (ob.known, ob.unit_name, ob.submission_id, ob.on_time) == (True, "Xã CS1", "s1", True)


async def test_an_accepted_event_after_the_unit_keeps_the_units_fields_and_stops_the_checks(database):
    store = Obligations(database)
    await store.save_unit_side([(grassroots("CS1"), 100)])
    await store.save_submission_side(with_accepted(
        Obligation("CS1", "resolution_review", DUE, path="elsewhere", known=False), 2, "s2", False), answered=True)
    ob = await store.get("CS1:resolution_review")
    assert (ob.known, ob.path, ob.version) == (True, "HU03.CS1", 2)
    assert await store.due(NEVER - 1) == []


async def test_a_unit_event_older_than_the_stored_one_is_stale(database):
    units = Units(database)
    unit = UnitFacts("CS1", "Xã", "grassroots", "HU03.CS1", "HU03", date(1990, 1, 1), ("x",), True)
    await units.save(unit, at("2023-02-01 00:00"))
    assert await units.get("CS1") == unit
    assert await units.is_stale("CS1", epoch_ms(at("2023-01-01 00:00")))
    assert not await units.is_stale("CS1", epoch_ms(at("2023-03-01 00:00")))


async def test_versions_moves_and_evidence_round_trip_though_ids_hold_dots(database):
    store = Obligations(database)
    ob = with_accepted(grassroots("CS1"), 1, "sub.1:a", True, at("2023-05-10 09:00"), {"conference.held_on": "2023-06-20"})
    ob = moved(ob, "return:dec.1", at("2023-05-25 00:00"), returned_version=1)
    await store.seed([(ob, 1)])
    assert await store.get(ob.id) == ob
    assert (await store.many([ob.id, "nothing"])) == {ob.id: ob}


async def test_a_move_sticks_only_in_the_round_it_was_read_in(database):
    store = Obligations(database)
    ob = grassroots("CS1")
    await store.seed([(ob, 100)])
    first = moved(ob, "extension:e1", at("2023-06-01 00:00"))
    assert await store.save_move(ob, first, 500)
    assert not await store.save_move(ob, moved(ob, "extension:e2", at("2023-07-01 00:00")), 600)
    stored = await store.get(ob.id)
    assert (stored.round, stored.due_at, [m.id for m in stored.moves]) == (2, at("2023-06-01 00:00"), ["extension:e1"])
    assert [o.unit_id for o in await store.due(500)] == ["CS1"] and await store.due(499) == []


async def test_a_sweep_planned_in_an_old_round_records_nothing_on_the_new_one(database):
    store = Obligations(database)
    ob = grassroots("CS1")
    await store.seed([(ob, 100)])
    await store.save_move(ob, moved(ob, "extension:e1", at("2023-06-01 00:00")), 500)
    await store.advance({ob.id: 1}, {ob.id: NEVER}, {ob.id: ["overdue:CS1:resolution_review"]}, [ob.id])
    stored = await store.get(ob.id)
    assert (stored.sent, stored.overdue_announced) == (frozenset(), False)
    assert [o.unit_id for o in await store.due(500)] == ["CS1"]


async def test_a_registry_change_keeps_a_moved_deadline_and_only_brings_the_next_check_forward(database):
    store = Obligations(database)
    ob = grassroots("CS1")
    await store.save_unit_side([(ob, 100)])
    await store.save_move(ob, moved(ob, "extension:e1", at("2023-06-01 00:00")), 500)
    await store.save_unit_side([(Obligation(**{**ob.__dict__, "unit_name": "Xã mới"}), 900)])
    stored = await store.get(ob.id)
    assert (stored.unit_name, stored.round, stored.due_at) == ("Xã mới", 2, at("2023-06-01 00:00"))
    assert [o.unit_id for o in await store.due(500)] == ["CS1"]
    await store.save_unit_side([(Obligation(**{**ob.__dict__, "due_at": at("2023-05-20 00:00")}), 50)])
    assert (await store.get(ob.id)).due_at == at("2023-06-01 00:00")


async def test_a_plan_deadline_change_reaches_an_obligation_still_in_round_one(database):
    store = Obligations(database)
    ob = grassroots("CS1")
    await store.save_unit_side([(ob, 100)])
    await store.save_unit_side([(Obligation(**{**ob.__dict__, "due_at": at("2023-05-20 00:00")}), 100)])
    assert (await store.get(ob.id)).due_at == at("2023-05-20 00:00")


async def test_a_submission_that_answers_stops_the_checks_and_one_that_does_not_leaves_them(database):
    store = Obligations(database)
    ob = grassroots("CS1")
    await store.seed([(ob, 100)])
    await store.save_submission_side(with_accepted(ob, 1, "s1", True, DUE), answered=False)
    assert [o.unit_id for o in await store.due(100)] == ["CS1"]
    await store.save_submission_side(with_accepted(ob, 1, "s1", True, DUE), answered=True)
    assert await store.due(NEVER - 1) == []


async def test_units_are_found_by_level(database):
    units = Units(database)
    await units.create_indexes()
    for unit in (UnitFacts("TU", "Tỉnh ủy", "province", ""), UnitFacts("HU03", "Huyện", "district", "HU03", "TU"),
                 UnitFacts("CS1", "Xã", "grassroots", "HU03.CS1", "HU03")):
        await units.save(unit, None)
    assert sorted(u.unit_id for u in await units.of_levels(["district", "province"])) == ["HU03", "TU"]


async def test_a_submission_write_made_from_a_read_applies_only_if_no_unit_or_deadline_write_came_since(database):
    from services.deadline.ports import Conflict

    store = Obligations(database)
    await store.save_unit_side([(grassroots("CS1"), 100)])
    read = await store.get("CS1:resolution_review")
    assert read.revision > 0
    await store.save_unit_side([(grassroots("CS1", unit_name="Xã CS1 mới"), 100)])  # a rename meanwhile
    try:
        await store.save_submission_side(with_accepted(read, 1, "s1", True, DUE), answered=True, read=read)
    except Conflict:
        pass
    else:
        raise AssertionError("the write made from a stale read applied")
    assert (await store.get("CS1:resolution_review")).submission_id is None
    fresh = await store.get("CS1:resolution_review")
    await store.save_submission_side(with_accepted(fresh, 1, "s1", True, DUE), answered=True, read=fresh)
    ob = await store.get("CS1:resolution_review")
    assert (ob.submission_id, ob.unit_name) == ("s1", "Xã CS1 mới")


async def test_a_guarded_write_on_an_obligation_stored_before_revisions_applies(database):
    store = Obligations(database)
    await store.seed([(grassroots("CS2"), 100)])  # seeded: no revision stored
    read = await store.get("CS2:resolution_review")
    assert read.revision == 0
    await store.save_submission_side(with_accepted(read, 1, "s2", True, DUE), answered=True, read=read)
    assert (await store.get("CS2:resolution_review")).submission_id == "s2"


async def test_an_accepted_event_raced_by_a_rename_announces_and_stores_both(database):
    """Another replica renames the unit between the accepted handler's read and its write: the guarded write
    conflicts, the handler reads again, and what it announces last and stores has the submission and the name."""
    import json

    from services.deadline.adapters.repository import Units
    from services.deadline.handlers import Registry
    from shared.clock import ManualClock
    from shared.messaging import Inbound
    from shared.plan import parse_plan
    from tests.unit.deadline.conftest import PLAN
    from tests.unit.deadline.fakes import FakeStream, NullLog

    store = Obligations(database)
    await store.save_unit_side([(grassroots("CS9"), 100)])
    reads = 0
    real_get = store.get

    async def get_then_renamed(obligation_id: str):
        nonlocal reads
        reads += 1
        found = await real_get(obligation_id)
        if reads == 1:  # the rename lands right after this handler's first read
            await store.save_unit_side([(grassroots("CS9", unit_name="Xã CS9 mới"), 100)])
        return found

    store.get = get_then_renamed  # type: ignore[method-assign]
    stream = FakeStream()
    registry = Registry(parse_plan(PLAN), ManualClock(at("2023-05-10 09:00")), store, Units(database), stream,
                        NullLog())
    body = {"submission_id": "s9", "unit_id": "CS9", "report_type": "resolution_review", "version": 1,
            "received_at": "2023-05-10T09:00:00+07:00", "due_at": "2023-05-15T00:00:00+07:00", "on_time": True}
    await registry.accepted(Inbound("review.submissions.accepted.HU03.CS9", json.dumps(body).encode(), {}, "m", "c"))
    assert reads == 2
    stored = await real_get("CS9:resolution_review")
    assert (stored.submission_id, stored.unit_name) == ("s9", "Xã CS9 mới")
    last = stream.stored[-1].payload
    assert (last.submission_id, last.unit_name) == ("s9", "Xã CS9 mới")


class CountingFinds:
    """The collection, counting its `find` calls (one per round trip here)."""

    def __init__(self, col):
        self.col, self.finds = col, 0

    def find(self, *args, **kwargs):
        self.finds += 1
        return self.col.find(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.col, name)


async def test_concurrent_unit_and_obligation_reads_share_round_trips_and_each_gets_its_own_answer(database):
    """A compiler round asks ~700 districts' milestones at once: each starts with `Units.get` of its scope and
    `Obligations.many` of its evidence; the concurrent calls go to the database together."""
    units, obligations = Units(database), Obligations(database)
    names = [f"HU{n:02d}" for n in range(40)]
    for name in names:
        await units.save(UnitFacts(name, f"Huyện {name}", "district", name, "TU"), None)
    await obligations.save_unit_side([(grassroots(f"CS{n}", names[n]), 5) for n in range(40)])
    units.col, obligations.col = CountingFinds(units.col), CountingFinds(obligations.col)

    found = await asyncio.gather(*(units.get(name) for name in [*names, "HU99"]))
    groups = await asyncio.gather(*(obligations.many({grassroots(f"CS{n}").id, grassroots(f"CS{n + 1}").id, "x"})
                                    for n in range(0, 40, 2)))

    assert [u.unit_id if u else None for u in found] == [*names, None]
    assert [sorted(g) for g in groups] == [sorted({grassroots(f"CS{n}").id, grassroots(f"CS{n + 1}").id})
                                           for n in range(0, 40, 2)]
    assert all(g[k].unit_id == k.split(":")[0] for g in groups for k in g)
    assert units.col.finds < 5 and obligations.col.finds < 5  # one each unless the batch timer split them
    await units.close()
    await obligations.close()
