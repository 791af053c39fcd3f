from services.dashboard.domain.overview import (
    counts_by_group,
    in_charge,
    next_deadlines,
    overdue_list,
    totals,
)
from services.dashboard.domain.rows import parse_time
from tests.unit.dashboard.rows import AS_OF, LATER, row, unit

ROWS = [
    row("BM", "BM", "pending", LATER, name="Thị ủy Bình Minh"),
    row("BM-P1", "BM.BM-P1", "submitted", version=1),
    row("BM-P2", "BM.BM-P2", "overdue"),
    row("TP", "TP", "pending", LATER, name="Huyện ủy Tân Phú"),
    row("TP-A", "TP.TP-A", "late", version=2),
    row("TP-B", "TP.TP-B", "overdue", "2023-05-10T00:00:00+07:00"),
    row("TP-C", "TP.TP-C", "exempt"),
    row("TP-D", "TP.TP-D", "returned", "2023-05-27T00:00:00+07:00", version=1),
    row("BTG", "BTG", "late", "2023-03-25T00:00:00+07:00", report="propaganda_plan", version=1),
    row("VPTU", "VPTU", "pending", LATER, report="agency_review"),
]
UNITS = {
    "TP": unit("TP", "district", "TU", ("Lê Văn Sơn",), name="Huyện ủy Tân Phú"),
    "TP-B": unit("TP-B", "grassroots", "TP"),
    "BM": unit("BM", "district", "TU", ("Nguyễn Thị Hoa",)),
    "BM-P2": unit("BM-P2", "grassroots", "BM", ("Trần Văn Bình",)),
    "BTG": unit("BTG", "agency", "TU"),
}


def test_each_district_counts_its_whole_subtree_by_status():
    groups = {g.key: g for g in counts_by_group(ROWS, UNITS)}
    tp = groups["TP"]
    assert (tp.name, tp.kind, tp.total) == ("Huyện ủy Tân Phú", "district", 5)
    assert {s: tp.count(s) for s in ("submitted", "late", "returned", "overdue", "pending", "exempt")} == {
        "submitted": 0, "late": 1, "returned": 1, "overdue": 1, "pending": 1, "exempt": 1}
    assert groups["BM"].count("submitted") == 1 and groups["BM"].count("overdue") == 1


def test_agencies_share_one_bar_after_the_districts():
    groups = counts_by_group(ROWS, UNITS)
    assert [g.key for g in groups] == ["BM", "TP", "agencies"]
    assert groups[-1].count("late") == 1 and groups[-1].count("pending") == 1


def test_an_agency_is_recognised_by_its_reports_when_the_registry_is_not_read_yet():
    groups = counts_by_group(ROWS, {})
    assert [g.key for g in groups] == ["BM", "TP", "agencies"]


def test_totals_add_up_to_every_row():
    assert sum(totals(ROWS).values()) == len(ROWS)


def test_next_deadlines_count_the_units_that_still_owe_them():
    found = next_deadlines(ROWS, AS_OF)
    assert [(d.due_at, d.report_type) for d in found] == [
        (parse_time("2023-05-27T00:00:00+07:00"), "resolution_review"),
        (parse_time(LATER), "agency_review"), (parse_time(LATER), "resolution_review")]
    returned, agency, district = found
    assert (returned.owing, returned.obliged, returned.days_left) == (1, 1, 7)
    assert (district.owing, district.obliged, district.days_left) == (2, 2, 56)


def test_a_deadline_already_met_by_everyone_shows_nobody_owing():
    rows = [row("TP", "TP", "submitted", LATER, version=1)]
    assert [(d.owing, d.obliged) for d in next_deadlines(rows, AS_OF)] == [(0, 1)]


def test_the_overdue_list_puts_the_longest_overdue_first_with_the_member_in_charge():
    items = overdue_list(ROWS, AS_OF, UNITS, counts_by_group(ROWS, UNITS))
    assert [o.row.unit_id for o in items] == ["TP-B", "BM-P2"]
    assert items[0].days_late == 10 and items[1].days_late == 5
    assert [p.name for p in items[1].in_charge] == ["Trần Văn Bình"] and items[1].in_charge_of is None
    assert [p.name for p in items[0].in_charge] == ["Lê Văn Sơn"]
    assert items[0].in_charge_of == "Huyện ủy Tân Phú" and items[0].group_name == "Huyện ủy Tân Phú"


def test_a_unit_unknown_to_the_registry_has_nobody_in_charge_rather_than_a_guess():
    assert in_charge("XYZ", UNITS) == ((), None)


def test_a_district_without_supervisors_does_not_inherit_the_root_s():
    units = {"TU": unit("TU", "province", None, ("Bí thư",)), "SH": unit("SH", "district", "TU")}
    assert in_charge("SH", units) == ((), None)
