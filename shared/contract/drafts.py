"""CONTRACT section 4: drafts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contract.common import Timestamp


class Open(BaseModel):
    """Drafts are produced by us, read by others: tolerant of additions."""

    model_config = ConfigDict(extra="allow")


class Coverage(Open):
    expected: int = 0
    submitted: int = 0
    late: int = 0
    overdue: int = 0
    pending: int = 0
    exempt: int = 0
    returned: int = 0


class TargetAggregate(Open):
    code: str
    name: str
    unit: str
    aggregate: Literal["sum", "mean", "min", "max"]
    value: float | None = None
    reported_by: int = 0
    achieved: int = 0
    on_track: int = 0
    at_risk: int = 0
    not_achieved: int = 0


class InspectionFigures(Open):
    inspections: int = 0
    supervisions: int = 0
    members_disciplined: int = 0
    organizations_disciplined: int = 0


class SectionItem(Open):
    unit_id: str
    text: str


class Proposals(Open):
    central: list[SectionItem] = Field(default_factory=list)
    province: list[SectionItem] = Field(default_factory=list)
    district: list[SectionItem] = Field(default_factory=list)


class Sections(Open):
    leadership: list[SectionItem] = Field(default_factory=list)
    achievements: list[SectionItem] = Field(default_factory=list)
    shortcomings: list[SectionItem] = Field(default_factory=list)
    lessons: list[SectionItem] = Field(default_factory=list)
    models: list[SectionItem] = Field(default_factory=list)
    adjustments: list[SectionItem] = Field(default_factory=list)
    next_tasks: list[SectionItem] = Field(default_factory=list)
    proposals: Proposals = Field(default_factory=Proposals)


class Source(Open):
    submission_id: str
    unit_id: str
    report_type: str
    version: int


class Draft(Open):
    scope: str
    version: int
    updated_at: Timestamp
    coverage: Coverage
    targets: list[TargetAggregate]
    inspection: InspectionFigures
    sections: Sections
    sources: list[Source]


class DraftUpdated(Open):
    """`review.drafts.updated.<scope unit id>`."""

    scope: str
    version: int
    updated_at: Timestamp
