"""Pydantic v2 models for every payload of CONTRACT.md. Strict: unknown fields are refused, text is NFC."""

from shared.contract.common import ErrorItem, Period, Person, UnitId
from shared.contract.deadlines import (
    DeadlineEvent,
    Escalated,
    ObligationChanged,
    ObligationStatus,
    Overdue,
    Reminder,
)
from shared.contract.drafts import (
    Coverage,
    Draft,
    DraftUpdated,
    InspectionFigures,
    SectionItem,
    TargetAggregate,
)
from shared.contract.office import Decided, Decision, Extended, Extension, OfficeRejected
from shared.contract.queries import (
    AuditQuery,
    CatalogEntry,
    CatalogQuery,
    CatalogRegister,
    DraftQuery,
    MilestonesQuery,
    OutlineQuery,
    StatusQuery,
    StatusReply,
    StatusRow,
    SweepReply,
)
from shared.contract.submissions import (
    Accepted,
    Content,
    Document,
    Rejected,
    ReportType,
    Submission,
)
from shared.contract.units import Contact, Level, Unit, UnitChanged

__all__ = [
    "Accepted", "AuditQuery", "CatalogEntry", "CatalogQuery", "CatalogRegister", "Contact", "Content",
    "Coverage", "DeadlineEvent", "Decided", "Decision", "Document", "Draft", "DraftQuery", "DraftUpdated",
    "ErrorItem", "Escalated", "Extended", "Extension", "InspectionFigures", "Level", "MilestonesQuery",
    "ObligationChanged", "ObligationStatus", "OfficeRejected", "OutlineQuery", "Overdue", "Period", "Person",
    "Rejected", "Reminder", "ReportType", "SectionItem", "StatusQuery", "StatusReply", "StatusRow",
    "Submission", "SweepReply", "TargetAggregate", "Unit", "UnitChanged", "UnitId",
]
