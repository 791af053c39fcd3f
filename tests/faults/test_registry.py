"""Reordering, the fault the broker itself never makes: a registry published parents first (each publish acked
before the next) must be stored whole, however intake fetches and schedules it."""

from __future__ import annotations

from tests.faults.scenario import new_run
from tests.infra.wait import eventually


async def test_a_registry_published_parents_first_is_stored_whole(platform):
    p, run = platform(), new_run()
    await p.start()
    for unit in run.units:  # in tree order: the root, then each district followed by its grassroots units
        await p.publish("review.units.upsert", unit, None)

    async def answered() -> bool:
        changed = await p.stream("review.units.changed.>")
        rejected = await p.stream("review.units.rejected")
        return len(changed) + len(rejected) >= len(run.units)

    await eventually(answered, timeout=60, interval=0.5, what="every upsert answered")
    rejected = [(b["unit_id"], [e["code"] for e in b["errors"]]) for _, b, _ in await p.stream("review.units.rejected")]
    assert rejected == []
