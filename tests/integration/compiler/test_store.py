"""Every query and update shape of the compiler's store, checked for its result on the test database
(nx-27017 here, MongoDB where MONGODB_URI or Docker gives one)."""

from __future__ import annotations

import asyncio

import pytest_asyncio

from services.compiler.adapters.report_cache import ReportCache
from services.compiler.adapters.store import Store
from shared import db as shared_db


@pytest_asyncio.fixture
async def store(mongo_uri):
    s = Store()
    s.connect(mongo_uri)
    yield s
    await shared_db.close()


def _submission(sid: str, unit: str, version: int, content: dict, report_type: str = "resolution_review") -> dict:
    """A submission as intake stores it (the fields the compiler reads)."""
    return {"_id": sid, "submission_id": sid, "unit_id": unit, "report_type": report_type, "version": version,
            "path": f"TU.HU1.{unit}", "submission": {"submission_id": sid, "content": content}}


async def test_each_reports_latest_version_is_learnt_from_the_stored_submissions_and_read_from_them(mongo_uri):
    s = Store(cache_bytes=0)
    s.connect(mongo_uri)
    try:
        await s.db["submissions"].insert_many([
            _submission("sA1", "A", 1, {"lessons": ["A1"]}), _submission("sB3", "B", 3, {"lessons": ["B3"]}),
            _submission("sB2", "B", 2, {"lessons": ["B2"]}), _submission("sC1", "C", 1, {"lessons": ["C1"]}),
            _submission("sA9", "A", 9, {}, report_type="conference_plan")])
        assert await s.report_versions({"resolution_review"}) == {"A:resolution_review": 1, "B:resolution_review": 3,
                                                                   "C:resolution_review": 1}
        found = await s.reports(["A:resolution_review", "B:resolution_review", "Z:resolution_review"])
        assert sorted(found) == ["A:resolution_review", "B:resolution_review"]
        b = found["B:resolution_review"]
        assert (b.unit_id, b.report_type, b.submission_id, b.version, b.content) == (
            "B", "resolution_review", "sB3", 3, {"lessons": ["B3"]})
        # a newer version taken after start-up is the one read
        await s.db["submissions"].insert_one(_submission("sC2", "C", 2, {"lessons": ["C2"]}))
        s.take_report("C:resolution_review", {"unit_id": "C", "report_type": "resolution_review",
                                              "submission_id": "sC2", "version": 2, "content": {"lessons": ["C2"]}})
        assert (await s.reports(["C:resolution_review"]))["C:resolution_review"].content == {"lessons": ["C2"]}
        assert await s.db.list_collection_names() == ["submissions"]  # nothing written for a report
    finally:
        await shared_db.close()


async def test_a_dirty_mark_is_cleared_only_at_the_generation_that_was_read(store):
    await store.mark_dirty(["TP", "TU"])
    await store.mark_dirty(["TP"])
    marks = await store.dirty()
    assert marks == {"TP": 2, "TU": 1}
    await store.mark_dirty(["TP"])
    await asyncio.gather(store.clear_dirty("TP", 2), store.clear_dirty("TU", 1))  # one batch
    assert await store.dirty() == {"TP": 3}


async def test_drafts_keep_every_version_and_point_to_the_latest(store):
    await store.save_draft("TP", 1, "h1", {"scope": "TP", "version": 1})
    await store.save_draft("TP", 2, "h2", {"scope": "TP", "version": 2})
    await store.save_draft("TP", 2, "h2", {"scope": "TP", "version": 2, "redone": True})  # after a crash
    assert await store.draft("TP", 2) == {"scope": "TP", "version": 2, "redone": True}
    latest = await store.latest("TP")
    assert latest["version"] == 2 and latest["hash"] == "h2" and latest["published"] is False
    await store.mark_published("TP", 1)  # an older version's publish does not flag the newer pointer
    assert not (await store.latest("TP"))["published"]
    await store.mark_published("TP", 2)
    assert (await store.latest("TP"))["published"]  # nx-27017 gives back a $set True as 1
    assert (await store.draft("TP", 1)) == {"scope": "TP", "version": 1}


async def test_concurrent_recomputes_store_their_versions_together_and_a_redone_one_among_them(store):
    await store.save_draft("TP", 1, "h1", {"scope": "TP", "version": 1})
    await asyncio.gather(store.save_draft("TP", 1, "h1", {"scope": "TP", "version": 1, "redone": True}),
                         *(store.save_draft(f"D{n}", 1, f"d{n}", {"scope": f"D{n}", "version": 1}) for n in range(20)))
    assert await store.draft("TP", 1) == {"scope": "TP", "version": 1, "redone": True}
    heads = [await store.head(f"D{n}") for n in range(20)]
    assert [(h["version"], h["hash"]) for h in heads] == [(1, f"d{n}") for n in range(20)]
    assert [(await store.draft(f"D{n}", 1)) for n in range(20)] == [{"scope": f"D{n}", "version": 1}
                                                                   for n in range(20)]
    await asyncio.gather(*(store.mark_published(f"D{n}", 1) for n in range(20)))
    assert [bool((await store.head(f"D{n}"))["published"]) for n in range(20)] == [True] * 20


