from services.dashboard.domain.district import index, lines, parse_received, sort_lines
from tests.unit.dashboard.rows import row

ROWS = [
    row("A", "TP.A", "submitted", version=1, name="Đảng bộ xã An Phú"),
    row("B", "TP.B", "overdue", name="Đảng bộ xã Bình Lợi"),
    row("C", "TP.C", "late", version=2, name="Chi bộ Cảng"),
    row("D", "TP.D", "exempt", name="Đảng bộ thị trấn Đồng Xoài"),
]
EVENTS = [parse_received(e) for e in [
    {"submission_id": "A-resolution_review-v1", "unit_id": "A", "report_type": "resolution_review", "version": 1,
     "received_at": "2023-05-10T10:15:00+07:00", "on_time": True},
    {"submission_id": "C-resolution_review-v1", "unit_id": "C", "report_type": "resolution_review", "version": 1,
     "received_at": "2023-05-16T08:00:00+07:00", "on_time": False},
    {"submission_id": "C-resolution_review-v2", "unit_id": "C", "report_type": "resolution_review", "version": 2,
     "received_at": "2023-05-18T14:05:00+07:00", "on_time": False},
]]


def _lines():
    return lines(ROWS, *index(EVENTS))


def test_each_line_carries_when_its_current_version_and_its_first_version_arrived():
    by_unit = {line.row.unit_id: line for line in _lines()}
    assert by_unit["C"].received_at.isoformat() == "2023-05-18T14:05:00+07:00"
    assert by_unit["C"].first_received_at.isoformat() == "2023-05-16T08:00:00+07:00"
    assert by_unit["B"].received_at is None


def test_sorting_by_status_puts_what_needs_chasing_first():
    assert [line.row.unit_id for line in sort_lines(_lines(), "status")] == ["B", "C", "A", "D"]


def test_sorting_by_unit_name_ignores_vietnamese_diacritics():
    assert [line.row.unit_id for line in sort_lines(_lines(), "unit")] == ["C", "D", "A", "B"]


def test_rows_without_a_received_date_go_last_in_either_direction():
    assert [line.row.unit_id for line in sort_lines(_lines(), "received")][:2] == ["A", "C"]
    assert [line.row.unit_id for line in sort_lines(_lines(), "received", descending=True)][:2] == ["C", "A"]


def test_an_unknown_sort_key_falls_back_to_the_unit_name():
    assert [line.row.unit_id for line in sort_lines(_lines(), "nonsense")] == ["C", "D", "A", "B"]


def test_a_malformed_accepted_event_is_ignored():
    assert parse_received({"unit_id": "A"}) is None
