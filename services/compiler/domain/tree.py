"""The organisation tree as the compiler sees it, and which reports feed which scope (CONTRACT § 4)."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping

from services.compiler.domain.model import UnitInfo

SCOPE_LEVELS = ("province", "district")
MAIN = "main"
INSPECTION = "inspection"

# (level of the unit directly under the scope, report type, what it feeds)
FEEDS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "district": (("grassroots", "resolution_review", MAIN),),
    "province": (
        ("district", "resolution_review", MAIN),
        ("agency", "agency_review", MAIN),
        ("district", "inspection_review", INSPECTION),
    ),
}
FEEDING_TYPES = frozenset(t for feeds in FEEDS.values() for _, t, _ in feeds)
LEVEL_ORDER = {"province": 0, "district": 1, "agency": 2, "grassroots": 3}


class Tree:
    def __init__(self, units: Mapping[str, UnitInfo] | Iterable[UnitInfo]) -> None:
        items = units.values() if isinstance(units, Mapping) else units
        self.units: dict[str, UnitInfo] = {u.unit_id: u for u in items}
        self._children: dict[str, list[str]] = {}
        for unit in sorted(self.units.values(), key=_order):
            if unit.parent_id:
                self._children.setdefault(unit.parent_id, []).append(unit.unit_id)
        roots = [u for u in self.units.values() if u.level == "province" and not u.parent_id]
        self._root = sorted(roots, key=lambda u: (not u.active, u.unit_id))[0] if roots else None
        # subtrees walked since the last change: the provincial draft walks the country's 52 000 units several
        # times per recompute, and is recomputed every couple of seconds in a burst while the tree stands still
        self._below: dict[str, list[UnitInfo]] = {}
        self._owners: dict[str, dict[str, str]] = {}

    def put(self, unit: UnitInfo) -> None:
        """Add or change one unit in place (a registry of 52 000 units is not rebuilt per change)."""
        self._below.clear()
        self._owners.clear()
        old = self.units.get(unit.unit_id)
        if old is not None and old.parent_id:
            siblings = self._children.get(old.parent_id, [])
            if unit.unit_id in siblings:
                siblings.remove(unit.unit_id)
        self.units[unit.unit_id] = unit
        if unit.parent_id:
            siblings = self._children.setdefault(unit.parent_id, [])
            bisect.insort(siblings, unit.unit_id, key=lambda u: _order(self.units[u]))
        if unit.level == "province" or (old is not None and old.level == "province"):
            roots = [u for u in self.units.values() if u.level == "province" and not u.parent_id]
            self._root = sorted(roots, key=lambda u: (not u.active, u.unit_id))[0] if roots else None

    def get(self, unit_id: str) -> UnitInfo | None:
        return self.units.get(unit_id)

    def root(self) -> UnitInfo | None:
        return self._root

    def is_scope(self, unit_id: str) -> bool:
        unit = self.units.get(unit_id)
        return unit is not None and unit.level in SCOPE_LEVELS

    def children(self, unit_id: str, *, active_only: bool = True) -> list[UnitInfo]:
        found = (self.units[c] for c in self._children.get(unit_id, ()))
        return [u for u in found if u.active or not active_only]

    def below(self, unit_id: str) -> list[UnitInfo]:
        """Every unit in the subtree under `unit_id`, the unit itself excluded, active or not, depth first.
        The list is kept until the tree changes: callers do not change it."""
        found = self._below.get(unit_id)
        if found is None:
            found = self._below[unit_id] = []
            stack = list(reversed(self._children.get(unit_id, ())))
            while stack:
                child = stack.pop()
                found.append(self.units[child])
                stack.extend(reversed(self._children.get(child, ())))
        return found

    def owners(self, scope: str) -> dict[str, str]:
        """Each unit below `scope` -> the unit directly under `scope` it is under (a child owns itself). Kept until
        the tree changes: callers do not change it."""
        found = self._owners.get(scope)
        if found is None:
            found = self._owners[scope] = {}
            for child in self.children(scope, active_only=False):
                found[child.unit_id] = child.unit_id
                found.update((u.unit_id, child.unit_id) for u in self.below(child.unit_id))
        return found

    def feeds(self, scope: str) -> list[tuple[str, str, str]]:
        """(unit_id, report_type, role) of every report the scope's draft is built from."""
        unit = self.units.get(scope)
        if unit is None or unit.level not in FEEDS:
            return []
        rules = FEEDS[unit.level]
        return [
            (child.unit_id, report_type, role)
            for role_order in (MAIN, INSPECTION)
            for child in self.children(scope)
            for level, report_type, role in rules
            if role == role_order and child.level == level
        ]

    def ancestors(self, unit_id: str) -> list[str]:
        out: list[str] = []
        seen = {unit_id}
        current = self.units.get(unit_id)
        while current is not None and current.parent_id and current.parent_id not in seen:
            out.append(current.parent_id)
            seen.add(current.parent_id)
            current = self.units.get(current.parent_id)
        return out

    def scopes_above(self, unit_id: str, path: str = "") -> set[str]:
        """Scopes whose draft may show this unit: its ancestors, plus those its path names (the
        projection may not know the unit yet), plus the root."""
        candidates = set(self.ancestors(unit_id))
        candidates.update(p for p in path.split(".")[:-1] if p)
        root = self.root()
        if root is not None and root.unit_id != unit_id:
            candidates.add(root.unit_id)
        return {c for c in candidates if c not in self.units or self.is_scope(c)}


def _order(unit: UnitInfo) -> tuple[int, str]:
    return (LEVEL_ORDER.get(unit.level, 9), unit.unit_id)
