"""Milestones a draft lists (CONTRACT § 10): the late and missing ones of the units below its scope, as the
deadline service reports them, named for the reader."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from services.compiler.domain.tree import Tree

LISTED = ("missing", "late")  # `met` and `pending` are nobody's concern in a draft


def listed_milestones(tree: Tree, scope: str, rows: Iterable[Mapping[str, Any]],
                      names: Mapping[str, str]) -> list[dict[str, Any]]:
    """Missing first, then late; by unit path and milestone. A row for the scope itself is kept (a provincial
    conference is the province's own milestone); rows for units outside the scope's subtree are not."""
    inside = {scope} | {u.unit_id for u in tree.below(scope)}
    picked = []
    for row in rows:
        status, unit_id = row.get("status"), row.get("unit_id")
        if status not in LISTED or not unit_id or (tree.units and unit_id not in inside):
            continue
        unit = tree.get(unit_id)
        milestone = str(row.get("milestone") or "")
        picked.append({
            "unit_id": unit_id, "unit_name": unit.name if unit else unit_id,
            "milestone": milestone, "name": names.get(milestone, milestone),
            "due_at": row.get("due_at"), "met_on": row.get("met_on"), "status": status,
            "_order": (LISTED.index(status), unit.path if unit else unit_id, milestone),
        })
    picked.sort(key=lambda r: r["_order"])
    return [{k: v for k, v in r.items() if k != "_order"} for r in picked]
