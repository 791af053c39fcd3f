"""`midterm units import`: the sample registry published through the real subject, parents first."""

from __future__ import annotations

from pathlib import Path

from services.intake.registry import load_registry, publish_registry
from tests.infra.wait import eventually

SAMPLE = Path(__file__).resolve().parents[3] / "samples" / "registry.yaml"


async def test_the_sample_registry_is_imported_whole_with_paths_and_no_rejection(launch):
    intake = await launch()
    units = load_registry(SAMPLE)
    assert await publish_registry(intake.nc.jetstream(), units) == 317

    async def count() -> int:
        return await intake.db["units"].count_documents({})

    await eventually(lambda: _equals(count, 317), timeout=30, what="317 units stored")
    assert intake.units_rejected.bodies == []
    leaf = await intake.db["units"].find_one({"_id": "TP-XPL"})
    assert leaf["path"] == "TP.TP-XPL"
    assert (await intake.db["units"].find_one({"_id": "BTG"}))["roles"] == ["propaganda"]


async def _equals(count, n: int) -> bool:
    return await count() == n
