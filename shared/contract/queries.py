"""CONTRACT section 5: queries (core request-reply) and the catalogue."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from shared.contract.common import Name, Strict, Timestamp, UnitId
from shared.contract.deadlines import ObligationStatus
from shared.contract.submissions import ReportType


class StatusQuery(Strict):
    scope: UnitId | None = None


class StatusRow(Strict):
    unit_id: str
    unit_name: str
    path: str
    report_type: ReportType
    due_at: Timestamp
    status: ObligationStatus
    submission_id: str | None = None
    version: int | None = None


class StatusReply(Strict):
    as_of: Timestamp
    obligations: list[StatusRow]


class DraftQuery(Strict):
    scope: UnitId | None = None
    format: Literal["json", "markdown"] = "json"


class CatalogQuery(Strict):
    q: str = Field(min_length=1, max_length=500)
    limit: int = Field(20, ge=1, le=500)


class CatalogRegister(Strict):
    """`review.catalog.register`."""

    number: str = Field(min_length=1, max_length=100)
    title: Name
    issued_on: date | None = None
    issuer: str | None = Field(None, max_length=300)
    kind: str | None = Field(None, max_length=100)
    url: str | None = Field(None, max_length=2000)


class CatalogEntry(Strict):
    number: str
    title: str
    issued_on: date | None = None
    issuer: str | None = None
    kind: str | None = None


class SweepReply(Strict):
    reminders: int = Field(ge=0)
    overdue: int = Field(ge=0)
    escalations: int = Field(ge=0)


class MilestonesQuery(Strict):
    scope: UnitId | None = None


class OutlineQuery(Strict):
    report_type: ReportType


class AuditQuery(Strict):
    unit_id: UnitId
    limit: int = Field(100, ge=1, le=10_000)
