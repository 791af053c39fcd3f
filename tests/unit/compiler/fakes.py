"""Hand-written fakes of the compiler's ports: the store and the publisher."""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable
from typing import Any

from services.compiler.adapters.store import StoredSubmission, pack_draft, stored_submission
from services.compiler.domain.draft import content_json
from services.compiler.domain.model import ReportRow
from shared.messaging import Event, Inbound


class FakeStore:
    def __init__(self) -> None:
        self.units_: dict[str, dict[str, Any]] = {}
        self.coverage_: dict[str, dict[str, Any]] = {}
        self.reports_: dict[str, dict[str, Any]] = {}
        self.submissions: dict[str, dict[str, Any]] = {}
        self.dirty_: dict[str, int] = {}
        self.drafts: dict[str, dict[str, Any]] = {}
        self.draft_reads = 0
        self.head_reads = 0
        self.cache_room = True  # False: like a full report cache
        self.submission_reads = 0
        self.report_reads = 0
        self.latest_: dict[str, dict[str, Any]] = {}
        self.mark_writes = 0

    async def units(self) -> list[dict[str, Any]]:
        return list(self.units_.values())

    async def save_unit(self, doc: dict[str, Any]) -> None:
        self.units_[doc["unit_id"]] = dict(doc)

    async def coverage(self) -> list[dict[str, Any]]:
        return [{"_id": k, **v} for k, v in self.coverage_.items()]

    async def save_coverage(self, key: str, doc: dict[str, Any]) -> None:
        self.coverage_[key] = dict(doc)

    async def report_versions(self, report_types: Collection[str]) -> dict[str, int]:
        """Like the store: the latest version of each report among the stored submissions."""
        found: dict[str, int] = {}
        for doc in self.submissions.values():
            if doc.get("report_type") in report_types and doc.get("version") is not None:
                key = f"{doc['unit_id']}:{doc['report_type']}"
                if doc["version"] > found.get(key, 0):
                    found[key] = doc["version"]
                    self.reports_[key] = {"unit_id": doc["unit_id"], "report_type": doc["report_type"],
                                          "submission_id": doc["_id"], "version": doc["version"],
                                          "content": copy.deepcopy(doc["submission"]["content"])}
        return found

    def would_cache(self, key: str, pinned: bool = False) -> bool:
        return self.cache_room or pinned or key in self.reports_

    def take_report(self, key: str, doc: dict[str, Any], pinned: bool = False) -> None:
        self.reports_[key] = copy.deepcopy(doc)

    def cache_stats(self) -> dict[str, int]:
        return {}

    async def reports(self, keys: Iterable[str], pinned: bool = False) -> dict[str, ReportRow]:
        self.report_reads += 1
        return {k: ReportRow(d["unit_id"], d["report_type"], d["submission_id"], d["version"],
                             d["content"] if "content" in d else  # not cached: read from its submission
                             copy.deepcopy(self.submissions[d["submission_id"]]["submission"]["content"]))
                for k in keys if (d := self.reports_.get(k))}

    async def submission(self, submission_id: str) -> StoredSubmission | None:
        self.submission_reads += 1
        doc = self.submissions.get(submission_id)
        return stored_submission(doc) if doc is not None else None

    async def mark_dirty(self, scopes: Iterable[str]) -> None:
        self.mark_writes += 1
        for s in scopes:
            self.dirty_[s] = self.dirty_.get(s, 0) + 1

    async def dirty(self, scopes: list[str] | None = None) -> dict[str, int]:
        return {s: g for s, g in self.dirty_.items() if scopes is None or s in scopes}

    async def clear_dirty(self, scope: str, gen: int) -> bool:
        if self.dirty_.get(scope) == gen:
            del self.dirty_[scope]
            return True
        return False

    async def latest(self, scope: str) -> dict[str, Any] | None:
        return self.latest_.get(scope)

    async def head(self, scope: str) -> dict[str, Any] | None:
        self.head_reads += 1
        found = self.latest_.get(scope)
        return {k: v for k, v in found.items() if k != "draft"} | {"updated_at": found["draft"]["updated_at"]} \
            if found else None

    async def save_draft(self, scope: str, version: int, digest: str, draft: dict[str, Any],
                         content: bytes | None = None) -> bytes:
        body = {"scope": scope, "version": version, "hash": digest, "draft": draft}
        self.drafts[f"{scope}:{version}"] = body
        self.latest_[scope] = {**body, "published": False}
        return pack_draft(content if content is not None else content_json(draft)[1])

    async def draft(self, scope: str, version: int) -> dict[str, Any] | None:
        self.draft_reads += 1
        found = self.drafts.get(f"{scope}:{version}")
        return copy.deepcopy(found["draft"]) if found else None  # a copy, as a database read gives

    async def mark_published(self, scope: str, version: int) -> None:
        self.latest_[scope]["published"] = True


class FakePublisher:
    def __init__(self) -> None:
        self.events: list[Event] = []

    async def publish(self, event: Event) -> None:
        self.events.append(event)


class NullLog:
    def __getattr__(self, _: str) -> Any:
        return lambda *a, **k: None


def inbound(subject: str, body: str | bytes) -> Inbound:
    data = body.encode() if isinstance(body, str) else body
    return Inbound(subject=subject, data=data, headers={}, msg_id="m", correlation_id="m")
