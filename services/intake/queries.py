"""Intake's CONTRACT section 10 queries: the outline of a report type, and the audit of one unit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from services.intake.adapters.stream import Read
from services.intake.domain.audit import UNPATHED, Auditor, path_filters
from services.intake.domain.decode import validate
from services.intake.domain.messages import Messages
from services.intake.domain.problems import UNKNOWN_UNIT, Problem
from services.intake.domain.units import UnitTree
from shared.contract.queries import AuditQuery, OutlineQuery
from shared.contract.submissions import ReportType
from shared.messaging import error_reply
from shared.plan import Plan

UNKNOWN_REPORT_TYPE = "unknown_report_type"
Reader = Callable[[Sequence[str], int, int], Awaitable[Read]]


class Outlines:
    """`review.query.outline` `{"report_type"}` -> `{"report_type","title","sections":[{"key","heading","guidance"}]}`."""

    def __init__(self, plan: Plan, messages: Messages) -> None:
        self.plan, self.messages = plan, messages

    async def outline(self, body: Any) -> dict[str, Any]:
        if isinstance(body, dict) and isinstance(body.get("report_type"), str) \
                and body["report_type"] not in {t.value for t in ReportType}:
            return self._unknown(body["report_type"])
        query, problems = validate(OutlineQuery, body)
        if query is None:
            return error_reply("schema", self.messages.render(problems, limit=1)[0]["message"])
        outline = self.plan.outlines.get(query.report_type)
        if outline is None:
            return self._unknown(query.report_type.value)
        return {"report_type": query.report_type.value, "title": outline.title,
                "sections": [{"key": s.key, "heading": s.heading, "guidance": s.guidance} for s in outline.sections]}

    def _unknown(self, value: str) -> dict[str, Any]:
        problem = Problem(UNKNOWN_REPORT_TYPE, "report_type", {"value": value[:64]})
        return error_reply(UNKNOWN_REPORT_TYPE, self.messages.text(problem))


class Audit:
    """`review.query.audit` `{"unit_id","limit"}` -> `{"entries":[{"at","subject","event","by","summary"}]}`.

    Read from the stream itself in two bounded passes: the subjects that carry the unit's path, then, from
    the unit's first event on, the few without a path (rejections, mails), matched on their payload. The
    reply holds the latest `limit` entries, oldest first; `truncated` says that some were left out (older
    entries past `limit`, or a pass stopped by `max_scan`).
    """

    def __init__(self, tree: UnitTree, auditor: Auditor, read: Reader, messages: Messages,
                 max_scan: int = 50_000) -> None:
        self.tree, self.auditor, self.read, self.messages = tree, auditor, read, messages
        self.max_scan = max_scan

    async def audit(self, body: Any) -> dict[str, Any]:
        query, problems = validate(AuditQuery, body)
        if query is None:
            return error_reply("schema", self.messages.render(problems, limit=1)[0]["message"])
        unit = self.tree.view(query.unit_id)
        if unit is None:
            problem = Problem(UNKNOWN_UNIT, "unit_id", {"value": query.unit_id})
            return error_reply(UNKNOWN_UNIT, self.messages.text(problem))
        own = await self.read(path_filters(unit.path), 1, self.max_scan)
        start = min((r.seq for r in own.records), default=1)
        others = await self.read(list(UNPATHED), start, self.max_scan)
        entries = self.auditor.entries(unit.unit_id, unit.path, own.records + others.records)
        truncated = not (own.complete and others.complete) or len(entries) > query.limit
        return {"unit_id": unit.unit_id, "entries": entries[-query.limit:], "truncated": truncated}
