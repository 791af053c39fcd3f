"""CONTRACT § 10 through the running compiler on real NATS: a returned version leaves the drafts until the next
one; drafts list late and missing milestones, asked of `review.query.milestones` at compile time (answered here
by a small responder standing in for the deadline service)."""

from __future__ import annotations

import json
import uuid

import pytest_asyncio

from tests.integration.compiler.test_drafts import draft_where, value_of
from tests.integration.compiler.world import World, content


@pytest_asyncio.fixture
async def world(nc, mongo_uri):
    w = World(nc, mongo_uri)
    yield w
    w.close()


@pytest_asyncio.fixture
async def compiler(start_service, world):
    return await start_service("compiler", MIDTERM_CONSUMER_SUFFIX=f"-{world.token}-{uuid.uuid4().hex[:4]}")


async def test_a_returned_version_leaves_the_draft_until_the_next_version_arrives(world, compiler):
    tree = await world.province(districts=1, grassroots=2)
    (district, (unit, other)), = tree.items()
    path = f"{district}.{unit}"
    await world.submit(unit, path, version=1, content=content(10))
    await world.submit(other, f"{district}.{other}", version=1, content=content(5))
    await world.obligation(unit, path, "resolution_review", "submitted", "2023-05-10T08:00:00+07:00", version=1)
    await draft_where(world, district, lambda d: value_of(d)["value"] == 15, "both reports in the draft")

    await world.obligation(unit, path, "resolution_review", "returned", "2023-05-18T09:00:00+07:00", version=1)
    draft = await draft_where(world, district, lambda d: value_of(d)["value"] == 5, "the returned version out")
    assert [s["unit_id"] for s in draft["sources"]] == [other]
    assert draft["coverage"]["returned"] == 1

    await world.submit(unit, path, version=2, content=content(30))
    draft = await draft_where(world, district, lambda d: value_of(d)["value"] == 35, "the new version in")
    assert {(s["unit_id"], s["version"]) for s in draft["sources"]} == {(unit, 2), (other, 1)}


async def test_drafts_list_the_late_and_missing_milestones_the_deadline_service_reports(world, compiler, nc):
    tree = await world.province(districts=2, grassroots=1)
    d1, d2 = tree
    await world.submit(d1, d1, content=content(40))
    first = await draft_where(world, world.root, lambda d: len(d["sources"]) == 1, "a draft without a responder")
    assert "milestones" not in first  # nobody answered: the list is left out, the draft is not held up

    asked: list[str] = []

    async def answer(msg):
        scope = json.loads(msg.data).get("scope")
        asked.append(scope)
        rows = [
            {"unit_id": d1, "milestone": "district_conference", "due_at": "2023-06-30T00:00:00+07:00",
             "met_on": "2023-07-02", "status": "late"},
            {"unit_id": d2, "milestone": "district_conference", "due_at": "2023-06-30T00:00:00+07:00",
             "met_on": None, "status": "missing"},
            {"unit_id": world.root, "milestone": "provincial_conference", "due_at": "2023-10-15T00:00:00+07:00",
             "met_on": None, "status": "pending"},
        ]
        await msg.respond(json.dumps({"milestones": rows}).encode())

    sub = await nc.subscribe("review.query.milestones", cb=answer)
    try:
        await world.submit(d2, d2, content=content(60))
        draft = await draft_where(world, world.root, lambda d: "milestones" in d and len(d["sources"]) == 2,
                                  "a draft with its milestones")
        assert [(m["unit_id"], m["status"]) for m in draft["milestones"]] == [(d2, "missing"), (d1, "late")]
        assert world.root in asked
        markdown = (await world.draft(world.root, "markdown"))["markdown"]
        assert "Phụ lục 4" in markdown and "Huyện ủy Số 2" in markdown and "Chưa tổ chức" in markdown
    finally:
        await sub.unsubscribe()
