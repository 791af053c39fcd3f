"""Milestones judged from their evidence and the clock (district conference by 30/6/2023 with the conference
result's `conference.held_on`; the provincial conference by 15/10/2023 without evidence)."""

from __future__ import annotations

from services.deadline.domain.milestones import applies, judge
from services.deadline.domain.obligations import UnitFacts
from shared.plan import Milestone
from tests.unit.deadline.conftest import at

DISTRICT = Milestone.model_validate({
    "id": "district_conference", "level": "district", "due": "2023-06-30T00:00:00+07:00",
    "evidence": {"report_type": "conference_result", "field": "conference.held_on"}})
PROVINCE = Milestone.model_validate({"id": "provincial_conference", "level": "province",
                                     "due": "2023-10-15T00:00:00+07:00"})
HU03 = UnitFacts("HU03", "Huyện ủy Tân Phú", "district", "HU03", "TU")
TU = UnitFacts("TU", "Tỉnh ủy", "province", "", None)


def status(milestone, evidence, now: str, unit=HU03) -> str:
    return judge(milestone, unit, evidence, at(now)).status


def test_a_conference_held_before_the_due_day_is_met_on_that_day():
    judged = judge(DISTRICT, HU03, "2023-06-29", at("2023-07-01 00:00"))
    assert (judged.status, judged.met_on.isoformat()) == ("met", "2023-06-29")


def test_a_conference_held_on_the_due_day_is_late():
    assert status(DISTRICT, "2023-06-30", "2023-07-01 00:00") == "late"


def test_evidence_counts_even_before_the_due_has_passed():
    assert status(DISTRICT, "2023-06-20", "2023-06-21 00:00") == "met"


def test_without_evidence_a_milestone_is_pending_until_its_due_then_missing():
    assert status(DISTRICT, None, "2023-06-29 23:59") == "pending"
    assert status(DISTRICT, None, "2023-06-30 00:00") == "missing"


def test_evidence_that_is_not_a_date_proves_nothing():
    assert status(DISTRICT, "hôm qua", "2023-07-01 00:00") == "missing"


def test_a_milestone_the_plan_gives_no_evidence_for_is_pending_then_missing():
    assert status(PROVINCE, None, "2023-10-14 00:00", TU) == "pending"
    assert status(PROVINCE, "2023-10-01", "2023-10-15 00:00", TU) == "missing"


def test_a_milestone_applies_to_the_active_units_of_its_level():
    assert applies(DISTRICT, HU03) and not applies(DISTRICT, TU)
    assert not applies(DISTRICT, UnitFacts("HU09", "Huyện ủy cũ", "district", "HU09", "TU", active=False))
