"""`midterm units import`: read a registry file and publish it on review.units.upsert, parents first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from cli.bus import connect
from services.intake.registry import load_registry, publish_registry
from shared.streams import ensure_stream


def load_units(path: Path) -> list[dict[str, Any]]:
    return load_registry(path)


async def publish_units(nc: Any, units: list[dict[str, Any]]) -> int:
    js = nc.jetstream()
    await ensure_stream(js)
    return await publish_registry(js, units)


async def import_registry(url: str, path: Path) -> int:
    units = load_units(path)
    nc = await connect(url)
    try:
        count = await publish_units(nc, units)
    finally:
        await nc.close()
    Console().print(f"published {count} units from {path} on review.units.upsert")
    return 0
