"""CONTRACT § 10 in the compiler: a returned version leaves the drafts until the next one, and drafts list the
late and missing milestones the deadline service reports at compile time."""

from __future__ import annotations

import io
import json
from datetime import datetime

import docx
import pytest

from services.compiler.handlers import Compiler
from services.compiler.render.context import load_context
from services.compiler.render.docx import render_docx
from services.compiler.render.markdown import render_markdown
from shared.clock import VIETNAM, ManualClock
from shared.plan import load_plan
from shared.settings import BUNDLED_PLAN
from tests.unit.compiler.fakes import FakePublisher, FakeStore, NullLog, inbound
from tests.unit.compiler.test_compiler import UNITS, accept, latest, new_members

ROWS = [
    {"unit_id": "TP", "milestone": "district_conference", "due_at": "2023-06-30T00:00:00+07:00",
     "met_on": "2023-07-03", "status": "late"},
    {"unit_id": "TB", "milestone": "district_conference", "due_at": "2023-06-30T00:00:00+07:00",
     "met_on": None, "status": "missing"},
    {"unit_id": "TU", "milestone": "provincial_conference", "due_at": "2023-10-15T00:00:00+07:00",
     "met_on": None, "status": "pending"},
    {"unit_id": "X1", "milestone": "district_conference", "due_at": "2023-06-30T00:00:00+07:00",
     "met_on": "2023-06-01", "status": "met"},
]


class FakeMilestones:
    def __init__(self, rows: list[dict] | None) -> None:
        self.rows = rows
        self.asked: list[str] = []

    async def of_scope(self, scope: str) -> list[dict] | None:
        self.asked.append(scope)
        return None if self.rows is None else [dict(r) for r in self.rows]


async def _compiler(milestones: FakeMilestones | None = None) -> Compiler:
    c = Compiler(FakeStore(), load_plan(BUNDLED_PLAN), ManualClock(), FakePublisher(), NullLog(), 0, milestones)
    await c.load()
    for uid, name, level, parent, path in UNITS:
        await c.on_unit(inbound(f"review.units.changed.{path or 'root'}", json.dumps(
            {"unit_id": uid, "name": name, "level": level, "parent_id": parent, "path": path})))
    await c.tick()
    return c


async def _status(c: Compiler, status: str, version: int, minute: int) -> None:
    await c.on_obligation(inbound("review.obligations.changed.TP.X1", json.dumps({
        "unit_id": "X1", "unit_name": "Đảng bộ xã Phú Lộc", "path": "TP.X1", "report_type": "resolution_review",
        "due_at": "2023-05-25T00:00:00+07:00", "status": status, "version": version,
        "changed_at": f"2023-05-18T09:{minute:02d}:00+07:00"})))


async def test_a_returned_version_leaves_the_district_draft_until_the_unit_sends_a_new_one():
    c = await _compiler()
    await accept(c, "X1", "TP.X1", 1, 10)
    await _status(c, "submitted", 1, 0)
    await c.tick()
    assert new_members(c, "TP") == 10
    await _status(c, "returned", 1, 1)
    await c.tick()
    assert new_members(c, "TP") is None and latest(c, "TP")["sources"] == []
    assert latest(c, "TP")["coverage"]["returned"] == 1
    await accept(c, "X1", "TP.X1", 2, 25)
    await c.tick()
    assert new_members(c, "TP") == 25 and latest(c, "TP")["sources"][0]["version"] == 2


async def test_a_draft_lists_only_the_late_and_missing_milestones_of_its_subtree():
    c = await _compiler(FakeMilestones(ROWS))
    await accept(c, "X1", "TP.X1", 1, 10)
    await c.tick()
    listed = latest(c, "TU")["milestones"]
    assert [(m["unit_id"], m["status"]) for m in listed] == [("TB", "missing"), ("TP", "late")]
    assert listed[0]["name"] == "Hội nghị sơ kết giữa nhiệm kỳ cấp huyện"
    assert listed[0]["unit_name"] == "Huyện ủy Tân Bình"
    assert latest(c, "TP")["milestones"] == [m for m in listed if m["unit_id"] == "TP"]


