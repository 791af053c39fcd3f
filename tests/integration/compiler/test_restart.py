"""A compiler killed in the middle of a burst loses nothing: after a restart the drafts show every latest version."""

from __future__ import annotations

import asyncio
import uuid

import pytest_asyncio

from tests.infra.wait import eventually
from tests.integration.compiler.world import World, content

DISTRICTS, GRASSROOTS, VERSIONS = 2, 40, 3


@pytest_asyncio.fixture
async def world(nc, mongo_uri):
    w = World(nc, mongo_uri)
    yield w
    w.close()


async def burst(world: World, tree: dict[str, list[str]], version: int) -> None:
    rows = [(unit, f"{district}.{unit}") for district, units in tree.items() for unit in units]
    sids = [world.store_submission(unit, path, "resolution_review", version, content(version)) for unit, path in rows]
    await asyncio.gather(*(world.accepted(sid, unit, path, "resolution_review", version)
                           for sid, (unit, path) in zip(sids, rows, strict=True)))


async def test_a_compiler_killed_mid_burst_loses_nothing_after_a_restart(world, start_service):
    suffix = f"-{world.token}-{uuid.uuid4().hex[:4]}"
    compiler = await start_service("compiler", MIDTERM_CONSUMER_SUFFIX=suffix)
    tree = await world.province(districts=DISTRICTS, grassroots=GRASSROOTS)
    for version in range(1, VERSIONS):
        await burst(world, tree, version)

    async def some_draft():
        reply = await world.draft(next(iter(tree)))
        return "error" not in reply and reply["sources"]
    await eventually(some_draft, what="the burst to be under way")
    await burst(world, tree, VERSIONS)
    compiler.kill9()
    await compiler.start()

    async def complete():
        drafts = [await world.draft(d) for d in tree]
        return all("error" not in d and len(d["sources"]) == GRASSROOTS
                   and all(s["version"] == VERSIONS for s in d["sources"])
                   and d["targets"][0]["value"] == GRASSROOTS * VERSIONS for d in drafts)
    assert await eventually(complete, timeout=60, interval=0.5, what="every latest version in the drafts")
