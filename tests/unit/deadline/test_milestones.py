"""Milestones judged from their evidence and the clock (district conference by 30/6/2023 with the conference
result's `conference.held_on`; the provincial conference by 15/10/2023 without evidence)."""

from __future__ import annotations

from services.deadline.domain.milestones import applies, judge
from services.deadline.domain.obligations import Obligation, UnitFacts, with_accepted
from services.deadline.milestones import Milestones
from shared.clock import ManualClock
from shared.contract.units import Level, levels_below
from shared.plan import Milestone, load_plan
from shared.settings import BUNDLED_PLAN
from tests.unit.deadline.conftest import at
from tests.unit.deadline.fakes import FakeObligations, FakeUnits

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


class CountingUnits(FakeUnits):
    def __init__(self, units) -> None:
        super().__init__(units)
        self.subtree_reads = 0

    async def of_levels(self, levels, path: str = ""):
        self.subtree_reads += 1
        return await super().of_levels(levels, path)


async def test_a_districts_milestones_read_no_unit_below_it_and_the_provinces_read_its_subtree():
    ob = with_accepted(Obligation("HU03", "conference_result", at("2023-06-30 00:00"), path="HU03"), 1, "s1", True,
                       at("2023-06-20 00:00"), {"conference.held_on": "2023-06-20"})
    units = CountingUnits([TU, HU03, UnitFacts("CS001", "Chi bộ 1", "grassroots", "HU03.CS001", "HU03"),
                           UnitFacts("HU04", "Huyện ủy Tân Bình", "district", "HU04", "TU")])
    milestones = Milestones(load_plan(BUNDLED_PLAN), ManualClock(at("2023-07-01 00:00")), FakeObligations([(ob, 0)]), units)
    district = await milestones.reply({"scope": "HU03"})
    assert [(r["unit_id"], r["status"]) for r in district["milestones"]] == [("HU03", "met")]
    assert units.subtree_reads == 0
    province = await milestones.reply({"scope": "TU"})
    assert [(r["unit_id"], r["milestone"], r["status"]) for r in province["milestones"]] == [
        ("TU", "provincial_conference", "pending"), ("HU03", "district_conference", "met"),
        ("HU04", "district_conference", "missing")]
    assert units.subtree_reads == 1
    assert (await milestones.reply({"scope": "CS001"}))["milestones"] == []


def test_below_a_district_only_grassroots_and_below_the_province_every_other_level():
    assert levels_below(Level.district) == {Level.grassroots}
    assert levels_below(Level.province) == {Level.district, Level.agency, Level.grassroots}
    assert levels_below(Level.grassroots) == levels_below(Level.agency) == set()
