from services.dashboard.domain.unit import StreamEvent, notices, submissions
from tests.unit.dashboard.rows import row

BASE = {"unit_id": "TT", "report_type": "resolution_review", "due_at": "2023-05-15T00:00:00+07:00"}


def _events():
    return [
        StreamEvent("review.deadlines.reminder.TP.TT", {**BASE, "before": "P7D"}, seq=1),
        StreamEvent("review.deadlines.overdue.TP.TT", BASE, seq=2),
        StreamEvent("review.deadlines.escalated.TP.TT", {**BASE, "level": 1, "after": "P3D"}, seq=3),
        StreamEvent("review.notifications.sent", {"event_key": "overdue:TT:resolution_review",
                                                  "recipient": "vp@tt.vn", "sent_at": "2023-05-15T08:00:00+07:00"}, seq=4),
        StreamEvent("review.notifications.sent", {"event_key": "escalated:TT:resolution_review:1",
                                                  "recipient": "lvson@tu.vn", "sent_at": "2023-05-18T08:00:00+07:00"}, seq=5),
        StreamEvent("review.notifications.sent", {"event_key": "overdue:OTHER:resolution_review",
                                                  "recipient": "x@y.vn", "sent_at": "2023-05-15T08:00:00+07:00"}, seq=6),
    ]


def test_notices_are_listed_in_the_order_issued_with_the_mails_sent_for_each():
    found = notices("TT", _events())
    assert [n.kind for n in found] == ["reminder", "overdue", "escalated"]
    assert [m.recipient for m in found[1].mails] == ["vp@tt.vn"]
    assert [m.recipient for m in found[2].mails] == ["lvson@tu.vn"]
    assert found[0].mails == [] and found[0].detail == {"before": "P7D"}


def test_a_later_round_of_the_same_deadline_keys_its_mails_by_round():
    events = [StreamEvent("review.deadlines.overdue.TP.TT", {**BASE, "round": 2}, seq=1),
              StreamEvent("review.notifications.sent", {"event_key": "overdue:TT:resolution_review:2",
                                                        "recipient": "vp@tt.vn"}, seq=2)]
    assert [m.recipient for m in notices("TT", events)[0].mails] == ["vp@tt.vn"]


def test_a_return_by_the_level_above_is_a_notice_with_its_comment_and_an_accept_is_not():
    events = [StreamEvent("review.submissions.decided.TP.TT", {"decision_id": "d1", "decision": "return",
              "comment": "Bổ sung số liệu", "unit_id": "TT", "report_type": "resolution_review",
              "decided_at": "2023-05-20T08:00:00+07:00"}, seq=1),
              StreamEvent("review.submissions.decided.TP.TT", {"decision_id": "d2", "decision": "accept",
              "unit_id": "TT", "report_type": "resolution_review"}, seq=2)]
    found = notices("TT", events)
    assert [(n.kind, n.detail["comment"]) for n in found] == [("returned", "Bổ sung số liệu")]


def test_submissions_list_every_version_newest_first_and_fill_in_what_the_stream_lost():
    events = [StreamEvent("review.submissions.accepted.TP.TT", {"submission_id": f"TT-resolution_review-v{v}", "unit_id": "TT",
              "report_type": "resolution_review", "version": v, "received_at": "2023-05-16T08:00:00+07:00",
              "on_time": False}, seq=v) for v in (1, 2)]
    rows = [row("TT", "TP.TT", "late", version=2), row("TT", "TP.TT", "submitted", report="inspection_review",
                                                      version=1)]
    found = submissions("TT", events, rows)
    assert [(s.report_type, s.version) for s in found] == [
        ("inspection_review", 1), ("resolution_review", 2), ("resolution_review", 1)]
    assert found[0].received_at is None and found[0].on_time is True
