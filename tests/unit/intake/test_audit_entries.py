"""The audit of one unit, from records as the stream would hand them back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.intake.adapters.messages_file import load_audit_lines
from services.intake.domain.audit import Auditor, Record, path_filters

STAMP = datetime(2024, 1, 1, 1, 0, tzinfo=UTC)
PATH = "TP.TP-XPL"
SUBMITTER = {"name": "Lê Thị B", "email": "vanphong@xpl.example.vn"}


@pytest.fixture
def auditor(plan) -> Auditor:
    return Auditor(load_audit_lines(), plan.report_name)


def story() -> list[Record]:
    return [
        Record(1, f"review.units.changed.{PATH}", {"unit_id": "TP-XPL", "name": "Đảng bộ xã Xuân Phú Lộc",
                                                    "level": "grassroots", "active": True,
                                                    "changed_at": "2023-01-01T08:00:00+07:00"}, STAMP),
        Record(2, f"review.submissions.submit.{PATH}", {"submission_id": "s1", "unit_id": "TP-XPL",
                                                         "submitted_by": SUBMITTER}, STAMP),
        Record(3, f"review.submissions.accepted.{PATH}", {"submission_id": "s1", "unit_id": "TP-XPL",
                                                           "report_type": "resolution_review", "version": 1,
                                                           "received_at": "2023-05-02T10:00:00+07:00",
                                                           "due_at": "2023-05-15T00:00:00+07:00",
                                                           "on_time": True}, STAMP),
        Record(4, "review.submissions.rejected", {"submission_id": "s9", "unit_id": "OTHER", "errors": [],
                                                  "subject": "review.submissions.submit.TP.OTHER",
                                                  "received_at": "2023-05-03T10:00:00+07:00"}, STAMP),
        Record(5, "review.submissions.rejected", {"submission_id": "s2", "unit_id": "TP-XPL",
                                                  "subject": f"review.submissions.submit.{PATH}",
                                                  "received_at": "2023-05-03T10:00:00+07:00",
                                                  "submitted_by": SUBMITTER,
                                                  "errors": [{"code": "wrong_period", "field": "period",
                                                              "message": "Kỳ báo cáo sai."}]}, STAMP),
        Record(6, f"review.submissions.decide.{PATH}", {"decision_id": "d1", "submission_id": "s1",
                                                         "reviewer": {"name": "Nguyễn Văn D"}}, STAMP),
        Record(7, f"review.submissions.decided.{PATH}", {"decision_id": "d1", "submission_id": "s1",
                                                          "unit_id": "TP-XPL", "report_type": "resolution_review",
                                                          "decision": "return", "comment": "Bổ sung.",
                                                          "decided_at": "2023-05-04T10:00:00+07:00",
                                                          "resubmit_by": "2023-05-11T10:00:00+07:00"}, STAMP),
        Record(8, f"review.obligations.changed.{PATH}", {"unit_id": "TP-XPL", "report_type": "resolution_review",
                                                          "due_at": "2023-05-11T10:00:00+07:00",
                                                          "status": "returned", "version": 1,
                                                          "changed_at": "2023-05-04T10:00:01+07:00"}, STAMP),
        Record(9, f"review.deadlines.reminder.{PATH}", {"unit_id": "TP-XPL", "report_type": "resolution_review",
                                                         "due_at": "2023-05-11T10:00:00+07:00",
                                                         "before": "P1D"}, STAMP),
        Record(10, "review.notifications.sent", {"event_key": "returned:d1", "recipient": "vanphong@xpl.example.vn",
                                                 "sent_at": "2023-05-04T10:00:05+07:00"}, STAMP),
        Record(11, "review.notifications.sent", {"event_key": "overdue:OTHER:resolution_review",
                                                 "recipient": "x@y.vn", "sent_at": "2023-05-04T10:00:05+07:00"},
               STAMP),
    ]


def test_the_subjects_read_are_those_that_end_in_the_units_path():
    assert path_filters(PATH) == [f"review.submissions.*.{PATH}", f"review.deadlines.*.{PATH}",
                                  f"review.obligations.changed.{PATH}", f"review.units.changed.{PATH}"]


def test_the_story_of_a_unit_is_told_in_stream_order_without_the_inbound_messages(auditor):
    entries = auditor.entries("TP-XPL", PATH, list(reversed(story())))
    assert [e["event"] for e in entries] == ["unit_changed", "accepted", "rejected", "decided", "status_changed",
                                             "reminder", "mail_sent"]


def test_each_entry_says_who_acted(auditor):
    by = {e["event"]: e["by"] for e in auditor.entries("TP-XPL", PATH, story())}
    assert by["accepted"] == "Lê Thị B <vanphong@xpl.example.vn>" == by["rejected"]
    assert by["decided"] == "Nguyễn Văn D"
    assert by["reminder"] == "deadline" and by["status_changed"] == "deadline" and by["mail_sent"] == "notifier"


def test_an_entry_is_dated_by_the_event_itself_and_by_the_stream_only_when_it_states_no_time(auditor):
    at = {e["event"]: e["at"] for e in auditor.entries("TP-XPL", PATH, story())}
    assert at["accepted"] == "2023-05-02T10:00:00+07:00"
    assert at["reminder"] == "2024-01-01T08:00:00+07:00"


def test_the_summaries_are_short_vietnamese_lines(auditor):
    summary = {e["event"]: e["summary"] for e in auditor.entries("TP-XPL", PATH, story())}
    assert summary["accepted"] == ("Tiếp nhận Báo cáo sơ kết giữa nhiệm kỳ thực hiện nghị quyết đại hội, "
                                   "phiên bản 1; hạn 15/05/2023, đúng hạn.")
    assert "trả lại" in summary["decided"] and "hạn nộp lại 11/05/2023" in summary["decided"]
    assert "Kỳ báo cáo sai." in summary["rejected"]
    assert "1 ngày" in summary["reminder"]
    assert "bị trả lại" in summary["status_changed"]


def test_a_rejection_with_an_unreadable_unit_belongs_to_the_channel_it_came_on(auditor):
    record = Record(1, "review.submissions.rejected", {"submission_id": None, "unit_id": None,
                                                       "subject": f"review.submissions.submit.{PATH}",
                                                       "received_at": "2023-05-03T10:00:00+07:00",
                                                       "errors": [{"code": "invalid_json", "message": "x"}]})
    assert [e["event"] for e in auditor.entries("TP-XPL", PATH, [record])] == ["rejected"]


def test_a_refused_decision_belongs_to_the_path_it_was_published_on(auditor):
    mine = Record(1, "review.submissions.decision_rejected", {"id": "d", "subject": f"review.submissions.decide.{PATH}",
                                                              "received_at": "2023-05-03T10:00:00+07:00",
                                                              "errors": [{"code": "not_latest", "message": "x"}]})
    other = Record(2, "review.submissions.decision_rejected", {"id": "e", "subject": "review.submissions.decide.TP",
                                                               "received_at": "2023-05-03T10:00:00+07:00",
                                                               "errors": [{"code": "not_latest", "message": "x"}]})
    assert [e["event"] for e in auditor.entries("TP-XPL", PATH, [mine, other])] == ["decision_rejected"]
