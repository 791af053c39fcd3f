"""CONTRACT section 2: submissions and their outcomes."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from shared.contract.common import (
    Count,
    ErrorItem,
    Name,
    Period,
    Person,
    ShortText,
    Strict,
    Text,
    Timestamp,
    UnitId,
)


class ReportType(StrEnum):
    resolution_review = "resolution_review"
    inspection_review = "inspection_review"
    self_criticism = "self_criticism"
    conference_result = "conference_result"
    agency_review = "agency_review"
    propaganda_plan = "propaganda_plan"


class TargetStatus(StrEnum):
    achieved = "achieved"
    on_track = "on_track"
    at_risk = "at_risk"
    not_achieved = "not_achieved"


class Addressee(StrEnum):
    district = "district"
    province = "province"
    central = "central"


TargetCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9_]{1,64}$")]
Items = Annotated[list[Text], Field(max_length=200)]


class TargetResult(Strict):
    code: TargetCode
    value: float = Field(ge=0, allow_inf_nan=False)
    status: TargetStatus
    note: Text | None = None


class Shortcoming(Strict):
    text: Text
    cause: Text | None = None


class Model(Strict):
    title: ShortText
    description: Text | None = None


class Proposal(Strict):
    to: Addressee
    text: Text


class Inspection(Strict):
    inspections: Count
    supervisions: Count
    members_disciplined: Count
    organizations_disciplined: Count


class Conference(Strict):
    held_on: date
    attendees: Count | None = None


class Content(Strict):
    leadership: Text | None = None
    targets: list[TargetResult] = Field(default_factory=list, max_length=200)
    achievements: Items = Field(default_factory=list)
    shortcomings: list[Shortcoming] = Field(default_factory=list, max_length=200)
    lessons: Items = Field(default_factory=list)
    models: list[Model] = Field(default_factory=list, max_length=200)
    adjustments: Items = Field(default_factory=list)
    next_tasks: Items = Field(default_factory=list)
    proposals: list[Proposal] = Field(default_factory=list, max_length=200)
    inspection: Inspection | None = None
    conference: Conference | None = None


class Document(Strict):
    number: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    issued_on: date | None = None
    title: Name


SubmissionId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")]


class Submission(Strict):
    """`review.submissions.submit.<path>`; header `Nats-Msg-Id` = `submission_id`."""

    submission_id: SubmissionId
    unit_id: UnitId
    report_type: ReportType
    period: Period | None = None
    supersedes: SubmissionId | None = None
    submitted_by: Person | None = None
    content: Content
    documents: list[Document] = Field(default_factory=list, max_length=100)

    def required_section(self) -> str | None:
        """The section CONTRACT section 2 requires for this report type, if it is missing."""
        needs = REQUIRED_SECTIONS.get(self.report_type)
        if needs and getattr(self.content, needs) in (None, ""):
            return needs
        return None


REQUIRED_SECTIONS: dict[ReportType, str] = {
    ReportType.resolution_review: "leadership",
    ReportType.agency_review: "leadership",
    ReportType.self_criticism: "leadership",
    ReportType.inspection_review: "inspection",
    ReportType.conference_result: "conference",
}


class Accepted(Strict):
    """`review.submissions.accepted.<path>`."""

    submission_id: SubmissionId
    unit_id: UnitId
    report_type: ReportType
    version: int = Field(ge=1)
    received_at: Timestamp
    due_at: Timestamp
    on_time: bool
    # An addition: the values of the fields the plan's milestones take as evidence (`conference.held_on`),
    # so the deadline service can judge milestones without reading report content.
    evidence: dict[str, str] | None = None
    report_type_name: str | None = None  # an addition: the plan's Vietnamese name of the report


class Rejected(Strict):
    """`review.submissions.rejected` (also for payloads that are not JSON at all)."""

    submission_id: str | None
    unit_id: str | None
    subject: str
    received_at: Timestamp
    errors: list[ErrorItem] = Field(min_length=1)
    submitted_by: Person | None = None  # an addition: lets the notifier mail the submitter
    report_type: str | None = None  # an addition: lets the rejection mail name the report


__all__ = ["Accepted", "Content", "Document", "Name", "Rejected", "ReportType", "Submission", "TargetStatus"]