async def test_without_an_answer_from_the_deadline_service_the_draft_leaves_the_milestones_out():
    c = await _compiler(FakeMilestones(None))
    await accept(c, "X1", "TP.X1", 1, 10)
    await c.tick()
    assert "milestones" not in latest(c, "TP") and new_members(c, "TP") == 10


async def test_a_milestones_answer_is_reused_until_evidence_a_unit_or_a_listed_due_date_changes_it():
    source = FakeMilestones(ROWS)
    c = await _compiler(source)  # ManualClock: 2023-01-01, before every due date listed
    await accept(c, "X1", "TP.X1", 1, 10)
    await c.tick()
    asked = len(source.asked)
    await accept(c, "X2", "TP.X2", 1, 20)  # a report: the drafts change, the milestones cannot
    await c.tick()
    assert len(source.asked) == asked and new_members(c, "TP") == 30

    # a district's conference result is a milestone's evidence: its scopes ask again
    await c.on_obligation(inbound("review.obligations.changed.TP", json.dumps({
        "unit_id": "TP", "unit_name": "Huyện ủy Tân Phú", "path": "TP", "report_type": "conference_result",
        "due_at": "2023-06-30T00:00:00+07:00", "status": "submitted", "version": 1,
        "changed_at": "2023-05-18T09:00:00+07:00"})))
    await c.tick()
    assert "TU" in source.asked[asked:]
    asked = len(source.asked)

    # the listed due date 2023-06-30 passes: a pending milestone may now be missing
    source.rows = [{**r, "status": "missing"} if r["unit_id"] == "TU" else r for r in ROWS]
    c.clock.set(datetime(2023, 7, 1, tzinfo=VIETNAM))
    await accept(c, "X1", "TP.X1", 2, 11)
    await c.tick()
    assert source.asked[asked:] == ["TP"]
    await c.mark(["TU"])
    await c.tick()
    assert source.asked[asked:] == ["TP", "TU"]
    assert ("TU", "missing") in [(m["unit_id"], m["status"]) for m in latest(c, "TU")["milestones"]]


async def test_a_status_change_without_a_new_version_keeps_the_milestones_answer():
    source = FakeMilestones(ROWS)
    c = await _compiler(source)

    async def conference(status: str, version: int, minute: int) -> None:
        await c.on_obligation(inbound("review.obligations.changed.TP", json.dumps({
            "unit_id": "TP", "unit_name": "Huyện ủy Tân Phú", "path": "TP", "report_type": "conference_result",
            "due_at": "2023-06-30T00:00:00+07:00", "status": status, "version": version,
            "changed_at": f"2023-05-18T09:{minute:02d}:00+07:00"})))
        await c.tick()

    await conference("submitted", 1, 0)
    asked = len(source.asked)
    await conference("returned", 1, 1)  # a storm's overdue notices are such changes too
    assert source.asked[asked:] == [] and latest(c, "TU")["coverage"]["returned"] == 1
    await conference("submitted", 2, 2)  # a new version brings new evidence
    assert "TU" in source.asked[asked:]


@pytest.fixture
def draft_with_milestones():
    async def build():
        c = await _compiler(FakeMilestones(ROWS))
        await accept(c, "X1", "TP.X1", 1, 10)
        await c.tick()
        return latest(c, "TU")
    return build


async def test_the_markdown_draft_has_a_milestone_annex_naming_each_late_or_missing_unit(draft_with_milestones):
    text = render_markdown(await draft_with_milestones(), load_context(load_plan(BUNDLED_PLAN)))
    annex = text[text.index("## Phụ lục 4"):]
    assert "Huyện ủy Tân Bình" in annex and "Chưa tổ chức" in annex
    assert "Huyện ủy Tân Phú" in annex and "03/07/2023" in annex and "30/06/2023" in annex
    assert text.index("## Phụ lục 3") < text.index("## Phụ lục 4")


async def test_the_word_draft_has_the_milestone_annex_as_a_heading_and_a_table(draft_with_milestones):
    data = render_docx(await draft_with_milestones(), load_context(load_plan(BUNDLED_PLAN)))
    document = docx.Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert any(h.startswith("Phụ lục 4.") for h in headings)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "Huyện ủy Tân Bình" in cells and "Chậm" in cells
