"""The values an accepted report gives as evidence for the plan's milestones (CONTRACT section 10):
`{"conference.held_on": "2023-06-20"}` for a conference result, so the deadline service can judge a
milestone without reading report content."""

from __future__ import annotations

import json
from typing import Any

from shared.plan import Plan


def evidence(plan: Plan, report_type: str, submission: dict[str, Any]) -> dict[str, str] | None:
    """Each field a milestone names for this report type, with its value as text; None if the plan names none.

    A field is a dotted path into the report's `content` (`conference.held_on`), or into the whole
    submission when it starts with `content.` or names a top-level field. A field the report leaves
    empty is left out.
    """
    fields = [m.evidence.field for m in plan.milestones
              if m.evidence is not None and m.evidence.report_type == report_type]
    if not fields:
        return None
    found: dict[str, str] = {}
    for name in dict.fromkeys(fields):
        value = _lookup(submission.get("content") or {}, name)
        if value is None:
            value = _lookup(submission, name)
        if value is not None and not isinstance(value, dict | list):
            found[name] = value if isinstance(value, str) else json.dumps(value)
    return found


def _lookup(tree: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(tree, dict) or part not in tree:
            return None
        tree = tree[part]
    return tree
