"""A scope's draft content (CONTRACT § 4) from the tree, the latest reports and the obligations."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from services.compiler.domain.aggregate import aggregate_targets, sum_inspection
from services.compiler.domain.coverage import coverage_of
from services.compiler.domain.milestones import listed_milestones
from services.compiler.domain.model import ObligationRow, ReportRow, TargetSpec, report_key
from services.compiler.domain.sections import build_sections
from services.compiler.domain.tree import MAIN, Tree

# The parts of a draft that depend only on the reports it is compiled from (not on the coverage, names or
# milestones): a recompute whose sources did not change (the deadline storm: only statuses) reuses them.
PARTS = ("targets", "inspection", "sections", "sources")


def usable_version(version: int | None, obligation: ObligationRow | None) -> bool:
    """A version sent back by the level above leaves the draft until a newer one arrives (§ 10)."""
    if version is None:
        return False
    if obligation is not None and obligation.status in ("returned", "removed"):
        return obligation.version is not None and version > obligation.version
    return True


def source_versions(tree: Tree, scope: str, versions: Mapping[str, int],
                    obligations: Iterable[ObligationRow]) -> tuple[tuple[str, str, int], ...]:
    """(report key, role, version) of each report the scope's draft is compiled from, given the latest version
    of each report key: what its PARTS depend on."""
    feeds = tree.feeds(scope)
    feeding = {unit_id for unit_id, _, _ in feeds}  # the province's 740 of the country's ~95 000 rows
    by_key = {report_key(r.unit_id, r.report_type): r for r in obligations if r.unit_id in feeding}
    found = []
    for unit_id, report_type, role in feeds:
        key = report_key(unit_id, report_type)
        version = versions.get(key)
        if version is not None and usable_version(version, by_key.get(key)):
            found.append((key, role, version))
    return tuple(found)


def compile_parts(
    tree: Tree,
    scope: str,
    reports: Mapping[str, ReportRow],
    obligations: Iterable[ObligationRow],
    targets: Iterable[TargetSpec],
) -> dict[str, Any]:
    """The PARTS of a scope's draft. `reports` is keyed `<unit>:<type>`."""
    main: list[ReportRow] = []
    inspection: list[ReportRow] = []
    versions = {key: report.version for key, report in reports.items()}
    for key, role, _ in source_versions(tree, scope, versions, obligations):
        (main if role == MAIN else inspection).append(reports[key])
    sources = sorted(main + inspection, key=lambda r: (r.unit_id, r.report_type))
    return {
        "targets": aggregate_targets(targets, main),
        "inspection": sum_inspection(inspection),
        "sections": build_sections(main),
        "sources": [
            {"submission_id": r.submission_id, "unit_id": r.unit_id, "report_type": r.report_type,
             "version": r.version}
            for r in sources
        ],
    }


def compile_draft(
    tree: Tree,
    scope: str,
    reports: Mapping[str, ReportRow],
    obligations: Iterable[ObligationRow],
    targets: Iterable[TargetSpec],
    milestones: Iterable[Mapping[str, Any]] | None = None,
    milestone_names: Mapping[str, str] | None = None,
    parts: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything in the draft but `version` and `updated_at`. `reports` is keyed `<unit>:<type>`.
    `milestones` are the deadline service's rows for the scope; None (it did not answer) leaves them out.
    `parts`: the PARTS of an earlier draft compiled from the same sources (then `reports` is not read)."""
    rows = list(obligations)
    if parts is None:
        parts = compile_parts(tree, scope, reports, rows, targets)
    unit = tree.get(scope)
    parent = tree.get(unit.parent_id) if unit and unit.parent_id else None
    root = tree.root()
    coverage = coverage_of(tree, scope, rows)
    named = {s["unit_id"] for s in parts["sources"]} | {c["unit_id"] for c in coverage["units"]}
    extra: dict[str, Any] = {}
    if milestones is not None:
        extra["milestones"] = listed_milestones(tree, scope, milestones, milestone_names or {})
    return {
        "scope": scope,
        "scope_name": unit.name if unit else scope,
        "level": unit.level if unit else None,
        "parent_name": parent.name if parent else None,
        "root_name": root.name if root else None,
        "coverage": coverage,
        "targets": parts["targets"],
        "inspection": parts["inspection"],
        "sections": parts["sections"],
        "sources": parts["sources"],
        "unit_names": {uid: _name(tree, uid, rows) for uid in sorted(named)},
        **extra,
    }


HEAD = ("version", "updated_at")  # what a version adds to its content


def content_json(content: Mapping[str, Any]) -> tuple[str, bytes]:
    """The content's hash and the JSON it is computed from (sorted keys, without the HEAD): encoded once, the
    same bytes are what the store keeps (a national provincial draft is ~1.2 MB of JSON)."""
    body = {k: v for k, v in content.items() if k not in HEAD}
    raw = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.sha256(raw).hexdigest(), raw


def _name(tree: Tree, unit_id: str, rows: list[ObligationRow]) -> str:
    unit = tree.get(unit_id)
    if unit:
        return unit.name
    return next((r.unit_name for r in rows if r.unit_id == unit_id and r.unit_name), unit_id)
