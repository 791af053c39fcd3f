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


def rows_in_scope(tree: Tree, scope: str, rows: Iterable[ObligationRow]) -> list[ObligationRow]:
    """Rows of units below the scope; a unit the projection does not know yet is placed by its path."""
    below = {u.unit_id for u in tree.below(scope)}
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
    """The counts of CONTRACT § 4, plus (additions) a count per unit directly under the scope and the
    status of every obligation, for the annex that names who reported on time, late, not at all."""
    picked = sorted(rows_in_scope(tree, scope, rows), key=lambda r: (r.path or r.unit_id, r.report_type))
    result: dict[str, Any] = count(picked)
    breakdown = []
    for child in tree.children(scope, active_only=False):
        inside = {child.unit_id} | {u.unit_id for u in tree.below(child.unit_id)}
        mine = [r for r in picked if r.unit_id in inside]
        if mine:
            breakdown.append({"unit_id": child.unit_id, "name": child.name, **count(mine)})
    result["breakdown"] = breakdown
    result["units"] = [
        {"unit_id": r.unit_id, "unit_name": _name(tree, r), "report_type": r.report_type,
         "status": r.status, "due_at": r.due_at, "version": r.version}
        for r in picked if r.status != "removed"
    ]
    return result


def _name(tree: Tree, row: ObligationRow) -> str:
    unit = tree.get(row.unit_id)
    return unit.name if unit else row.unit_name
