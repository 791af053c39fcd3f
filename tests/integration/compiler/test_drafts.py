"""The compiler as a process on real NATS and the test database: submissions in, drafts out."""

from __future__ import annotations

import io
import uuid

import docx
import pytest_asyncio

from tests.infra.client import capture, request
from tests.infra.wait import eventually
from tests.integration.compiler.world import World, content, docx_bytes


@pytest_asyncio.fixture
async def world(nc, mongo_uri):
    w = World(nc, mongo_uri)
    yield w
    w.close()


@pytest_asyncio.fixture
async def compiler(start_service, world):
    # a consumer suffix per test: fresh durables that start at the end of the shared stream
    return await start_service("compiler", MIDTERM_CONSUMER_SUFFIX=f"-{world.token}-{uuid.uuid4().hex[:4]}")


def value_of(draft: dict, code: str = "NEW_MEMBERS"):
    return next(t for t in draft["targets"] if t["code"] == code)


async def draft_where(world: World, scope: str, check, what: str, timeout: float = 15):
    async def ready():
        reply = await world.draft(scope)
        return reply if "error" not in reply and check(reply) else None
    return await eventually(ready, timeout=timeout, what=what)


async def test_a_districts_draft_aggregates_its_grassroots_reports(world, compiler):
    tree = await world.province(districts=1, grassroots=2)
    (district, units), = tree.items()
    await world.submit(units[0], f"{district}.{units[0]}", content=content(18, "on_track"))
    await world.submit(units[1], f"{district}.{units[1]}", content=content(12, "achieved", proposals=[
        {"to": "province", "text": "Đề nghị Tỉnh hỗ trợ kinh phí làm đường."},
        {"to": "province", "text": "Đề nghị Tỉnh có cơ chế hỗ trợ liên kết tiêu thụ nông sản cho các xã vùng sâu"}]))
    draft = await draft_where(world, district, lambda d: len(d["sources"]) == 2, "district draft with 2 sources")
    target = value_of(draft)
    assert (target["value"], target["reported_by"], target["achieved"], target["on_track"]) == (30, 2, 1, 1)
    assert {s["unit_id"] for s in draft["sources"]} == set(units)
    assert {i["unit_id"] for i in draft["sections"]["leadership"]} == set(units)
    sources = {p["text"]: p["units"] for p in draft["sections"]["proposals"]["province"]}
    assert sources["Đề nghị Tỉnh hỗ trợ kinh phí làm đường."] == [units[1]]
    example = "Đề nghị Tỉnh có cơ chế hỗ trợ liên kết tiêu thụ nông sản cho các xã vùng sâu."
    assert sorted(sources[example]) == sorted(units)  # the same proposal from both: one item, both sources


async def test_the_province_draft_takes_district_and_agency_reviews_and_district_inspections(world, compiler):
    tree = await world.province(districts=2, grassroots=1)
    d1, d2 = tree
    agency = world.uid("BTG")
    await world.submit(d1, d1, content=content(40))
    await world.submit(d2, d2, content=content(60))
    await world.submit(agency, agency, "agency_review", content=content(5))
    await world.submit(d1, d1, "inspection_review")
    await world.submit(tree[d1][0], f"{d1}.{tree[d1][0]}", content=content(999))  # feeds the district, not TU
    draft = await draft_where(world, world.root, lambda d: len(d["sources"]) == 4, "provincial draft")
    assert value_of(draft)["value"] == 105
    assert draft["inspection"]["inspections"] == 36 and draft["inspection"]["supervisions"] == 74
    assert sorted((s["unit_id"], s["report_type"]) for s in draft["sources"]) == sorted(
        [(d1, "inspection_review"), (d1, "resolution_review"), (d2, "resolution_review"), (agency, "agency_review")])


async def test_a_correction_replaces_the_earlier_version_in_the_draft(world, compiler):
    tree = await world.province(districts=1, grassroots=1)
    (district, (unit,)), = tree.items()
    await world.submit(unit, f"{district}.{unit}", version=1, content=content(10))
    await draft_where(world, district, lambda d: value_of(d)["value"] == 10, "first version")
    await world.submit(unit, f"{district}.{unit}", version=2, content=content(25))
    draft = await draft_where(world, district, lambda d: value_of(d)["value"] == 25, "the correction")
    assert draft["sources"][0]["version"] == 2 and len(draft["sources"]) == 1


async def test_an_overdue_obligation_updates_coverage_and_announces_a_new_version(world, compiler, nc):
    tree = await world.province(districts=1, grassroots=2)
    (district, units), = tree.items()
    for unit in units:
        await world.obligation(unit, f"{district}.{unit}", "resolution_review", "pending")
    await draft_where(world, district, lambda d: d["coverage"]["pending"] == 2, "two pending")
    updates = await capture(nc, f"review.drafts.updated.{district}")
    try:
        await world.obligation(units[0], f"{district}.{units[0]}", "resolution_review", "overdue",
                               changed_at="2023-05-15T00:00:00+07:00")
        draft = await draft_where(world, district, lambda d: d["coverage"]["overdue"] == 1, "one overdue")
        cov = draft["coverage"]
        assert (cov["expected"], cov["pending"], cov["overdue"]) == (2, 1, 1)
        await eventually(lambda: updates.where(scope=district, version=draft["version"]), what="drafts.updated")
        root = await draft_where(world, world.root, lambda d: d["coverage"]["overdue"] == 1, "root coverage")
        assert root["coverage"]["expected"] == 2
    finally:
        await updates.stop()


async def test_the_draft_is_served_as_markdown_and_as_a_word_document(world, compiler):
    tree = await world.province(districts=1, grassroots=1)
    (district, (unit,)), = tree.items()
    await world.submit(unit, f"{district}.{unit}", content=content(7))
    await draft_where(world, district, lambda d: d["sources"], "a draft")
    markdown = (await world.draft(district, "markdown"))["markdown"]
    assert "# BÁO CÁO" in markdown and "HUYỆN ỦY SỐ 1" in markdown and "Đảng bộ xã 1-1" in markdown
    reply = await world.draft(district, "docx")
    assert reply["filename"].endswith(".docx")
    document = docx.Document(io.BytesIO(docx_bytes(reply)))
    assert any(p.text == "Phần thứ nhất" for p in document.paragraphs)


async def test_an_unknown_scope_is_answered_with_an_error_code(world, compiler):
    await world.province(districts=1, grassroots=1)
    await draft_where(world, world.root, lambda d: True, "root draft")
    reply = await world.draft(world.uid("NOPE"))
    assert reply["error"]["code"] == "unknown_scope"
    grassroots = world.uid("D1G1")
    assert (await world.draft(grassroots))["error"]["code"] == "unknown_scope"


async def test_the_draft_of_the_root_is_served_when_no_scope_is_named(world, compiler):
    await world.province(districts=1, grassroots=1)
    draft = await draft_where(world, None, lambda d: d["scope"] == world.root, "root draft")
    assert draft["scope_name"] == "Tỉnh ủy Lâm Giang"
    stats = await request(world.nc, "review.query.compiler.stats", {})
    assert stats["recomputations"] >= 1
