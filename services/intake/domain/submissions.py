"""Is this submission one the plan asks of this unit? CONTRACT section 2, in its order: size, JSON, schema,
unit known and active, subject path, obliged, not exempt, period, target codes. Every problem found is kept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

from services.intake.domain.decode import Undecodable, parse, quick, validate
from services.intake.domain.problems import (
    EXEMPT,
    NOT_OBLIGED,
    SCHEMA,
    SUBJECT_MISMATCH,
    UNIT_INACTIVE,
    UNKNOWN_TARGET,
    UNKNOWN_UNIT,
    WRONG_PERIOD,
    Problem,
)
from services.intake.domain.units import UnitView
from shared.contract.common import Period, Person, UnitId
from shared.contract.submissions import REQUIRED_SECTIONS, ReportType, Submission, SubmissionId
from shared.plan import ObligationRule, Plan
from shared.subjects import path_after

SUBMIT_PREFIX = "review.submissions.submit"
_ID = TypeAdapter(SubmissionId)
_UNIT = TypeAdapter(UnitId)
_TYPE = TypeAdapter(ReportType)
_PERIOD = TypeAdapter(Period)
_PERSON = TypeAdapter(Person)


@dataclass(frozen=True)
class Facts:
    """What could be read from the payload, field by field, even when the whole does not validate."""

    submission_id: str | None = None
    unit_id: str | None = None
    report_type: str | None = None
    period: Period | None = None
    targets: tuple[tuple[int, str], ...] = ()
    submitted_by: Person | None = None
    period_unreadable: bool = False  # present but invalid: a `schema` error already says so


@dataclass(frozen=True)
class Obligation:
    unit: UnitView
    report_type: str
    due_at: datetime


@dataclass
class Verdict:
    facts: Facts
    submission: Submission | None = None
    obligation: Obligation | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.problems and self.submission is not None and self.obligation is not None


Units = Callable[[str], UnitView | None]


def examine(data: bytes, subject: str, header_id: str | None, units: Units, plan: Plan) -> Verdict:
    value: Any = None
    submission, problems = quick(Submission, data), []
    if submission is None:
        try:
            value = parse(data)
        except Undecodable as bad:
            return Verdict(Facts(submission_id=header_id), problems=[bad.problem])
        submission, problems = validate(Submission, value)
    if submission is not None:
        facts = Facts(submission.submission_id, submission.unit_id, submission.report_type.value,
                      submission.period, tuple((i, t.code) for i, t in enumerate(submission.content.targets)),
                      submission.submitted_by)
        missing = submission.required_section()
        if missing:
            problems.append(Problem(SCHEMA, f"content.{missing}", {}, kind="missing"))
    else:
        facts = salvage(value, header_id)
        missing = _missing_section(value, facts.report_type)
        if missing and not any(p.field == f"content.{missing}" for p in problems):
            problems.append(Problem(SCHEMA, f"content.{missing}", {}, kind="missing"))
    semantic, obligation = check(facts, path_after(subject, SUBMIT_PREFIX), units, plan)
    problems.extend(semantic)
    return Verdict(facts, submission, obligation if not problems else None, problems)


def salvage(value: Any, header_id: str | None) -> Facts:
    """The fields that are valid on their own, so the later checks can still report on them."""
    if not isinstance(value, dict):
        return Facts(submission_id=header_id)
    content = value.get("content")
    raw_targets = content.get("targets") if isinstance(content, dict) else None
    targets = tuple(
        (i, t["code"]) for i, t in enumerate(raw_targets if isinstance(raw_targets, list) else [])
        if isinstance(t, dict) and isinstance(t.get("code"), str) and len(t["code"]) <= 64
    )
    return Facts(
        submission_id=_valid(_ID, value.get("submission_id")) or header_id,
        unit_id=_valid(_UNIT, value.get("unit_id")),
        report_type=(rt.value if (rt := _valid(_TYPE, value.get("report_type"))) else None),
        period=_valid(_PERIOD, value.get("period")),
        targets=targets,
        submitted_by=_valid(_PERSON, value.get("submitted_by")),
        period_unreadable=value.get("period") is not None and _valid(_PERIOD, value.get("period")) is None,
    )


def _missing_section(value: Any, report_type: str | None) -> str | None:
    needs = REQUIRED_SECTIONS.get(ReportType(report_type)) if report_type else None
    content = value.get("content") if isinstance(value, dict) else None
    if needs and isinstance(content, dict) and content.get(needs) in (None, ""):
        return needs
    return None


def _valid(adapter: TypeAdapter[Any], raw: Any) -> Any:
    if raw is None:
        return None
    try:
        return adapter.validate_python(raw)
    except (ValidationError, RecursionError):
        return None


def check(facts: Facts, subject_path: str, units: Units, plan: Plan) -> tuple[list[Problem], Obligation | None]:
    problems: list[Problem] = []
    obligation = None
    unit = units(facts.unit_id) if facts.unit_id else None
    if facts.unit_id and unit is None:
        problems.append(Problem(UNKNOWN_UNIT, "unit_id", {"value": facts.unit_id}))
    if unit is not None:
        if not unit.active:
            problems.append(Problem(UNIT_INACTIVE, "unit_id", {"value": unit.unit_id, "name": unit.name}))
        if subject_path != unit.path:
            problems.append(Problem(SUBJECT_MISMATCH, "unit_id",
                                    {"value": unit.unit_id, "path": subject_path or "root", "expected": unit.path}))
        if unit.active and facts.report_type:
            obligation, found = _obligation(facts, unit, plan)
            problems.extend(found)
    known = {t.code for t in plan.targets}
    for index, code in facts.targets:
        if code not in known:
            problems.append(Problem(UNKNOWN_TARGET, f"content.targets[{index}].code", {"value": code}))
    return problems, obligation


def _obligation(facts: Facts, unit: UnitView, plan: Plan) -> tuple[Obligation | None, list[Problem]]:
    assert facts.report_type is not None
    names = {"value": facts.report_type, "name": unit.name, "unit": unit.unit_id,
             "report": plan.report_name(facts.report_type)}
    rule = _rule(plan, unit.level, unit.roles, facts.report_type)
    if rule is None:
        return None, [Problem(NOT_OBLIGED, "report_type", names)]
    if plan.is_exempt(unit.level, unit.founded_on, rule.due):
        founded = unit.founded_on.isoformat() if unit.founded_on else ""
        return None, [Problem(EXEMPT, "unit_id", {**names, "founded_on": founded,
                                                  "months": plan.exempt_if_founded_within_months})]
    if rule.period is not None and facts.period != rule.period and not facts.period_unreadable:
        given = f"{facts.period.start}..{facts.period.end}" if facts.period else "-"
        expected = f"{rule.period.start}..{rule.period.end}"
        return None, [Problem(WRONG_PERIOD, "period", {**names, "given": given, "expected": expected})]
    return Obligation(unit, facts.report_type, rule.due), []


# The plan's rule for (level, roles, report type), looked up once: the plan never changes while intake runs.
# Keyed by the plan's id, holding the plan itself so that id is never reused for another plan.
_RULES: dict[int, tuple[Plan, dict[tuple[str, tuple[str, ...], str], ObligationRule | None]]] = {}


def _rule(plan: Plan, level: str, roles: tuple[str, ...], report_type: str) -> ObligationRule | None:
    _, known = _RULES.setdefault(id(plan), (plan, {}))
    key = (level, roles, report_type)
    if key not in known:
        known[key] = plan.rule(level, list(roles), report_type)
    return known[key]
