"""`review.query.audit` (CONTRACT section 10): a unit's whole story, read back from the stream, in order."""

from __future__ import annotations

import uuid

from shared import subjects
from tests.infra.client import publish, request
from tests.infra.wait import eventually


async def test_the_audit_of_a_unit_lists_its_whole_story_in_order(province_intake):
    intake, p = province_intake
    name = f"TP-{uuid.uuid4().hex[:6]}"
    unit_id, path = p.id(name), f"{p.id('TP')}.{p.id(name)}"
    await intake.seed([{**p.unit("TP-XPL"), "unit_id": unit_id, "name": "Đảng bộ xã Tân Phú"}])
    report = {"unit_id": unit_id, "report_type": "resolution_review", "due_at": "2023-05-15T00:00:00+07:00"}

    good = p.submission(name, submitted_by={"name": "Lê Thị B", "email": "vanphong@tanphu.example.vn"})
    await intake.submit(good, path)
    assert (await intake.outcome(good["submission_id"]))[0] == "accepted"
    bad = p.submission(name, period={"start": "2020-01", "end": "2023-03"})
    await intake.submit(bad, path)
    await intake.rejection(bad["submission_id"])
    decision_id = await intake.decide(path, good["submission_id"], "return", comment="Bổ sung số liệu.")
    await intake.decision(decision_id)
    # Standing in for the deadline service and the notifier:
    await publish(intake.nc, subjects.obligations_changed(path),
                  {**report, "unit_name": "Đảng bộ xã Tân Phú", "path": path, "status": "returned",
                   "submission_id": good["submission_id"], "version": 1,
                   "changed_at": "2023-01-01T08:00:01+07:00"}, msg_id=str(uuid.uuid4()))
    await publish(intake.nc, subjects.reminder(path), {**report, "before": "P1D"}, msg_id=str(uuid.uuid4()))
    await publish(intake.nc, subjects.NOTIFICATIONS_SENT,
                  {"event_key": f"returned:{decision_id}", "recipient": "vanphong@tanphu.example.vn",
                   "message_id": "<m@x>", "sent_at": "2023-01-01T08:00:02+07:00", "attempts": 1},
                  msg_id=str(uuid.uuid4()))
    # Someone else's story, which must not show:
    other = p.submission("TP-CTX")
    await intake.submit(other, p.path("TP-CTX"))
    await intake.outcome(other["submission_id"])

    wanted = ["unit_changed", "accepted", "rejected", "decided", "status_changed", "reminder", "mail_sent"]

    async def story() -> list[dict] | None:
        reply = await request(intake.nc, subjects.QUERY_AUDIT, {"unit_id": unit_id, "limit": 100})
        return reply["entries"] if [e["event"] for e in reply["entries"]] == wanted else None

    entries = await eventually(story, what="the whole story of the unit")
    by = {e["event"]: e["by"] for e in entries}
    assert by["accepted"] == "Lê Thị B <vanphong@tanphu.example.vn>"
    assert by["decided"] == "Nguyễn Văn D <nvd@huyen.example.vn>"
    assert entries[1]["subject"] == subjects.accepted(path)
    assert entries[1]["at"].startswith("2023-01-01T08:00:00")  # the campaign time intake received it
    assert all(e["summary"] and e["at"] for e in entries)
    assert "trả lại" in entries[3]["summary"]


async def test_the_audit_keeps_the_latest_entries_up_to_the_limit(province_intake):
    intake, p = province_intake
    name = f"TP-{uuid.uuid4().hex[:6]}"
    unit_id, path = p.id(name), f"{p.id('TP')}.{p.id(name)}"
    await intake.seed([{**p.unit("TP-XPL"), "unit_id": unit_id, "name": "Đảng bộ xã Tân Lộc"}])
    body = p.submission(name)
    await intake.submit(body, path)
    await intake.outcome(body["submission_id"])
    reply = await request(intake.nc, subjects.QUERY_AUDIT, {"unit_id": unit_id, "limit": 1})
    assert [e["event"] for e in reply["entries"]] == ["accepted"] and reply["truncated"] is True


async def test_the_audit_of_an_unknown_unit_is_an_error(province_intake):
    intake, _ = province_intake
    reply = await request(intake.nc, subjects.QUERY_AUDIT, {"unit_id": "KHONG-CO"})
    assert reply["error"]["code"] == "unknown_unit"