async def test_projections_are_replaced_whole_by_id(store):
    await store.save_unit({"unit_id": "X1", "name": "A", "level": "grassroots", "parent_id": "TP", "path": "TP.X1"})
    await store.save_unit({"unit_id": "X1", "name": "A", "level": "grassroots", "parent_id": "TB", "path": "TB.X1"})
    await store.save_coverage("X1:resolution_review", {"unit_id": "X1", "report_type": "resolution_review",
                                                       "status": "pending", "changed_ts": 1})
    await store.save_coverage("X1:resolution_review", {"unit_id": "X1", "report_type": "resolution_review",
                                                       "status": "overdue", "changed_ts": 2})
    assert [u["parent_id"] for u in await store.units()] == ["TB"]
    assert [(c["_id"], c["status"]) for c in await store.coverage()] == [("X1:resolution_review", "overdue")]


async def test_the_marks_of_some_scopes_only(store):
    await store.mark_dirty(["TP", "TU", "TB"])
    assert await store.dirty(["TU"]) == {"TU": 1}
    assert await store.dirty(["TU", "TX"]) == {"TU": 1}


async def test_a_report_read_back_from_the_cache_is_the_latest_and_a_copy(store):
    key = "A:resolution_review"
    row = {"unit_id": "A", "report_type": "resolution_review", "submission_id": "s1", "version": 1,
           "content": {"lessons": ["Bài học về công tác cán bộ"]}}
    store.take_report(key, row)
    first = (await store.reports([key]))[key]
    first.content["lessons"].append("changed by a caller")  # a caller's change does not reach the cache
    assert (await store.reports([key]))[key].content == {"lessons": ["Bài học về công tác cán bộ"]}
    store.take_report(key, {**row, "submission_id": "s2", "version": 2, "content": {"lessons": ["v2"]}})
    again = (await store.reports([key]))[key]
    assert (again.version, again.submission_id, again.content) == (2, "s2", {"lessons": ["v2"]})
    assert store.cache_stats()["hits"] == 3


async def test_reports_past_the_cache_budget_are_read_from_their_submissions(mongo_uri):
    s = Store(cache_bytes=0)
    s.connect(mongo_uri)
    try:
        key = "B:resolution_review"
        await s.db["submissions"].insert_one(_submission("sB1", "B", 1, {"lessons": ["x"]}))
        s.take_report(key, {"unit_id": "B", "report_type": "resolution_review", "submission_id": "sB1",
                            "version": 1, "content": {"lessons": ["x"]}})
        assert (await s.reports([key]))[key].content == {"lessons": ["x"]}
        assert s.cache_stats()["entries"] == 0 and s.cache_stats()["misses"] == 1
        # a full cache: a new key's content need not be read at all, a recompute reads it from its submission
        await s.db["submissions"].insert_one(_submission("sE1", "E", 1, {"lessons": ["e"]}))
        assert not s.would_cache("E:resolution_review")
        s.take_report("E:resolution_review", {"unit_id": "E", "report_type": "resolution_review",
                                              "submission_id": "sE1", "version": 1})
        assert (await s.reports(["E:resolution_review"]))["E:resolution_review"].content == {"lessons": ["e"]}
        s.take_report("C:resolution_review", {"unit_id": "C", "report_type": "resolution_review",
                                              "submission_id": "s2", "version": 1, "content": {}}, pinned=True)
        assert s.cache_stats()["entries"] == 1  # the provincial draft's reports are kept whatever the budget
    finally:
        await shared_db.close()


async def test_a_version_is_stored_compressed_and_read_back_as_it_was(store):
    draft = {"scope": "TP", "version": 1, "sections": {"lessons": [{"text": "Bài học về công tác cán bộ " * 50}]},
             "coverage": {"units": [{"unit_id": f"CS{i}", "status": "submitted"} for i in range(200)]}}
    await store.save_draft("TP", 1, "h1", draft)
    stored = await store.db["drafts"].find_one({"_id": "TP:1"})
    assert "draft" not in stored and stored["bytes"] > 4 * len(stored["draft_z"])
    assert await store.draft("TP", 1) == draft
    assert (await store.latest("TP"))["draft"] == draft


async def test_a_version_stored_before_compression_is_still_read(store):
    await store.db["drafts"].insert_one({"_id": "TP:1", "scope": "TP", "version": 1, "draft": {"scope": "TP"}})
    assert await store.draft("TP", 1) == {"scope": "TP"}


async def test_the_marks_of_concurrent_callers_are_each_written(store):
    await asyncio.gather(*(store.mark_dirty(["TP", "TU"] if i % 2 else ["TB"]) for i in range(50)))
    marks = await store.dirty()
    assert set(marks) == {"TP", "TU", "TB"} and all(gen >= 1 for gen in marks.values())


async def test_a_submission_read_raw_reaches_the_draft_as_it_was_written(store):
    content = {"leadership": "Đảng ủy xã lãnh đạo", "lessons": ["Bài học một", "Bài học hai"],
               "targets": [{"code": "T1", "value": 12.5}], "shortcomings": [{"text": "Chậm", "cause": None}]}
    await store.db["submissions"].insert_one({"_id": "s1", "version": 2, "path": "TU.HU1.X1", "unit_id": "X1",
                                              "submission": {"submission_id": "s1", "content": content}})
    stored = await store.submission("s1")
    assert stored is not None and (stored.version, stored.path) == (2, "TU.HU1.X1")
    assert await store.submission("nope") is None
    key = "X1:resolution_review"
    store.take_report(key, {"unit_id": "X1", "report_type": "resolution_review", "submission_id": "s1",
                            "version": 2, "content": stored.content})
    assert (await store.reports([key]))[key].content == content
    store.cache = ReportCache(0)  # a miss reads the content back from the submission it names
    assert (await store.reports([key]))[key].content == content
