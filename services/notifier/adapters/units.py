"""`notifier_units`: the notifier's own projection of the registry, from `review.units.changed.>`."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.notifier.domain.mail import Person
from services.notifier.domain.units import UnitView


class MongoUnits:
    def __init__(self, db: AsyncDatabase[Any], name: str = "notifier_units") -> None:
        self.col = db[name]

    async def get(self, unit_id: str) -> UnitView | None:
        doc = await self.col.find_one({"_id": unit_id})
        if doc is None:
            return None
        return UnitView(
            unit_id=doc["_id"], name=doc["name"], level=doc["level"], path=doc["path"],
            contacts=tuple(Person(n, e) for n, e in doc.get("contacts", [])),
            supervisors=tuple(Person(n, e) for n, e in doc.get("supervisors", [])),
            active=doc.get("active", True),
        )

    async def put(self, unit: UnitView) -> None:
        await self.col.replace_one({"_id": unit.unit_id}, {
            "_id": unit.unit_id, "name": unit.name, "level": unit.level, "path": unit.path,
            "contacts": [[p.name, p.email] for p in unit.contacts],
            "supervisors": [[p.name, p.email] for p in unit.supervisors],
            "active": unit.active,
        }, upsert=True)
