"""The compiler's use cases with a fake store and publisher: corrections, coalescing, status changes."""

from __future__ import annotations

import asyncio
import json

import pytest

from services.compiler.handlers import Compiler, SubmissionNotYetStored
from shared.clock import ManualClock
from shared.plan import load_plan
from shared.settings import BUNDLED_PLAN
from tests.unit.compiler.fakes import FakePublisher, FakeStore, NullLog, inbound

UNITS = [("TU", "Tỉnh ủy Lâm Giang", "province", None, ""), ("TP", "Huyện ủy Tân Phú", "district", "TU", "TP"),
         ("TB", "Huyện ủy Tân Bình", "district", "TU", "TB"),
         ("X1", "Đảng bộ xã Phú Lộc", "grassroots", "TP", "TP.X1"),
         ("X2", "Đảng bộ xã Phú An", "grassroots", "TP", "TP.X2")]


@pytest.fixture
async def compiler() -> Compiler:
    c = Compiler(FakeStore(), load_plan(BUNDLED_PLAN), ManualClock(), FakePublisher(), NullLog(), 0)
    await c.load()
    for uid, name, level, parent, path in UNITS:
        await c.on_unit(inbound(f"review.units.changed.{path or 'root'}", json.dumps(
            {"unit_id": uid, "name": name, "level": level, "parent_id": parent, "path": path})))
    await c.tick()
    return c


def submit(c: Compiler, unit: str, path: str, version: int, value: float, sid: str | None = None) -> str:
    sid = sid or f"{unit}-v{version}"
    c.store.submissions[sid] = {"_id": sid, "unit_id": unit, "report_type": "resolution_review", "version": version,
                                "path": path, "submission": {"content": {
        "leadership": f"v{version}", "targets": [{"code": "NEW_MEMBERS", "value": value, "status": "achieved"}]}}}
    return json.dumps({"submission_id": sid, "unit_id": unit, "report_type": "resolution_review", "version": version,
                       "received_at": "2023-05-01T08:00:00+07:00", "due_at": "2023-05-15T00:00:00+07:00",
                       "on_time": True})


async def accept(c: Compiler, unit: str, path: str, version: int, value: float) -> None:
    await c.on_accepted(inbound(f"review.submissions.accepted.{path}", submit(c, unit, path, version, value)))


def latest(c: Compiler, scope: str) -> dict:
    return c.store.latest_[scope]["draft"]


def new_members(c: Compiler, scope: str) -> float | None:
    return latest(c, scope)["targets"][0]["value"]


async def test_a_correction_replaces_the_earlier_version_in_the_draft(compiler):
    await accept(compiler, "X1", "TP.X1", 1, 10)
    await accept(compiler, "X1", "TP.X1", 2, 25)
    await compiler.tick()
    assert new_members(compiler, "TP") == 25
    assert latest(compiler, "TP")["sources"][0]["version"] == 2


async def test_an_older_version_arriving_after_a_newer_one_changes_nothing(compiler):
    await accept(compiler, "X1", "TP.X1", 2, 25)
    await compiler.tick()
    await accept(compiler, "X1", "TP.X1", 1, 10)
    await compiler.tick()
    assert new_members(compiler, "TP") == 25


async def test_a_burst_of_submissions_is_recomputed_once_per_scope(compiler):
    before = compiler.recomputations
    for version in range(1, 51):
        await accept(compiler, "X1", "TP.X1", version, version)
        await accept(compiler, "X2", "TP.X2", version, 1)
    await compiler.tick()
    assert compiler.recomputations - before == 1
    assert new_members(compiler, "TP") == 51


async def test_a_burst_writes_one_dirty_mark_until_a_recompute_takes_it(compiler):
    writes = compiler.store.mark_writes
    for version in range(1, 21):
        await accept(compiler, "X1", "TP.X1", version, version)
    assert compiler.store.mark_writes - writes == 1
    await compiler.tick()
    await accept(compiler, "X1", "TP.X1", 21, 21)
    assert compiler.store.mark_writes - writes == 2


async def test_an_unchanged_draft_is_not_written_again(compiler):
    await accept(compiler, "X1", "TP.X1", 1, 10)
    await compiler.tick()
    version = latest(compiler, "TP")["version"]
    await compiler.store.mark_dirty(["TP"])
    await compiler.tick()
    assert latest(compiler, "TP")["version"] == version


