"""Target aggregates, inspection sums and section grouping on plain data."""

from __future__ import annotations

import pytest

from services.compiler.domain.aggregate import aggregate_targets, combine, sum_inspection
from services.compiler.domain.model import ReportRow, TargetSpec
from services.compiler.domain.sections import build_sections

SPECS = [TargetSpec("NEW_MEMBERS", "Kết nạp đảng viên mới", "người", "sum"),
         TargetSpec("GOOD_ORG_RATE", "Tỷ lệ tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ", "%", "mean"),
         TargetSpec("POOR_HOUSEHOLD_RATE", "Tỷ lệ hộ nghèo", "%", "max"),
         TargetSpec("GRDP_GROWTH", "Tốc độ tăng trưởng GRDP bình quân", "%", "min")]


def report(unit: str, targets: list[tuple[str, float, str]] | None = None, **content) -> ReportRow:
    body = {"targets": [{"code": c, "value": v, "status": s} for c, v, s in targets or []], **content}
    return ReportRow(unit, "resolution_review", f"s-{unit}", 1, body)


def rows_by_code(reports: list[ReportRow]) -> dict[str, dict]:
    return {r["code"]: r for r in aggregate_targets(SPECS, reports)}


@pytest.mark.parametrize(("aggregate", "expected"), [("sum", 60.0), ("mean", 20.0), ("min", 10.0), ("max", 30.0)])
def test_each_aggregate_combines_the_reported_values(aggregate, expected):
    assert combine(aggregate, [10, 20, 30]) == expected


def test_a_sum_target_adds_every_units_value_and_counts_the_reporters():
    rows = rows_by_code([report("A", [("NEW_MEMBERS", 18, "on_track")]),
                         report("B", [("NEW_MEMBERS", 12, "achieved")])])
    assert rows["NEW_MEMBERS"]["value"] == 30
    assert rows["NEW_MEMBERS"]["reported_by"] == 2


def test_a_mean_target_averages_only_the_units_that_reported_it():
    rows = rows_by_code([report("A", [("GOOD_ORG_RATE", 80, "achieved")]),
                         report("B", [("GOOD_ORG_RATE", 90, "achieved")]),
                         report("C", [("NEW_MEMBERS", 5, "at_risk")])])
    assert rows["GOOD_ORG_RATE"]["value"] == 85
    assert rows["GOOD_ORG_RATE"]["reported_by"] == 2


def test_max_and_min_targets_take_the_extreme_value():
    rows = rows_by_code([report("A", [("POOR_HOUSEHOLD_RATE", 2.1, "at_risk"), ("GRDP_GROWTH", 6.5, "achieved")]),
                         report("B", [("POOR_HOUSEHOLD_RATE", 1.2, "achieved"), ("GRDP_GROWTH", 5.0, "at_risk")])])
    assert rows["POOR_HOUSEHOLD_RATE"]["value"] == 2.1
    assert rows["GRDP_GROWTH"]["value"] == 5.0


def test_a_target_nobody_reported_has_a_null_value_and_zero_counts():
    rows = rows_by_code([report("A", [("NEW_MEMBERS", 3, "achieved")])])
    assert rows["GRDP_GROWTH"]["value"] is None
    assert rows["GRDP_GROWTH"]["reported_by"] == 0
    assert [r["code"] for r in aggregate_targets(SPECS, [])] == [s.code for s in SPECS]


def test_target_statuses_are_counted_by_kind():
    rows = rows_by_code([report("A", [("NEW_MEMBERS", 1, "achieved")]), report("B", [("NEW_MEMBERS", 1, "on_track")]),
                         report("C", [("NEW_MEMBERS", 1, "at_risk")]), report("D", [("NEW_MEMBERS", 1, "not_achieved")]),
                         report("E", [("NEW_MEMBERS", 1, "achieved")])])
    row = rows["NEW_MEMBERS"]
    assert (row["achieved"], row["on_track"], row["at_risk"], row["not_achieved"]) == (2, 1, 1, 1)


def test_a_code_listed_twice_in_one_report_counts_once():
    rows = rows_by_code([report("A", [("NEW_MEMBERS", 4, "achieved"), ("NEW_MEMBERS", 40, "achieved")])])
    assert rows["NEW_MEMBERS"]["value"] == 4
    assert rows["NEW_MEMBERS"]["reported_by"] == 1


def test_the_plan_goal_is_carried_into_the_target_row():
    rows = aggregate_targets([TargetSpec("NEW_MEMBERS", "Kết nạp", "người", "sum", goal=100)],
                             [report("A", [("NEW_MEMBERS", 40, "on_track")])])
    assert rows[0]["goal"] == 100


def test_inspection_figures_are_summed_over_the_reports_that_have_them():
    figures = sum_inspection([
        report("A", inspection={"inspections": 36, "supervisions": 74, "members_disciplined": 11,
                                "organizations_disciplined": 1}),
        report("B", inspection={"inspections": 4, "supervisions": 6, "members_disciplined": 0,
                                "organizations_disciplined": 2}),
        report("C")])
    assert figures == {"inspections": 40, "supervisions": 80, "members_disciplined": 11,
                       "organizations_disciplined": 3, "reported_by": 2}


def test_the_same_proposal_from_two_units_is_one_item_that_keeps_both_sources():
    sections = build_sections([
        report("A", proposals=[{"to": "province", "text": "Đề nghị Tỉnh hỗ trợ kinh phí làm đường."}]),
        report("B", proposals=[{"to": "province", "text": "đề nghị tỉnh hỗ trợ kinh phí làm đường"},
                               {"to": "central", "text": "Đề nghị Trung ương sửa Luật Đất đai."}])])
    province = sections["proposals"]["province"]
    assert len(province) == 1
    assert province[0]["text"] == "Đề nghị Tỉnh hỗ trợ kinh phí làm đường."
    assert province[0]["unit_id"] == "A" and province[0]["units"] == ["A", "B"]
    assert [i["units"] for i in sections["proposals"]["central"]] == [["B"]]


def test_lessons_with_the_same_text_after_normalisation_are_grouped():
    sections = build_sections([report("A", lessons=["Làm tốt công tác dân vận."]),
                               report("B", lessons=["LÀM TỐT CÔNG TÁC DÂN VẬN"]),
                               report("C", lessons=["Phát huy vai trò nêu gương."])])
    assert [(i["text"], i["units"]) for i in sections["lessons"]] == [
        ("Làm tốt công tác dân vận.", ["A", "B"]), ("Phát huy vai trò nêu gương.", ["C"])]


def test_every_leadership_text_stays_with_its_unit():
    sections = build_sections([report("A", leadership="Lãnh đạo tốt."), report("B", leadership="Lãnh đạo tốt.")])
    assert sections["leadership"] == [{"unit_id": "A", "text": "Lãnh đạo tốt."},
                                      {"unit_id": "B", "text": "Lãnh đạo tốt."}]


def test_grouped_shortcomings_keep_every_distinct_cause():
    sections = build_sections([
        report("A", shortcomings=[{"text": "Phát triển đảng viên chậm.", "cause": "Lao động trẻ đi làm xa."}]),
        report("B", shortcomings=[{"text": "Phát triển đảng viên chậm", "cause": "Chi bộ chưa quan tâm."}])])
    (item,) = sections["shortcomings"]
    assert item["units"] == ["A", "B"]
    assert item["cause"] == "Lao động trẻ đi làm xa.; Chi bộ chưa quan tâm."
