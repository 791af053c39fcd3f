"""The query and write shapes of intake's repositories, checked for their result on the database in use
(the nx-27017 stand-in fails some shapes silently)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from services.intake.adapters.repositories import CatalogRepo, DecisionsRepo, SubmissionsRepo, UnitsRepo
from services.intake.domain.catalog import Entry, from_doc
from shared import db


@pytest_asyncio.fixture
async def decisions(mongo_uri) -> AsyncIterator[DecisionsRepo]:
    repo = DecisionsRepo(db.connect(mongo_uri, alias="intake-repo-test"))
    await repo.create_indexes()
    yield repo
    await db.close("intake-repo-test")


def decision(decision_id: str, seq: int, state: str = "locked") -> dict:
    return {"_id": decision_id, "decision_id": decision_id, "obligation": "CS1:resolution_review", "version": 1,
            "seq": seq, "os": f"CS1:resolution_review:{seq}", "state": state, "content_hash": "h",
            "published": False}


async def test_a_stored_decision_is_found_by_its_id_and_summarised(decisions):
    assert await decisions.insert(decision("d1", 1)) is None
    assert (await decisions.get("d1"))["state"] == "locked"
    assert await decisions.get("nope") is None
    summary = await decisions.summaries()
    assert [(d["_id"], d["obligation"], d["version"], d["state"], d["seq"]) for d in summary] == [
        ("d1", "CS1:resolution_review", 1, "locked", 1)]


async def test_a_decision_id_stored_twice_is_refused_by_its_id(decisions):
    await decisions.insert(decision("d1", 1))
    assert await decisions.insert(decision("d1", 2)) == "_id"


async def test_two_decisions_taking_the_same_turn_of_one_obligation_are_refused_by_the_turn(decisions):
    await decisions.insert(decision("d1", 1))
    assert await decisions.insert(decision("d2", 1, "open")) == "os"
    assert await decisions.get("d2") is None


async def test_a_decision_is_marked_announced(decisions):
    await decisions.insert(decision("d1", 1))
    await decisions.mark_published("d1")
    assert (await decisions.get("d1"))["published"]  # the stand-in gives back 1 for true


@pytest_asyncio.fixture
async def submissions(mongo_uri) -> AsyncIterator[SubmissionsRepo]:
    repo = SubmissionsRepo(db.connect(mongo_uri, alias="intake-subs-test"))
    await repo.create_indexes()
    yield repo
    await db.close("intake-subs-test")


def stored(sid: str, version: int, published: bool = False) -> dict:
    return {"_id": sid, "obligation": "CS1:resolution_review", "version": version, "on_time": True,
            "content_hash": "h", "ov": f"CS1:resolution_review:{version}", "published": published}


async def test_a_submission_is_announced_once_its_batch_is_recorded_or_by_its_older_flag(submissions):
    await submissions.insert([stored("a", 1), stored("b", 2), stored("c", 3, published=True)])
    await submissions.mark_published(["a"])
    flags = {d["_id"]: d["published"] async for d in submissions.summaries()}
    assert flags == {"a": True, "b": False, "c": True}


async def test_the_summaries_carry_a_submissions_catalogue_entries_but_not_its_report(submissions):
    entries = [Entry(f"sub:a:{i}", f"0{i}-BC/ĐU", "Báo cáo sơ kết", "2023-04-25", "Đảng bộ xã", "resolution_review")
               for i in range(2)]
    await submissions.insert([{**stored("a", 1), "submission": {"documents": [{"number": "01-BC/ĐU"}]},
                               "catalog": [e.doc() for e in entries]},
                              {**stored("old", 2), "submission": {"documents": []}}])
    found = {d["_id"]: d async for d in submissions.summaries()}
    assert [from_doc(e) for e in found["a"]["catalog"]] == entries
    assert "catalog" not in found["old"]  # stored before submissions carried their entries
    assert all("submission" not in d for d in found.values())


async def test_a_version_taken_twice_is_refused_by_its_version_key(submissions):
    assert await submissions.insert([stored("a", 1)]) == {}
    assert await submissions.insert([stored("b", 1), stored("a", 2)]) == {0: "ov", 1: "_id"}
    found = await submissions.versions(["CS1:resolution_review"])
    assert [d["version"] for d in found["CS1:resolution_review"]] == [1]


@pytest_asyncio.fixture
async def database(mongo_uri):
    yield db.connect(mongo_uri, alias="intake-repo-test-units")
    await db.close("intake-repo-test-units")


async def test_the_tree_reads_back_only_what_it_keeps_and_a_move_reads_whole_documents_in_one_query(database):
    units = UnitsRepo(database)
    contact = {"name": "Văn phòng", "email": "vp@example.vn"}
    docs = [{"unit_id": u, "name": u, "level": "grassroots", "parent_id": "D", "path": f"D.{u}", "roles": [],
             "contacts": [contact], "supervisors": [], "active": True, "content_hash": "c" * 64, "revision": 2,
             "changed_at": "2023-01-01T08:00:00+07:00"} for u in ("G1", "G2", "G3")]
    await units.save(docs)
    summaries = [d async for d in units.summaries()]
    assert {d["unit_id"] for d in summaries} == {"G1", "G2", "G3"}
    assert all("contacts" not in d and "changed_at" not in d and d["revision"] == 2 for d in summaries)
    found = await units.by_ids(["G1", "G3", "NOPE"])
    assert set(found) == {"G1", "G3"} and found["G3"]["contacts"] == [contact]
    assert await units.by_ids([]) == {}


async def test_catalogue_entries_read_back_with_their_display_fields(database):
    catalog = CatalogRepo(database)
    entry = Entry("sub:s1:0", "05-BC/HU", "Báo cáo sơ kết", "2023-06-25", "Huyện ủy", "resolution_review")
    await catalog.add_many([entry.doc(source="submission", submission_id="s1", unit_id="HU")])
    assert [e async for e in catalog.entries()] == [entry]
