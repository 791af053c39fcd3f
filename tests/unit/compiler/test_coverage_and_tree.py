"""Which reports feed which scope, and coverage over the subtree below a scope, on plain data."""

from __future__ import annotations

from services.compiler.domain.coverage import count, coverage_of
from services.compiler.domain.draft import compile_draft
from services.compiler.domain.model import ObligationRow, ReportRow, UnitInfo
from services.compiler.domain.tree import Tree

UNITS = [
    UnitInfo("TU", "Tỉnh ủy Lâm Giang", "province", None, ""),
    UnitInfo("TP", "Huyện ủy Tân Phú", "district", "TU", "TP"),
    UnitInfo("TB", "Huyện ủy Tân Bình", "district", "TU", "TB"),
    UnitInfo("BTG", "Ban Tuyên giáo Tỉnh ủy", "agency", "TU", "BTG"),
    UnitInfo("X1", "Đảng bộ xã Phú Lộc", "grassroots", "TP", "TP.X1"),
    UnitInfo("X2", "Đảng bộ xã Phú An", "grassroots", "TP", "TP.X2"),
    UnitInfo("X3", "Đảng bộ xã Bình Minh", "grassroots", "TB", "TB.X3"),
]


def rr(unit: str, value: float, report_type: str = "resolution_review", version: int = 1, **content) -> ReportRow:
    body = {"targets": [{"code": "NEW_MEMBERS", "value": value, "status": "achieved"}], **content}
    return ReportRow(unit, report_type, f"s-{unit}-{report_type}-{version}", version, body)


def ob(unit: str, status: str, report_type: str = "resolution_review", version: int | None = None) -> ObligationRow:
    return ObligationRow(unit, report_type, status, version=version)


def test_a_district_draft_is_built_from_its_grassroots_resolution_reviews():
    assert Tree(UNITS).feeds("TP") == [("X1", "resolution_review", "main"), ("X2", "resolution_review", "main")]


def test_the_province_draft_is_built_from_district_and_agency_reviews_and_district_inspections():
    assert Tree(UNITS).feeds("TU") == [
        ("TB", "resolution_review", "main"), ("TP", "resolution_review", "main"),
        ("BTG", "agency_review", "main"),
        ("TB", "inspection_review", "inspection"), ("TP", "inspection_review", "inspection")]


def test_coverage_counts_add_up_to_expected_without_exempt_and_removed():
    totals = count([ob("A", "submitted"), ob("B", "late"), ob("C", "returned"), ob("D", "overdue"),
                    ob("E", "pending"), ob("F", "exempt"), ob("G", "removed")])
    assert totals == {"expected": 5, "submitted": 1, "late": 1, "returned": 1, "overdue": 1, "pending": 1, "exempt": 1}


def test_a_districts_coverage_counts_only_the_units_below_it():
    rows = [ob("X1", "submitted"), ob("X2", "overdue"), ob("X3", "late"), ob("TP", "pending")]
    cov = coverage_of(Tree(UNITS), "TP", rows)
    assert (cov["expected"], cov["submitted"], cov["overdue"], cov["late"]) == (2, 1, 1, 0)


def test_the_provinces_coverage_counts_every_obligation_of_every_unit():
    rows = [ob("X1", "submitted"), ob("X2", "exempt"), ob("X3", "late"), ob("TP", "pending"),
            ob("TP", "pending", "inspection_review"), ob("BTG", "overdue", "agency_review")]
    cov = coverage_of(Tree(UNITS), "TU", rows)
    assert (cov["expected"], cov["exempt"]) == (5, 1)
    assert {b["unit_id"]: b["expected"] for b in cov["breakdown"]} == {"TP": 3, "TB": 1, "BTG": 1}


def test_a_unit_the_projection_does_not_know_yet_is_placed_by_its_path():
    rows = [ObligationRow("X9", "resolution_review", "pending", "Xã mới", "TP.X9")]
    assert coverage_of(Tree(UNITS), "TP", rows)["pending"] == 1
    assert coverage_of(Tree(UNITS), "TB", rows)["pending"] == 0


