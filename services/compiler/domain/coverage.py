"""Coverage: the obligations of every unit in the subtree below a scope, counted by status."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from services.compiler.domain.model import ObligationRow
from services.compiler.domain.tree import Tree

COUNTED = ("submitted", "late", "returned", "overdue", "pending")
NOT_EXPECTED = ("exempt", "removed")


def count(rows: Iterable[ObligationRow]) -> dict[str, int]:
    """`expected` excludes exempt and removed: submitted + late + returned + overdue + pending = expected."""
    totals = dict.fromkeys((*COUNTED, "exempt"), 0)
    for row in rows:
        if row.status in totals:
            totals[row.status] += 1
    return {"expected": sum(totals[s] for s in COUNTED), **totals}


class CoverageRows:
    """The obligation rows the compiler knows, keyed `<unit>:<type>`, found by scope without reading them all:
    a district's draft at national scale looks at its ~75 units, not at the 52 000 rows of the country."""

    def __init__(self) -> None:
        self.rows: dict[str, ObligationRow] = {}
        self._by_unit: dict[str, dict[str, ObligationRow]] = {}
        self._strays: set[str] = set()  # units the tree below did not know when it was built
        self._strays_of: Tree | None = None

    def put(self, key: str, row: ObligationRow) -> None:
        old = self.rows.get(key)
        if old is not None and old.unit_id != row.unit_id:
            self._by_unit.get(old.unit_id, {}).pop(key, None)
        self.rows[key] = row
        self._by_unit.setdefault(row.unit_id, {})[key] = row
        if self._strays_of is not None and row.unit_id not in self._strays_of.units:
            self._strays.add(row.unit_id)

    def in_scope(self, tree: Tree, scope: str) -> list[ObligationRow]:
        """What `rows_in_scope` picks from all rows: the rows of the units below the scope, and of units the
        tree does not know yet whose path places them below it."""
        if self._strays_of is not tree:
            self._strays = {unit_id for unit_id in self._by_unit if unit_id not in tree.units}
            self._strays_of = tree
        else:  # the tree changes in place (Tree.put): a stray it has learnt since is found below its parent
            self._strays = {unit_id for unit_id in self._strays if unit_id not in tree.units}
        root = tree.root()
        if root is not None and root.unit_id == scope:
            # every row but the root's own and those of units the tree places elsewhere (`rows_in_scope`), decided
            # once per unit: walking the subtree and then each row was a tenth of the compiler's CPU in a burst
            below, known = tree.owners(scope), tree.units
            return [row for unit_id, rows in self._by_unit.items()
                    if unit_id != scope and (unit_id in below or unit_id not in known) for row in rows.values()]
        candidates = [row for unit in tree.below(scope) for row in self._by_unit.get(unit.unit_id, {}).values()]
        candidates += [row for unit_id in self._strays for row in self._by_unit.get(unit_id, {}).values()]
        return rows_in_scope(tree, scope, candidates)


def rows_in_scope(tree: Tree, scope: str, rows: Iterable[ObligationRow]) -> list[ObligationRow]:
    """Rows of units below the scope; a unit the projection does not know yet is placed by its path."""
    below = tree.owners(scope)  # every unit below the scope
    root = tree.root()
    is_root = root is not None and root.unit_id == scope
    picked = []
    for row in rows:
        if row.unit_id == scope:
            continue
        if row.unit_id in below:
            picked.append(row)
        elif row.unit_id not in tree.units and (is_root or scope in row.path.split(".")[:-1]):
            picked.append(row)
    return picked


def coverage_of(tree: Tree, scope: str, rows: Iterable[ObligationRow]) -> dict[str, Any]:
    """The counts of CONTRACT § 4 over the whole subtree, plus (additions) the counts under each unit directly
    below the scope, and the status of each obligation of those units, for the annex that names who reported
    on time, late, not at all. Each level names the level it compiles from, as Party reports do: a district's
    annex names its grassroots organisations, the province's its districts and agencies (their grassroots are
    counted in the breakdown, and named in each district's own draft). A national root draft naming 52 000
    units would be 10 MB, rewritten at every recompute."""
    picked = rows_in_scope(tree, scope, rows)
    result: dict[str, Any] = count(picked)
    root = tree.root()
    is_root = root is not None and root.unit_id == scope
    children = tree.children(scope, active_only=False)
    owner = tree.owners(scope)
    under: dict[str, list[ObligationRow]] = {}
    named: list[ObligationRow] = []
    for row in picked:
        unit = owner.get(row.unit_id)
        if unit is not None:
            under.setdefault(unit, []).append(row)
        if row.status != "removed" and (unit == row.unit_id if unit is not None
                                        else _directly_under(tree, scope, is_root, row)):
            named.append(row)
    breakdown = [{"unit_id": child.unit_id, "name": child.name, **count(under[child.unit_id])}
                 for child in children if under.get(child.unit_id)]
    result["breakdown"] = breakdown
    result["units"] = [
        {"unit_id": r.unit_id, "unit_name": _name(tree, r), "report_type": r.report_type,
         "status": r.status, "due_at": r.due_at, "version": r.version}
        for r in sorted(named, key=lambda r: (r.path or r.unit_id, r.report_type))
    ]
    return result


def _directly_under(tree: Tree, scope: str, is_root: bool, row: ObligationRow) -> bool:
    unit = tree.get(row.unit_id)
    if unit is not None:
        return unit.parent_id == scope
    parents = row.path.split(".")[:-1]  # a unit the tree does not know yet: placed by its path
    return parents[-1:] == [scope] or (is_root and not parents)


def _name(tree: Tree, row: ObligationRow) -> str:
    unit = tree.get(row.unit_id)
    return unit.name if unit else row.unit_name