async def test_each_new_version_is_announced_with_a_deterministic_id(compiler):
    await accept(compiler, "X1", "TP.X1", 1, 10)
    await compiler.tick()
    ids = [e.msg_id for e in compiler.publisher.events if e.subject == "review.drafts.updated.TP"]
    assert ids[-1] == f"draft:TP:{latest(compiler, 'TP')['version']}"


async def test_an_accepted_event_that_overtook_the_stored_submission_is_retried(compiler):
    body = json.dumps({"submission_id": "missing", "unit_id": "X1", "report_type": "resolution_review",
                       "version": 1, "received_at": "2023-05-01T08:00:00+07:00",
                       "due_at": "2023-05-15T00:00:00+07:00", "on_time": True})
    with pytest.raises(SubmissionNotYetStored):
        await compiler.on_accepted(inbound("review.submissions.accepted.TP.X1", body))


async def test_a_status_change_updates_the_coverage_of_the_district_and_the_province(compiler):
    for status in ("pending", "overdue"):
        await compiler.on_obligation(inbound("review.obligations.changed.TP.X2", json.dumps({
            "unit_id": "X2", "unit_name": "Đảng bộ xã Phú An", "path": "TP.X2", "report_type": "resolution_review",
            "due_at": "2023-05-15T00:00:00+07:00", "status": status, "changed_at": "2023-05-15T00:00:00+07:00"})))
        await compiler.tick()
    assert latest(compiler, "TP")["coverage"]["overdue"] == 1
    assert latest(compiler, "TU")["coverage"]["overdue"] == 1
    assert latest(compiler, "TP")["coverage"]["pending"] == 0


def status(unit: str, value: str, version: int | None = None) -> bytes:
    return json.dumps({"unit_id": unit, "unit_name": unit, "path": f"TP.{unit}", "report_type": "resolution_review",
                       "due_at": "2023-05-15T00:00:00+07:00", "status": value, "version": version,
                       "changed_at": "2023-05-16T00:00:00+07:00"}).encode()


async def test_a_status_change_alone_reuses_the_reports_part_of_the_last_version(compiler):
    await accept(compiler, "X1", "TP.X1", 1, 10)
    await compiler.tick()
    reads = compiler.store.report_reads
    await compiler.on_obligation(inbound("review.obligations.changed.TP.X2", status("X2", "overdue")))
    await compiler.tick(root=False)
    assert compiler.store.report_reads == reads and compiler.parts_reused == 1  # the district: its last version's
    assert compiler.store.draft_reads == 0  # kept as it was stored, not read back
    reused = {k: v for k, v in latest(compiler, "TP").items() if k not in ("version", "updated_at")}
    assert reused["coverage"]["overdue"] == 1 and reused["targets"][0]["value"] == 10
    fresh = Compiler(compiler.store, load_plan(BUNDLED_PLAN), ManualClock(), FakePublisher(), NullLog(), 0)
    await fresh.load()
    assert await fresh.recompute("TP") is None  # compiled from its reports: the same content, no new version
    assert compiler.store.report_reads == reads + 1
    await fresh.on_obligation(inbound("review.obligations.changed.TP.X3", status("X3", "overdue")))
    await fresh.tick(root=False)  # after a restart, the last version's parts are read back once
    assert fresh.parts_reused == 1 and compiler.store.draft_reads == 1
    assert latest(compiler, "TP")["coverage"]["overdue"] == 2 and new_members(compiler, "TP") == 10


async def test_a_draft_pointer_is_read_once_then_kept_as_written(compiler):
    reads = compiler.store.head_reads
    await accept(compiler, "X1", "TP.X1", 1, 10)
    await compiler.tick()
    await accept(compiler, "X1", "TP.X1", 2, 20)
    await compiler.tick()
    assert compiler.store.head_reads == reads and latest(compiler, "TP")["version"] == 3
    assert compiler.store.latest_["TP"]["published"] and [e.subject for e in compiler.publisher.events].count(
        "review.drafts.updated.TP") == 3


