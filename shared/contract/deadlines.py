"""CONTRACT section 3: obligations and deadline events."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from shared.contract.common import Strict, Timestamp, UnitId
from shared.contract.submissions import ReportType

Duration = Annotated[str, StringConstraints(pattern=r"^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?$", min_length=3)]


class ObligationStatus(StrEnum):
    pending = "pending"
    submitted = "submitted"
    late = "late"
    overdue = "overdue"
    exempt = "exempt"
    returned = "returned"
    removed = "removed"


class DeadlineEvent(Strict):
    unit_id: UnitId
    report_type: ReportType
    due_at: Timestamp
    round: int = Field(1, ge=1)  # an addition (CONTRACT section 10): which deadline round


class Reminder(DeadlineEvent):
    """`review.deadlines.reminder.<path>`, key `reminder:<unit>:<type>:<before>`."""

    before: Duration


class Overdue(DeadlineEvent):
    """`review.deadlines.overdue.<path>`, key `overdue:<unit>:<type>`."""


class Escalated(DeadlineEvent):
    """`review.deadlines.escalated.<path>`, key `escalated:<unit>:<type>:<level>`."""

    level: int = Field(ge=1)
    after: Duration


class ObligationChanged(Strict):
    """`review.obligations.changed.<path>`."""

    unit_id: UnitId
    unit_name: str
    path: str
    report_type: ReportType
    due_at: Timestamp
    status: ObligationStatus
    submission_id: str | None = None
    version: int | None = None
    changed_at: Timestamp
    parent_id: UnitId | None = None  # an addition: lets a projection place the unit without the registry
    level: str | None = None  # an addition: the unit's level
    on_time: bool | None = None  # an addition
    round: int | None = None  # an addition (CONTRACT section 10): the deadline round


def reminder_key(unit_id: str, report_type: str, before: str, round_: int = 1) -> str:
    return _suffix(f"reminder:{unit_id}:{report_type}:{before}", round_)


def overdue_key(unit_id: str, report_type: str, round_: int = 1) -> str:
    return _suffix(f"overdue:{unit_id}:{report_type}", round_)


def escalated_key(unit_id: str, report_type: str, level: int, round_: int = 1) -> str:
    return _suffix(f"escalated:{unit_id}:{report_type}:{level}", round_)


def _suffix(key: str, round_: int) -> str:
    return key if round_ <= 1 else f"{key}:{round_}"
