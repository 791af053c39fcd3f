"""Which obligations a unit has, from the plan and its registry facts (exemption at the deadline, roles,
moves, deactivation)."""

from __future__ import annotations

from datetime import date

from services.deadline.domain.obligations import Obligation, UnitFacts, reconcile
from services.deadline.domain.obligations import status_of as status
from tests.unit.deadline.conftest import at


def grassroots(founded_on: date | None, **changes) -> UnitFacts:
    facts = {"unit_id": "CS017", "name": "Đảng bộ xã Tân Phú", "level": "grassroots", "path": "HU03.CS017",
             "parent_id": "HU03", "founded_on": founded_on}
    return UnitFacts(**(facts | changes))


def test_a_grassroots_unit_founded_exactly_twelve_months_before_the_deadline_is_obliged(plan):
    (ob,) = reconcile(plan, grassroots(date(2022, 5, 15)), {})
    assert not ob.exempt and status(ob, at("2023-05-15 00:00")) == "overdue"


def test_a_grassroots_unit_founded_one_day_later_is_exempt(plan):
    (ob,) = reconcile(plan, grassroots(date(2022, 5, 16)), {})
    assert ob.exempt and status(ob, at("2023-05-15 00:00")) == "exempt"


def test_a_district_is_never_exempt_however_young(plan):
    district = UnitFacts("HU99", "Huyện ủy mới", "district", "HU99", "TU", date(2023, 7, 1))
    assert [ob.exempt for ob in reconcile(plan, district, {})] == [False, False]


def test_only_an_agency_with_the_propaganda_role_owes_the_propaganda_plan(plan):
    office = UnitFacts("VPTU", "Văn phòng Tỉnh ủy", "agency", "VPTU", "TU")
    propaganda = UnitFacts("BTG", "Ban Tuyên giáo", "agency", "BTG", "TU", roles=("propaganda",))
    assert [ob.report_type for ob in reconcile(plan, office, {})] == ["agency_review"]
    assert sorted(ob.report_type for ob in reconcile(plan, propaganda, {})) == ["agency_review",
                                                                               "propaganda_plan"]


def test_a_deactivated_unit_has_its_obligations_removed(plan):
    (ob,) = reconcile(plan, grassroots(None), {})
    (gone,) = reconcile(plan, grassroots(None, active=False), {ob.id: ob})
    assert gone.removed and status(gone, at("2023-01-01 00:00")) == "removed"


def test_a_moved_unit_keeps_its_submission_and_takes_the_new_path(plan):
    old = Obligation("CS017", "resolution_review", at("2023-05-15 00:00"), path="HU03.CS017",
                     submission_id="s1", version=1, first_version=1, on_time=True)
    (moved,) = reconcile(plan, grassroots(None, path="HU05.CS017", parent_id="HU05"), {old.id: old})
    assert (moved.path, moved.district, moved.parent_id, moved.submission_id) == ("HU05.CS017", "HU05", "HU05", "s1")


def test_an_accepted_event_that_came_before_its_unit_is_kept_when_the_unit_arrives(plan):
    early = Obligation("CS017", "resolution_review", at("2023-05-15 00:00"), known=False,
                       submission_id="s1", version=1, first_version=1, on_time=False)
    (ob,) = reconcile(plan, grassroots(None), {early.id: early})
    assert ob.known and status(ob, at("2023-06-01 00:00")) == "late"


def test_losing_a_role_removes_only_the_obligation_the_role_brought(plan):
    propaganda = UnitFacts("BTG", "Ban Tuyên giáo", "agency", "BTG", "TU", roles=("propaganda",))
    before = {ob.id: ob for ob in reconcile(plan, propaganda, {})}
    after = {ob.report_type: ob.removed for ob in reconcile(plan, UnitFacts("BTG", "Ban Tuyên giáo", "agency",
                                                                           "BTG", "TU"), before)}
    assert after == {"agency_review": False, "propaganda_plan": True}