def test_a_unit_moved_between_districts_counts_in_its_new_district():
    reports = {"X1:resolution_review": rr("X1", 10), "X2:resolution_review": rr("X2", 5),
               "X3:resolution_review": rr("X3", 7)}
    moved = [u if u.unit_id != "X1" else UnitInfo("X1", u.name, "grassroots", "TB", "TB.X1") for u in UNITS]
    rows = [ob("X1", "submitted"), ob("X2", "submitted"), ob("X3", "submitted")]
    before = Tree(UNITS)
    after = Tree(moved)
    assert compile_draft(before, "TP", reports, rows, [_spec()])["targets"][0]["value"] == 15
    assert compile_draft(after, "TP", reports, rows, [_spec()])["targets"][0]["value"] == 5
    assert compile_draft(after, "TB", reports, rows, [_spec()])["targets"][0]["value"] == 17
    assert compile_draft(after, "TB", reports, rows, [_spec()])["coverage"]["submitted"] == 2


def test_a_returned_version_leaves_the_draft_until_a_newer_one_arrives():
    reports = {"X1:resolution_review": rr("X1", 10), "X2:resolution_review": rr("X2", 5)}
    rows = [ob("X1", "returned", version=1), ob("X2", "submitted", version=1)]
    draft = compile_draft(Tree(UNITS), "TP", reports, rows, [_spec()])
    assert [s["unit_id"] for s in draft["sources"]] == ["X2"]
    reports["X1:resolution_review"] = rr("X1", 12, version=2)
    draft = compile_draft(Tree(UNITS), "TP", reports, rows, [_spec()])
    assert draft["targets"][0]["value"] == 17


def test_the_province_sums_inspection_figures_from_district_inspection_reviews_only():
    figures = {"inspections": 3, "supervisions": 4, "members_disciplined": 1, "organizations_disciplined": 0}
    reports = {"TP:inspection_review": ReportRow("TP", "inspection_review", "i1", 1, {"inspection": figures}),
               "TP:resolution_review": rr("TP", 50, inspection=figures),
               "BTG:agency_review": rr("BTG", 0, "agency_review")}
    draft = compile_draft(Tree(UNITS), "TU", reports, [], [_spec()])
    assert draft["inspection"]["inspections"] == 3
    assert draft["targets"][0]["reported_by"] == 2
    assert {(s["unit_id"], s["report_type"]) for s in draft["sources"]} == {
        ("TP", "inspection_review"), ("TP", "resolution_review"), ("BTG", "agency_review")}


def test_the_draft_names_its_scope_and_every_source_unit():
    draft = compile_draft(Tree(UNITS), "TP", {"X1:resolution_review": rr("X1", 1)}, [], [_spec()])
    assert draft["scope_name"] == "Huyện ủy Tân Phú" and draft["root_name"] == "Tỉnh ủy Lâm Giang"
    assert draft["unit_names"]["X1"] == "Đảng bộ xã Phú Lộc"


def _spec():
    from services.compiler.domain.model import TargetSpec

    return TargetSpec("NEW_MEMBERS", "Kết nạp đảng viên mới", "người", "sum")


