"""The bundled plan matches DOMAIN.md exactly, and a bad plan is explained."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import yaml

from shared.clock import VIETNAM
from shared.plan import PlanError, load_plan, months_before, parse_plan
from shared.settings import BUNDLED_PLAN

PLAN = load_plan(BUNDLED_PLAN)


def _due(level: str, report_type: str, roles: list[str] | None = None) -> datetime:
    rule = PLAN.rule(level, roles or [], report_type)
    assert rule is not None, (level, report_type)
    return rule.due


def test_every_obligation_of_the_domain_table_is_in_the_bundled_plan_with_its_due_date():
    expected = {
        ("grassroots", "resolution_review"): datetime(2023, 5, 15, tzinfo=VIETNAM),
        ("district", "resolution_review"): datetime(2023, 7, 15, tzinfo=VIETNAM),
        ("district", "inspection_review"): datetime(2023, 7, 15, tzinfo=VIETNAM),
        ("district", "self_criticism"): datetime(2023, 7, 15, tzinfo=VIETNAM),
        ("district", "conference_result"): datetime(2023, 7, 15, tzinfo=VIETNAM),
        ("agency", "agency_review"): datetime(2023, 7, 15, tzinfo=VIETNAM),
    }
    for (level, report_type), due in expected.items():
        assert _due(level, report_type) == due
    assert _due("agency", "propaganda_plan", ["propaganda"]) == datetime(2023, 3, 25, tzinfo=VIETNAM)
    assert len(PLAN.obligations) == 7


def test_before_day_d_means_d_at_midnight_vietnam_time():
    due = _due("grassroots", "resolution_review")
    assert due.isoformat() == "2023-05-15T00:00:00+07:00"
    assert due.utcoffset() == timedelta(hours=7)


def test_the_reporting_periods_match_the_domain_table():
    assert PLAN.rule("grassroots", [], "resolution_review").period.model_dump() == {"start": "2020-04", "end": "2023-03"}
    assert PLAN.rule("district", [], "inspection_review").period.model_dump() == {"start": "2020-06", "end": "2023-05"}
    assert PLAN.rule("agency", [], "agency_review").period.model_dump() == {"start": "2020-10", "end": "2023-09"}
    assert PLAN.rule("district", [], "conference_result").period is None


def test_the_propaganda_plan_is_owed_only_by_an_agency_with_the_propaganda_role():
    assert PLAN.rule("agency", [], "propaganda_plan") is None
    assert [r.report_type for r in PLAN.rules_for("agency", ["propaganda"])] == ["agency_review", "propaganda_plan"]
    assert PLAN.rules_for("province") == []


def test_reminders_and_escalations_are_p7d_p1d_and_p3d_p7d():
    assert PLAN.reminder_offsets() == [("P7D", timedelta(days=7)), ("P1D", timedelta(days=1))]
    assert PLAN.escalation_offsets() == [(1, "P3D", timedelta(days=3)), (2, "P7D", timedelta(days=7))]


def test_a_grassroots_unit_founded_exactly_twelve_months_before_the_deadline_is_obliged():
    assert PLAN.exempt_if_founded_within_months == 12
    assert not PLAN.is_exempt("grassroots", date(2022, 5, 15), _due("grassroots", "resolution_review"))


def test_a_grassroots_unit_founded_one_day_later_is_exempt():
    assert PLAN.is_exempt("grassroots", date(2022, 5, 16), _due("grassroots", "resolution_review"))


def test_only_grassroots_units_are_ever_exempt():
    assert not PLAN.is_exempt("district", date(2023, 1, 1), _due("district", "resolution_review"))


def test_months_before_clips_to_the_end_of_a_shorter_month():
    assert months_before(date(2023, 3, 31), 1) == date(2023, 2, 28)
    assert months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert months_before(date(2023, 1, 15), 12) == date(2022, 1, 15)


def test_the_sample_targets_are_marked_as_a_sample():
    assert PLAN.targets_are_sample is True
    assert [t.code for t in PLAN.targets] == [
        "NEW_MEMBERS", "GOOD_ORG_RATE", "POOR_HOUSEHOLD_RATE", "NEW_RURAL_COMMUNES", "GRDP_GROWTH"]
    assert PLAN.target("GOOD_ORG_RATE").aggregate == "mean"


def _raw() -> dict:
    return yaml.safe_load(BUNDLED_PLAN.read_text(encoding="utf-8"))


def test_a_plan_with_an_unknown_level_is_explained():
    raw = _raw()
    raw["obligations"][0]["level"] = "commune"
    with pytest.raises(PlanError, match=r"obligations\.0\.level"):
        parse_plan(raw)


def test_a_plan_asking_the_same_report_twice_is_explained():
    raw = _raw()
    raw["obligations"].append(dict(raw["obligations"][0]))
    with pytest.raises(PlanError, match="overlap: grassroots/resolution_review"):
        parse_plan(raw)


def test_a_plan_with_a_bad_duration_is_explained():
    raw = _raw()
    raw["reminders_before"] = ["7 days"]
    with pytest.raises(PlanError, match=r"reminders_before.*bad duration '7 days'"):
        parse_plan(raw)


def test_a_due_date_without_an_offset_is_explained():
    raw = _raw()
    raw["obligations"][0]["due"] = "2023-05-15T00:00:00"
    with pytest.raises(PlanError, match="due needs an offset"):
        parse_plan(raw)


def test_a_missing_plan_file_is_explained(tmp_path):
    with pytest.raises(PlanError, match="cannot read the plan"):
        load_plan(tmp_path / "nope.yaml")
