"""The province at a glance: counts per district (and one group for the agencies), next deadlines, overdue list."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from services.dashboard.domain.rows import AGENCY_REPORTS, STATUSES, Person, Row, UnitInfo
from shared.clock import aware

AGENCIES = "agencies"
OWING = frozenset({"pending", "returned"})


@dataclass
class GroupCounts:
    """One bar: a district's whole subtree, or every agency together (`key == "agencies"`)."""

    key: str
    name: str
    kind: str  # district | agencies | province
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts[s] for s in STATUSES)

    def count(self, status: str) -> int:
        return self.counts[status]


def is_agency(top: str, rows: Iterable[Row], units: Mapping[str, UnitInfo]) -> bool:
    """By the registry's level; without it, a top-level unit that owes only agency reports."""
    unit = units.get(top)
    if unit is not None and unit.level:
        return unit.level == "agency"
    own = [r for r in rows if r.top == top]
    return bool(own) and all(r.depth == 1 and r.report_type in AGENCY_REPORTS for r in own)


def counts_by_group(rows: list[Row], units: Mapping[str, UnitInfo] | None = None) -> list[GroupCounts]:
    """Districts in the order of the status reply (by path), then the agencies' group, then the root if it owes."""
    units = units or {}
    districts: dict[str, GroupCounts] = {}
    agencies = GroupCounts(AGENCIES, "", "agencies")
    province = GroupCounts("", "", "province")
    agency_tops = {top for top in {r.top for r in rows if r.top} if is_agency(top, rows, units)}
    for row in rows:
        if not row.top:
            province.name = province.name or row.unit_name
            province.counts[row.status] += 1
            continue
        if row.top in agency_tops:
            agencies.counts[row.status] += 1
            continue
        group = districts.get(row.top)
        if group is None:
            known = units.get(row.top)
            group = districts[row.top] = GroupCounts(row.top, known.name if known else row.top, "district")
        if row.depth == 1:
            group.name = row.unit_name
        group.counts[row.status] += 1
    ordered = sorted(districts.values(), key=lambda g: g.key)
    return ordered + [g for g in (agencies, province) if g.total]


def totals(rows: Iterable[Row]) -> Counter[str]:
    return Counter(r.status for r in rows)


@dataclass(frozen=True)
class Deadline:
    due_at: datetime
    report_type: str
    owing: int  # units that still owe it (not submitted yet, or returned for a new version)
    obliged: int  # units it applies to, exemptions left out
    days_left: int


def next_deadlines(rows: Iterable[Row], as_of: datetime, limit: int = 6) -> list[Deadline]:
    groups: dict[tuple[datetime, str], list[Row]] = defaultdict(list)
    for row in rows:
        if row.due_at > as_of and row.status != "exempt":
            groups[(row.due_at, row.report_type)].append(row)
    found = [
        Deadline(due, report, sum(r.status in OWING for r in group), len(group), days_between(as_of, due))
        for (due, report), group in groups.items()
    ]
    found.sort(key=lambda d: (d.due_at, d.report_type))
    return found[:limit]


def days_between(start: datetime, end: datetime) -> int:
    """Whole calendar days in Vietnam time, the way a clerk counts them."""
    return (aware(end).date() - aware(start).date()).days


@dataclass(frozen=True)
class Overdue:
    row: Row
    group_name: str
    days_late: int
    in_charge: tuple[Person, ...]
    in_charge_of: str | None  # the unit whose member in charge is shown, when it is not the unit itself


def in_charge(unit_id: str, units: Mapping[str, UnitInfo]) -> tuple[tuple[Person, ...], str | None]:
    """The unit's supervisors; a unit without its own inherits those of the level above (its district)."""
    seen: set[str] = set()
    current = units.get(unit_id)
    while current is not None and current.unit_id not in seen:
        seen.add(current.unit_id)
        if current.supervisors:
            return current.supervisors, (None if current.unit_id == unit_id else current.name)
        if current.level in ("district", "agency", "province"):
            break  # the Standing Committee's own members are not inherited from the root
        current = units.get(current.parent_id or "")
    return (), None


def overdue_list(rows: Iterable[Row], as_of: datetime, units: Mapping[str, UnitInfo],
                 groups: Iterable[GroupCounts] = ()) -> list[Overdue]:
    """Longest overdue first, then by district and unit: the order a clerk telephones in."""
    names = {g.key: g.name for g in groups}
    items = []
    for row in rows:
        if row.status != "overdue":
            continue
        people, inherited = in_charge(row.unit_id, units)
        group = names.get(row.top) or (units[row.top].name if row.top in units else row.top)
        items.append(Overdue(row, group, max(days_between(row.due_at, as_of), 0), people, inherited))
    items.sort(key=lambda o: (o.row.due_at, o.row.path, o.row.report_type))
    return items
