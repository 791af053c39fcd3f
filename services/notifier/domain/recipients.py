"""Who gets which mail (CONTRACT section 8). One delivery per envelope recipient; the headers say who else was
addressed, so an escalation's copies all read `To: <supervisors>`, `Cc: <the Office>`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.notifier.domain.mail import Person, normal_email
from services.notifier.domain.units import UnitView


@dataclass(frozen=True)
class Delivery:
    recipient: str  # envelope RCPT, lower case
    to: tuple[Person, ...]
    cc: tuple[Person, ...] = ()


def _unique(people: Iterable[Person]) -> tuple[Person, ...]:
    seen: set[str] = set()
    out: list[Person] = []
    for person in people:
        key = normal_email(person.email)
        if key and key not in seen:
            seen.add(key)
            out.append(person)
    return tuple(out)


def each_alone(people: Iterable[Person]) -> list[Delivery]:
    """A separate notice to each person, addressed to that person only."""
    return [Delivery(normal_email(p.email), (p,)) for p in _unique(people)]


def unit_contacts(unit: UnitView) -> list[Delivery]:
    return each_alone(unit.contacts)


def escalation(unit: UnitView, office: Person | None) -> list[Delivery]:
    """The supervisors in To, the Office in Cc; each address its own delivery (and outbox entry)."""
    to = _unique(unit.supervisors)
    cc = tuple(p for p in _unique([office] if office else []) if normal_email(p.email) not in _emails(to))
    if not to:  # nobody in charge on record: the Office still hears of it, as the addressee
        to, cc = cc, ()
    return [Delivery(normal_email(p.email), to, cc) for p in (*to, *cc)]


def submitter(person: Person | None) -> list[Delivery]:
    return each_alone([person]) if person and person.email else []


def editorial(addresses: Iterable[str], name: str) -> list[Delivery]:
    return each_alone(Person(name, a) for a in addresses)


def _emails(people: Iterable[Person]) -> set[str]:
    return {normal_email(p.email) for p in people}
