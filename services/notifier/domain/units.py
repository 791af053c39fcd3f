"""The notifier's view of a unit: who to write to, and what to call the unit."""

from __future__ import annotations

from dataclasses import dataclass

from services.notifier.domain.mail import Person


@dataclass(frozen=True)
class UnitView:
    unit_id: str
    name: str
    level: str
    path: str
    contacts: tuple[Person, ...] = ()
    supervisors: tuple[Person, ...] = ()
    active: bool = True
