"""CONTRACT section 1: the organisation tree."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from shared.contract.common import Email, Name, Strict, Timestamp, UnitId


class Level(StrEnum):
    province = "province"
    district = "district"
    grassroots = "grassroots"
    agency = "agency"


# The registry's rule (intake refuses any other parent: `wrong_parent_level`); the province has none.
PARENT_LEVEL = {
    Level.district: Level.province,
    Level.agency: Level.province,
    Level.grassroots: Level.district,
}


def levels_below(level: Level) -> set[Level]:
    """The levels a unit of `level` can have anywhere below it (PARENT_LEVEL)."""
    found: set[Level] = set()
    frontier = {level}
    while frontier:
        frontier = {child for child, parent in PARENT_LEVEL.items() if parent in frontier} - found
        found |= frontier
    return found


class Contact(Strict):
    name: Name
    email: Email
    role: str | None = Field(None, max_length=64)


class Unit(Strict):
    """`review.units.upsert`."""

    unit_id: UnitId
    name: Name
    level: Level
    parent_id: UnitId | None = None
    founded_on: date | None = None
    roles: list[str] = Field(default_factory=list, max_length=20)
    contacts: list[Contact] = Field(default_factory=list, max_length=50)
    supervisors: list[Contact] = Field(default_factory=list, max_length=20)
    active: bool = True


class UnitChanged(Unit):
    """`review.units.changed.<path>`: the stored unit with its path (`` for the root)."""

    path: str
    changed_at: Timestamp | None = None