def test_rows_found_by_scope_are_those_a_scan_of_every_row_finds():
    """The compiler's index (CoverageRows) against `rows_in_scope` over all rows: units the tree knows, units
    it does not know yet (placed by their path), a row whose unit moved, and rows added after the tree."""
    from services.compiler.domain.coverage import CoverageRows, rows_in_scope

    rows = CoverageRows()
    every = {
        "X1:rr": ObligationRow("X1", "rr", "pending", path="TP.X1"),
        "X3:rr": ObligationRow("X3", "rr", "late", path="TB.X3"),
        "TP:rr": ObligationRow("TP", "rr", "submitted", path="TP"),
        "NEW:rr": ObligationRow("NEW", "rr", "overdue", path="TP.NEW"),  # not in the tree yet
        "LOST:rr": ObligationRow("LOST", "rr", "overdue", path="ZZ.LOST"),  # placed nowhere but the root
    }
    for key, row in every.items():
        rows.put(key, row)
    tree = Tree(UNITS)

    def same(scope: str) -> None:
        wanted = rows_in_scope(tree, scope, list(every.values()))
        assert sorted(rows.in_scope(tree, scope), key=str) == sorted(wanted, key=str), scope

    for scope in ("TU", "TP", "TB", "X1"):
        same(scope)
    every["X2:rr"] = ObligationRow("X2", "rr", "pending", path="TP.X2")
    rows.put("X2:rr", every["X2:rr"])
    every["NEW2:rr"] = ObligationRow("NEW2", "rr", "pending", path="TB.NEW2")  # after the tree was looked at
    rows.put("NEW2:rr", every["NEW2:rr"])
    for scope in ("TU", "TP", "TB"):
        same(scope)
    tree = Tree([*UNITS, UnitInfo("NEW", "Đảng bộ xã Mới", "grassroots", "TB", "TB.NEW")])  # NEW joins TB
    for scope in ("TU", "TP", "TB"):
        same(scope)
    assert {r.unit_id for r in rows.in_scope(tree, "TB")} == {"X3", "NEW", "NEW2"}
    # a unit the tree knows under a parent it does not know yet: below no scope, the root's neither
    every["ORPH:rr"] = ObligationRow("ORPH", "rr", "pending", path="GONE.ORPH")
    rows.put("ORPH:rr", every["ORPH:rr"])
    tree = Tree([*UNITS, UnitInfo("ORPH", "Chi bộ lạc", "grassroots", "GONE", "GONE.ORPH")])
    for scope in ("TU", "TP", "TB"):
        same(scope)
    assert "ORPH" not in {r.unit_id for r in rows.in_scope(tree, "TU")}


def test_the_breakdown_counts_each_child_subtree_once():
    rows = [ob("X1", "submitted"), ob("X2", "late"), ob("X3", "overdue"), ob("TP", "submitted")]
    breakdown = {b["unit_id"]: b for b in coverage_of(Tree(UNITS), "TU", rows)["breakdown"]}
    assert set(breakdown) == {"TP", "TB"}
    assert (breakdown["TP"]["submitted"], breakdown["TP"]["late"], breakdown["TP"]["expected"]) == (2, 1, 3)
    assert (breakdown["TB"]["overdue"], breakdown["TB"]["expected"]) == (1, 1)


def test_each_level_names_the_units_it_compiles_from_and_counts_everything_below():
    rows = [ob("X1", "submitted"), ob("X2", "overdue"), ob("X3", "late"), ob("TP", "submitted"),
            ob("BTG", "overdue", "agency_review")]
    province = coverage_of(Tree(UNITS), "TU", rows)
    assert {(u["unit_id"], u["status"]) for u in province["units"]} == {("TP", "submitted"), ("BTG", "overdue")}
    assert (province["expected"], province["overdue"], province["late"]) == (5, 2, 1)
    district = coverage_of(Tree(UNITS), "TP", rows)
    assert {u["unit_id"] for u in district["units"]} == {"X1", "X2"}


def test_a_tree_changed_in_place_is_the_tree_built_afresh():
    import random

    rng = random.Random(7)
    units = {u.unit_id: u for u in UNITS}
    tree = Tree(units)
    for step in range(200):
        kind = rng.choice(["new", "move", "rename", "deactivate"])
        if kind == "new":
            parent = rng.choice(["TP", "TB"])
            unit = UnitInfo(f"N{step}", f"Đảng bộ {step}", "grassroots", parent, f"{parent}.N{step}")
        else:
            old = units[rng.choice([u for u in units if units[u].level == "grassroots"])]
            parent = rng.choice(["TP", "TB"])
            unit = UnitInfo(old.unit_id, old.name + ("!" if kind == "rename" else ""), old.level,
                            parent if kind == "move" else old.parent_id, old.path, kind != "deactivate")
        units[unit.unit_id] = unit
        tree.put(unit)
        fresh = Tree(units)
        for scope in ("TU", "TP", "TB"):
            assert tree.children(scope, active_only=False) == fresh.children(scope, active_only=False), step
            assert tree.below(scope) == fresh.below(scope) and tree.feeds(scope) == fresh.feeds(scope), step
        assert tree.root() == fresh.root()
