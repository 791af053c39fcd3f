"""CONTRACT section 10: review decisions and deadline extensions."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from shared.contract.common import ErrorItem, Person, Strict, Text, Timestamp, UnitId
from shared.contract.submissions import ReportType, SubmissionId


class DecisionKind(StrEnum):
    accept = "accept"
    return_ = "return"
    reopen = "reopen"


class Decision(Strict):
    """`review.submissions.decide.<path>`."""

    decision_id: SubmissionId
    submission_id: SubmissionId
    decision: DecisionKind
    comment: Text | None = Field(None, max_length=20_000)
    reviewer: Person | None = None
    resubmit_by: Timestamp | None = None


class Decided(Strict):
    decision_id: str
    submission_id: str
    unit_id: UnitId
    report_type: ReportType
    decision: DecisionKind
    comment: str | None = None
    decided_at: Timestamp
    resubmit_by: Timestamp | None = None  # an addition


class Extension(Strict):
    """`review.deadlines.extend.<path>`."""

    extension_id: SubmissionId
    unit_id: UnitId
    report_type: ReportType
    due: Timestamp
    reason: Text | None = None
    approved_by: Person | None = None


class Extended(Strict):
    extension_id: str
    unit_id: UnitId
    report_type: ReportType
    due_at: Timestamp
    round: int = Field(ge=1)


class OfficeRejected(Strict):
    """`review.submissions.decision_rejected` and `review.deadlines.extend_rejected`."""

    id: str | None = None
    subject: str
    received_at: Timestamp
    errors: list[ErrorItem] = Field(min_length=1)
