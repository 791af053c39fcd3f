"""SIGTERM (CONTRACT section 7): intake stops fetching, lets what it holds finish, and exits 0."""

from __future__ import annotations

from tests.integration.intake.conftest import Province


async def test_intake_drains_and_exits_0_on_sigterm_after_a_burst(launch):
    p = Province()
    intake = await launch()
    await intake.seed(p.units)
    bodies = [p.submission("TP-XPL") for _ in range(20)]
    for body in bodies:
        await intake.submit(body, p.path("TP-XPL"))
    await intake.outcome(bodies[-1]["submission_id"])
    assert intake.proc.stop() == 0
