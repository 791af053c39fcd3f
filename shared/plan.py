"""The campaign plan (CONTRACT section 6): its model, its loader, and the rules every service reads from it.

Pure: no I/O but reading the file in `load_plan`. Which unit owes which report, by when, for which period,
and whether a grassroots unit is exempt are decided here, once, for intake and deadline alike.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from shared.clock import aware
from shared.contract.common import Period
from shared.contract.submissions import ReportType
from shared.contract.units import Level
from shared.text import nfc

_DURATION = TypeAdapter(timedelta)
_ISO_DURATION = re.compile(r"^P(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?$")


class PlanError(ValueError):
    """A plan file that cannot be used; the message says what is wrong and where."""


class PlanModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ObligationRule(PlanModel):
    level: Level
    report_type: ReportType
    due: datetime
    role: str | None = None
    period: Period | None = None

    @field_validator("due")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("due needs an offset, e.g. 2023-05-15T00:00:00+07:00")
        return aware(value)

    def applies_to(self, level: str, roles: list[str]) -> bool:
        return self.level == level and (self.role is None or self.role in roles)


class TargetDef(PlanModel):
    code: str = Field(pattern=r"^[A-Z0-9_]{1,64}$")
    name: str
    unit: str
    aggregate: Literal["sum", "mean", "min", "max"]
    goal: float | None = None  # the congress target for the whole term, when the province gives one


class Evidence(PlanModel):
    report_type: ReportType
    field: str


class Milestone(PlanModel):
    id: str
    level: Level
    due: datetime
    name: str | None = None
    evidence: Evidence | None = None


class OutlineSection(PlanModel):
    key: str
    heading: str
    guidance: str = ""


class Outline(PlanModel):
    title: str
    sections: list[OutlineSection]


class Plan(PlanModel):
    campaign: str
    title: str
    timezone: str = "Asia/Ho_Chi_Minh"
    reference: str | None = None  # the plan's number, e.g. `Kế hoạch số 25-KH/TU`, cited in notices
    exempt_if_founded_within_months: int = Field(12, ge=0, le=120)
    reminders_before: list[str] = Field(default_factory=list)
    escalate_after: list[str] = Field(default_factory=list)
    report_names: dict[ReportType, str] = Field(default_factory=dict)
    obligations: list[ObligationRule]
    targets: list[TargetDef] = Field(default_factory=list)
    targets_are_sample: bool = False
    milestones: list[Milestone] = Field(default_factory=list)
    outlines: dict[ReportType, Outline] = Field(default_factory=dict)

    @field_validator("reminders_before", "escalate_after")
    @classmethod
    def _durations(cls, values: list[str]) -> list[str]:
        for value in values:
            duration(value)
        return values

    @model_validator(mode="after")
    def _no_overlap(self) -> Plan:
        for i, a in enumerate(self.obligations):
            for b in self.obligations[i + 1:]:
                if a.level == b.level and a.report_type == b.report_type and (
                    a.role is None or b.role is None or a.role == b.role
                ):
                    raise ValueError(
                        f"obligations overlap: {a.level.value}/{a.report_type.value} is asked twice "
                        f"(roles {a.role!r} and {b.role!r}); give each a distinct role"
                    )
        codes = [t.code for t in self.targets]
        if len(codes) != len(set(codes)):
            raise ValueError("targets: a code is listed twice")
        return self

    # --- rules -------------------------------------------------------------------------------------

    def rules_for(self, level: str, roles: list[str] | None = None) -> list[ObligationRule]:
        return [r for r in self.obligations if r.applies_to(level, roles or [])]

    def rule(self, level: str, roles: list[str] | None, report_type: str) -> ObligationRule | None:
        return next((r for r in self.rules_for(level, roles) if r.report_type == report_type), None)

    def is_exempt(self, level: str, founded_on: date | None, due: datetime) -> bool:
        """A grassroots unit founded less than N months before the deadline (local date) is exempt.

        Founded exactly N months before is obliged; one day later is exempt.
        """
        if level != Level.grassroots or founded_on is None or self.exempt_if_founded_within_months == 0:
            return False
        return founded_on > months_before(aware(due).date(), self.exempt_if_founded_within_months)

    def target(self, code: str) -> TargetDef | None:
        return next((t for t in self.targets if t.code == code), None)

    def report_name(self, report_type: str) -> str:
        try:
            return self.report_names.get(ReportType(report_type), report_type)
        except ValueError:
            return report_type

    def reminder_offsets(self) -> list[tuple[str, timedelta]]:
        return [(d, duration(d)) for d in self.reminders_before]

    def escalation_offsets(self) -> list[tuple[int, str, timedelta]]:
        return [(i + 1, d, duration(d)) for i, d in enumerate(self.escalate_after)]


def duration(text: str) -> timedelta:
    """ISO-8601 duration (`P7D`, `PT12H`); years and months are refused, since they have no fixed length."""
    if not isinstance(text, str) or not _ISO_DURATION.match(text):
        raise ValueError(f"bad duration {text!r}: use ISO-8601 such as P7D or PT12H")
    try:
        value = _DURATION.validate_python(text)
    except ValidationError as exc:
        raise ValueError(f"bad duration {text!r}: use ISO-8601 such as P7D or PT12H") from exc
    if value <= timedelta(0):
        raise ValueError(f"bad duration {text!r}: must be positive")
    return value


def months_before(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _nfc_tree(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [_nfc_tree(v) for v in value]
    if isinstance(value, dict):
        return {k: _nfc_tree(v) for k, v in value.items()}
    return value


def parse_plan(data: Any, source: str = "plan") -> Plan:
    if not isinstance(data, dict):
        raise PlanError(f"{source}: a plan is a YAML mapping (campaign, obligations, ...)")
    try:
        return Plan.model_validate(_nfc_tree(data))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(plan)'}: {err['msg']}" for err in exc.errors()
        )
        raise PlanError(f"{source}: {problems}") from None


def load_plan(path: str | Path) -> Plan:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlanError(f"{path}: cannot read the plan ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise PlanError(f"{path}: not valid YAML ({exc})") from None
    return parse_plan(data, str(path))
