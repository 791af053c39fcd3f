"""Every query and update shape of the notifier's repositories, checked by its result on the database the session
runs (nx-27017 here, MongoDB where MONGODB_URI or Docker is there)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from services.notifier.adapters.digests import MongoDigests
from services.notifier.adapters.outbox import MongoOutbox
from services.notifier.adapters.units import MongoUnits
from services.notifier.domain.digest import DigestState
from services.notifier.domain.mail import Mail, Person
from services.notifier.domain.units import UnitView
from shared.clock import VIETNAM


def _mail(key: str, rcpt: str) -> Mail:
    return Mail(key, rcpt, "Tiêu đề", "nội dung", "<p>nội dung</p>", (Person("Đồng chí A", rcpt),),
                (Person("Văn phòng", "vp@x.vn"),), "Thu, 18 May 2023 09:00:00 +0700", "overdue", "U1", "c1", "s")


async def test_adding_the_same_entries_twice_keeps_one_per_event_and_recipient(database):
    outbox = MongoOutbox(database)
    await outbox.ensure_indexes()
    assert await outbox.add([_mail("k1", "a@x.vn"), _mail("k1", "b@x.vn")], 1000) == 2
    assert await outbox.add([_mail("k1", "a@x.vn"), _mail("k1", "c@x.vn")], 2000) == 1
    assert await database["outbox"].count_documents({}) == 3
    entry = await outbox.get("k1|a@x.vn")
    assert entry is not None and entry.mail == _mail("k1", "a@x.vn") and entry.state == "pending"


async def test_concurrent_adds_go_in_one_batch_and_each_learns_how_many_of_its_own_were_new(database):
    outbox = MongoOutbox(database)
    await outbox.add([_mail("k1", "a@x.vn")], 1000)
    counts = await asyncio.gather(
        outbox.add([_mail("k1", "a@x.vn"), _mail("k1", "b@x.vn")], 2000),
        outbox.add([_mail("k2", "a@x.vn")], 2000),
        outbox.add([_mail("k1", "a@x.vn")], 2000),
    )
    assert counts == [1, 1, 0]
    assert await database["outbox"].count_documents({}) == 3


async def test_concurrent_marks_are_each_written_before_they_return(database):
    outbox = MongoOutbox(database)
    await outbox.add([_mail("k1", f"r{n}@x.vn") for n in range(20)], 1000)
    await asyncio.gather(*(outbox.mark_sent(f"k1|r{n}@x.vn", "2023-05-18T09:00:00+07:00", None) for n in range(20)))
    assert await database["outbox"].count_documents({"state": "sent"}) == 20
    assert await database["outbox"].count_documents({"due_ts": {"$lte": 10_000}}) == 0


async def test_a_cached_unit_is_read_from_memory_and_a_change_is_written_through(database):
    from services.notifier.adapters.cached_units import CachedUnits
    units = CachedUnits(MongoUnits(database))
    unit = UnitView("U1", "Đảng bộ xã Phú Lộc", "grassroots", "HU.U1", (Person("VP", "vp@x.vn"),))
    await units.put(unit)
    await database["notifier_units"].delete_many({})  # the cache answers without the database
    assert await units.get("U1") == unit
    assert await CachedUnits(MongoUnits(database)).get("U1") is None
    await units.put(unit)
    assert await CachedUnits(MongoUnits(database)).get("U1") == unit


async def test_due_returns_only_entries_due_by_now_oldest_first(database):
    outbox = MongoOutbox(database)
    await outbox.ensure_indexes()
    await outbox.add([_mail("k2", "late@x.vn")], 3000)
    await outbox.add([_mail("k1", "early@x.vn")], 1000)
    await outbox.add([_mail("k3", "future@x.vn")], 9000)
    assert [e.mail.recipient for e in await outbox.due(5000, 10)] == ["early@x.vn", "late@x.vn"]
    assert [e.mail.recipient for e in await outbox.due(5000, 1)] == ["early@x.vn"]


async def test_a_claim_marks_sending_counts_the_attempt_and_hides_the_entry_until_the_lease(database):
    outbox = MongoOutbox(database)
    await outbox.add([_mail("k", "a@x.vn"), _mail("k", "b@x.vn")], 1000)
    assert await outbox.claim(["k|a@x.vn"], 5000, 60_000) == {"k|a@x.vn"}
    assert [e.id for e in await outbox.due(5000, 10)] == ["k|b@x.vn"]
    claimed = await outbox.get("k|a@x.vn")
    assert claimed is not None and (claimed.state, claimed.attempts) == ("sending", 1)
    assert await outbox.resume(7000) == 1
    assert [e.id for e in await outbox.due(7000, 10)] == ["k|b@x.vn", "k|a@x.vn"]


async def test_a_claim_leases_only_what_is_still_due_and_says_which(database):
    outbox = MongoOutbox(database)
    await outbox.add([_mail("k", f"{n}@x.vn") for n in "abc"], 1000)
    assert await outbox.claim(["k|a@x.vn"], 5000, 60_000) == {"k|a@x.vn"}  # another sender's lease
    assert await outbox.claim(["k|a@x.vn", "k|b@x.vn", "k|c@x.vn"], 5000, 70_000) == {"k|b@x.vn", "k|c@x.vn"}
    taken = await outbox.get("k|a@x.vn")
    assert taken is not None and taken.attempts == 1
    assert await outbox.claim(["k|b@x.vn"], 6000, 80_000) == set()


async def test_mails_written_leased_are_new_only_sending_and_hidden_until_the_lease_ends(database):
    outbox = MongoOutbox(database)
    await outbox.add([_mail("k", "a@x.vn")], 1000)
    assert await outbox.add_leased([_mail("k", "a@x.vn"), _mail("k", "b@x.vn")], 2000, 60_000) == {"k|b@x.vn"}
    leased = await outbox.get("k|b@x.vn")
    assert leased is not None and (leased.state, leased.attempts) == ("sending", 1)
    assert [e.id for e in await outbox.due(5000, 10)] == ["k|a@x.vn"]
    assert [e.id for e in await outbox.due(60_000, 10)] == ["k|a@x.vn", "k|b@x.vn"]


async def test_a_restart_resumes_what_its_own_host_held_not_what_another_replica_holds(database):
    here, elsewhere = MongoOutbox(database, holder="pod-a"), MongoOutbox(database, holder="pod-b")
    await here.add([_mail("k", f"{n}@x.vn") for n in "abc"], 1000)
    assert await here.claim(["k|a@x.vn"], 5000, 60_000) == {"k|a@x.vn"}
    assert await elsewhere.claim(["k|b@x.vn"], 5000, 60_000) == {"k|b@x.vn"}
    await elsewhere.add_leased([_mail("k2", "d@x.vn")], 5000, 60_000)
    await here.add([_mail("old", "e@x.vn")], 1000)
    await elsewhere.claim(["old|e@x.vn"], 5000, 60_000)
    await database["outbox"].update_one({"_id": "old|e@x.vn"}, {"$unset": {"holder": ""}})  # leased before holders
    assert await MongoOutbox(database, holder="pod-a").resume(7000) == 2
    assert sorted(e.id for e in await here.due(7000, 10)) == ["k|a@x.vn", "k|c@x.vn", "old|e@x.vn"]


async def test_settled_entries_leave_the_due_index_unless_their_outcome_waits_to_be_announced(database):
    outbox = MongoOutbox(database)
    await outbox.add([_mail("k", f"{n}@x.vn") for n in "abcd"], 1000)
    await outbox.mark_sent("k|a@x.vn", "2023-05-18T09:00:00+07:00", None)
    await outbox.mark_sent("k|b@x.vn", "2023-05-18T09:00:00+07:00", 4000)
    await outbox.mark_failed("k|c@x.vn", "2023-05-18T09:00:00+07:00", "550 no", None)
    await outbox.reschedule("k|d@x.vn", 3000, "451 later")
    assert [(e.id, e.state) for e in await outbox.due(5000, 10)] == [("k|d@x.vn", "pending"), ("k|b@x.vn", "sent")]
    await outbox.announced(["k|b@x.vn"])
    await outbox.hold(["k|d@x.vn"], 8000)
    assert await outbox.due(5000, 10) == []
    failed = await outbox.get("k|c@x.vn")
    assert failed is not None and failed.reason == "550 no" and await outbox.count("sent") == 2


async def test_the_units_projection_replaces_a_unit_with_its_latest_change(database):
    units = MongoUnits(database)
    first = UnitView("U1", "Đảng bộ xã A", "grassroots", "D.U1", (Person("VP", "vp@a.vn"),), ())
    await units.put(first)
    await units.put(UnitView("U1", "Đảng bộ xã A mới", "grassroots", "D.U1", (), (Person("Sếp", "s@a.vn"),)))
    found = await units.get("U1")
    assert found is not None and found.name == "Đảng bộ xã A mới" and found.supervisors == (Person("Sếp", "s@a.vn"),)
    assert found.contacts == () and await units.get("nobody") is None


async def test_digest_states_round_trip_and_only_waiting_ones_fall_due(database):
    digests = MongoDigests(database)
    await digests.ensure_indexes()
    t0 = datetime(2023, 7, 20, 9, tzinfo=VIETNAM)
    waiting = DigestState("TP", t0, 1, t0, 3, t0)
    await digests.put(waiting, 5000)
    await digests.put(DigestState("TU", t0, 2, t0), None)
    assert await digests.get("TP") == waiting
    assert [s.scope for s in await digests.due(6000)] == ["TP"]
    await digests.put(DigestState("TP", t0, 3, t0), None)
    assert await digests.due(6000) == []
