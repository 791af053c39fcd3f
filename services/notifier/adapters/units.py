"""`notifier_units`: the notifier's own projection of the registry, from `review.units.changed.>`."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.notifier.domain.mail import Person
from services.notifier.domain.units import UnitView
from shared.batching import MicroBatcher


class MongoUnits:
    """Reads of concurrent handlers (a deadline storm: one per event) are gathered into one `$in` query."""

    def __init__(self, db: AsyncDatabase[Any], name: str = "notifier_units") -> None:
        self.col = db[name]
        self._reads: MicroBatcher[str, UnitView | None] = MicroBatcher(self._get_many, max_items=512)

    async def get(self, unit_id: str) -> UnitView | None:
        return await self._reads.submit(unit_id)

    async def _get_many(self, ids: list[str]) -> list[UnitView | None]:
        found = {doc["_id"]: _view(doc) async for doc in self.col.find({"_id": {"$in": sorted(set(ids))}})}
        return [found.get(unit_id) for unit_id in ids]

    async def put(self, unit: UnitView) -> None:
        await self.col.replace_one({"_id": unit.unit_id}, {
            "_id": unit.unit_id, "name": unit.name, "level": unit.level, "path": unit.path,
            "contacts": [[p.name, p.email] for p in unit.contacts],
            "supervisors": [[p.name, p.email] for p in unit.supervisors],
            "active": unit.active,
        }, upsert=True)


def _view(doc: dict[str, Any]) -> UnitView:
    return UnitView(
        unit_id=doc["_id"], name=doc["name"], level=doc["level"], path=doc["path"],
        contacts=tuple(Person(n, e) for n, e in doc.get("contacts", [])),
        supervisors=tuple(Person(n, e) for n, e in doc.get("supervisors", [])),
        active=doc.get("active", True),
    )