async def test_a_report_the_cache_would_turn_away_is_read_only_when_a_recompute_needs_it(compiler):
    compiler.store.cache_room = False  # a national burst fills the cache
    await accept(compiler, "X1", "TP.X1", 1, 10)
    assert compiler.store.submission_reads == 0
    await compiler.tick()
    assert new_members(compiler, "TP") == 10
    await accept(compiler, "X1", "TP.X1", 2, 25)  # a key the cache holds is read, to replace its version
    await compiler.tick()
    assert compiler.store.submission_reads == 1 and new_members(compiler, "TP") == 25


async def test_a_returned_version_is_not_taken_from_the_last_version(compiler):
    await accept(compiler, "X1", "TP.X1", 1, 10)
    await compiler.tick()
    await compiler.on_obligation(inbound("review.obligations.changed.TP.X1", status("X1", "returned", 1)))
    await compiler.tick(root=False)  # the district (the province's own sources did not change: it reuses)
    assert new_members(compiler, "TP") is None and compiler.parts_reused == 0


async def test_a_unit_moved_between_districts_moves_its_report_on_the_next_recompute(compiler):
    await accept(compiler, "X1", "TP.X1", 1, 10)
    await compiler.tick()
    await compiler.on_unit(inbound("review.units.changed.TB.X1", json.dumps(
        {"unit_id": "X1", "name": "Đảng bộ xã Phú Lộc", "level": "grassroots", "parent_id": "TB", "path": "TB.X1"})))
    await compiler.tick()
    assert new_members(compiler, "TP") is None
    assert new_members(compiler, "TB") == 10


async def test_marks_survive_a_restart_and_are_recomputed_then(compiler):
    await accept(compiler, "X1", "TP.X1", 1, 10)
    restarted = Compiler(compiler.store, load_plan(BUNDLED_PLAN), ManualClock(), FakePublisher(), NullLog(), 0)
    await restarted.load()
    await restarted.tick()
    assert new_members(restarted, "TP") == 10


def test_only_a_burst_round_of_many_scopes_pauses_longer_than_a_couple_of_seconds():
    from services.compiler.handlers import BURST_ROUND, MAX_PAUSE, MAX_ROUND_PAUSE, pause_after

    assert pause_after(0.01, 1, 0.5, root=False) == 0.5  # the debounce window
    assert pause_after(3.0, 2, 0.5, root=False) == MAX_PAUSE  # a slow round of a few scopes: a change shows soon
    assert pause_after(3.0, 700, 0.5, root=True) == MAX_PAUSE  # the provincial draft: never longer
    assert pause_after(3.0, BURST_ROUND, 0.5, root=False) == 12.0  # a burst's round: four times it
    assert pause_after(30.0, 700, 0.5, root=False) == MAX_ROUND_PAUSE


async def test_the_provinces_pause_follows_its_compiling_not_its_wait_for_the_deadline_service(monkeypatch):
    import services.compiler.handlers as handlers

    class SlowMilestones:
        async def of_scope(self, scope: str) -> list[dict] | None:
            await asyncio.sleep(0.3)
            return []

    c = Compiler(FakeStore(), load_plan(BUNDLED_PLAN), ManualClock(), FakePublisher(), NullLog(), 0,
                 SlowMilestones())
    await c.load()
    for uid, name, level, parent, path in UNITS:
        await c.on_unit(inbound(f"review.units.changed.{path or 'root'}", json.dumps(
            {"unit_id": uid, "name": name, "level": level, "parent_id": parent, "path": path})))
    seen: list[float] = []

    def pause(busy: float, recomputed: int, debounce: float, root: bool) -> float:
        seen.append(busy)
        return 3600.0

    monkeypatch.setattr(handlers, "pause_after", pause)
    loop = asyncio.ensure_future(c._loop(True))
    try:
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.05)
    finally:
        loop.cancel()
    assert seen and c.province_ms and seen[0] == c.province_ms[-1] / 1000 < 0.3
    assert c.stats()["province_tick_ms"][0] >= 300  # the round itself, waits included


async def test_the_stats_tell_how_long_the_provincial_draft_took_and_how_often_parts_were_reused(compiler):
    await accept(compiler, "X1", "TP.X1", 1, 10)
    await compiler.tick()
    stats = compiler.stats()
    assert len(stats["province_recompute_ms"]) == 1 and stats["province_recompute_ms"][0] >= 0
    assert stats["parts_reused"] == 0 and stats["recomputations"] >= 2
