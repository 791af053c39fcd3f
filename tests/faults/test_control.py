"""The control: the same campaign without a fault meets every oracle, so a failing fault test is about its fault."""

from __future__ import annotations

from tests.faults.scenario import new_run, play, verify


async def test_the_campaign_without_a_fault_meets_every_oracle(platform):
    p, run = platform(), new_run()
    await play(p, run)
    await verify(p, run)

