"""The recipients projection in memory, in front of `notifier_units`: every event needs its unit, and a database
round trip per event was a third of a mail's cost. Write-through: a unit change is written to the database, then
to the cache. An entry is trusted for `ttl` seconds only, because with several notifier replicas another replica
may have applied a later change (the durable consumer hands each change to one of them)."""

from __future__ import annotations

import time
from collections.abc import Callable

from services.notifier.domain.units import UnitView
from services.notifier.ports import Units


class CachedUnits:
    def __init__(self, inner: Units, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.inner = inner
        self.ttl = ttl
        self.clock = clock
        self._cache: dict[str, tuple[float, UnitView]] = {}

    async def get(self, unit_id: str) -> UnitView | None:
        hit = self._cache.get(unit_id)
        if hit is not None and self.clock() - hit[0] < self.ttl:
            return hit[1]
        unit = await self.inner.get(unit_id)
        if unit is not None:  # an unknown unit is asked again: its `units.changed` may be on its way
            self._cache[unit_id] = (self.clock(), unit)
        return unit

    async def put(self, unit: UnitView) -> None:
        await self.inner.put(unit)
        self._cache[unit.unit_id] = (self.clock(), unit)
