"""One campaign through the public contract only, the four services as processes on real servers:
registry, reminders, submissions, overdue notices, escalations, mails, statuses, drafts, and one
correlation id followed from intake to the mail it caused."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.infra.client import capture, publish, request, set_clocks
from tests.infra.data import district_submission, example_units, grassroots_submission
from tests.infra.wait import eventually

SERVICES = ("intake", "deadline", "compiler", "notifier")
OFFICE = "vanphong@tinhuy.example.vn"
EDITORIAL = "tobientap@tinhuy.example.vn"


@pytest.fixture
async def platform(start_service, nc, smtp):
    extra = {"MIDTERM_OFFICE_EMAIL": OFFICE, "MIDTERM_EDITORIAL_EMAILS": EDITORIAL,
             "MIDTERM_CONSUMER_SUFFIX": uuid.uuid4().hex[:8]}
    procs = {name: await start_service(name, **extra) for name in SERVICES}
    for unit in example_units():
        await publish(nc, "review.units.upsert", unit)
    return procs


async def _status(nc, scope=None):
    reply = await request(nc, "review.query.status", {"scope": scope} if scope else {})
    return {(r["unit_id"], r["report_type"]): r for r in reply.get("obligations", [])}


def _mails(smtp, event_prefix):
    return [m for m in smtp.messages if str(m.message["X-Midterm-Event"]).startswith(event_prefix)]


async def test_a_whole_campaign_runs_through_the_public_contract(platform, nc, smtp):
    rows = await eventually(lambda: _has(nc, 8), timeout=30, what="obligations of the example registry")
    assert rows[("TP-CTX", "resolution_review")]["status"] == "exempt"
    assert rows[("TP-XPL", "resolution_review")]["status"] == "pending"
    assert rows[("BTG", "propaganda_plan")]["due_at"].startswith("2023-03-25")

    # a week before the grassroots deadline: one reminder to Phú Lộc, none to the exempt cell
    await set_clocks(nc, "2023-05-08T08:00:00+07:00", SERVICES)
    swept = await request(nc, "review.admin.deadline.sweep", {}, timeout=60)
    assert swept["reminders"] >= 1
    reminder = await eventually(lambda: _mails(smtp, "reminder:TP-XPL:resolution_review:P7D"), what="reminder mail")
    assert reminder[0].rcpt_tos == ["vanphong.xaphuloc@example.vn"]
    assert "15/05/2023" in str(reminder[0].message["Subject"])
    assert not _mails(smtp, "reminder:TP-CTX")

    # Phú Lộc submits on time
    accepted = await capture(nc, "review.submissions.accepted.>")
    body = grassroots_submission("TP-XPL")
    await publish(nc, "review.submissions.submit.TP.TP-XPL", body, msg_id=body["submission_id"])
    outcome = await eventually(lambda: accepted.where(submission_id=body["submission_id"]), what="accepted")
    assert outcome[0]["on_time"] is True and outcome[0]["version"] == 1
    await eventually(lambda: _status_is(nc, "TP-XPL", "resolution_review", "submitted"), what="submitted")

    # the district deadline passes: overdue notices, then the escalation to the member in charge
    await set_clocks(nc, "2023-07-16T08:00:00+07:00", SERVICES)
    swept = await request(nc, "review.admin.deadline.sweep", {}, timeout=60)
    assert swept["overdue"] >= 4
    overdue = await eventually(lambda: _mails(smtp, "overdue:TP:inspection_review"), what="overdue mail")
    assert overdue[0].rcpt_tos == ["vanphong.huyenuy@tanphu.example.vn"]
    await set_clocks(nc, "2023-07-19T08:00:00+07:00", SERVICES)
    swept = await request(nc, "review.admin.deadline.sweep", {}, timeout=60)
    assert swept["escalations"] >= 1
    escalated = await eventually(lambda: _mails(smtp, "escalated:TP:inspection_review:1"), what="escalation")
    recipients = sorted(r for m in escalated for r in m.rcpt_tos)
    assert recipients == sorted(["lvson@tinhuy.example.vn", OFFICE])

    # the district sends its inspection review late; the drafts follow
    late = district_submission("TP", "inspection_review")
    await publish(nc, "review.submissions.submit.TP", late, msg_id=late["submission_id"])
    outcome = await eventually(lambda: accepted.where(submission_id=late["submission_id"]), what="late accepted")
    assert outcome[0]["on_time"] is False
    await eventually(lambda: _status_is(nc, "TP", "inspection_review", "late"), what="late status")
    district = await eventually(lambda: _draft_with_sources(nc, "TP", 1), what="district draft")
    assert district["sources"][0]["unit_id"] == "TP-XPL"
    assert district["sections"]["leadership"][0]["unit_id"] == "TP-XPL"
    province = await eventually(lambda: _draft_inspection(nc, "TU"), what="provincial draft")
    assert province["inspection"]["inspections"] == late["content"]["inspection"]["inspections"]
    cov = province["coverage"]
    assert cov["submitted"] + cov["late"] + cov.get("returned", 0) + cov["overdue"] + cov["pending"] == cov["expected"]
    await accepted.stop()


async def test_a_correlation_id_follows_a_rejected_submission_from_intake_to_its_mail(platform, nc, smtp):
    await eventually(lambda: _has(nc, 8), timeout=30, what="obligations")
    correlation = f"corr-{uuid.uuid4().hex[:10]}"
    body = grassroots_submission("TP-XPL")
    body["content"]["targets"][0]["code"] = "XYZ"
    await publish(nc, "review.submissions.submit.TP.TP-XPL", body, msg_id=body["submission_id"],
                  headers={"X-Correlation-Id": correlation})
    mail = await eventually(lambda: _mails(smtp, f"rejected:{body['submission_id']}"), what="rejection mail")
    assert mail[0].rcpt_tos == [body["submitted_by"]["email"]]
    for name in ("intake", "notifier"):
        lines = [json.loads(line) for line in platform[name].logs().splitlines() if correlation in line]
        assert lines, f"{name} logged nothing with {correlation}"
        assert all(line["correlation_id"] == correlation for line in lines)
        assert all("Ban Chấp hành Đảng bộ xã" not in json.dumps(line, ensure_ascii=False) for line in lines)


async def _has(nc, count):
    rows = await _status(nc)
    return rows if len(rows) >= count else None


async def _status_is(nc, unit_id, report_type, status):
    rows = await _status(nc, unit_id)
    row = rows.get((unit_id, report_type))
    return row and row["status"] == status


async def _draft_with_sources(nc, scope, count):
    draft = await request(nc, "review.query.draft", {"scope": scope, "format": "json"})
    return draft if len(draft.get("sources", [])) >= count else None


async def _draft_with_source(nc, scope, submission_id):
    draft = await request(nc, "review.query.draft", {"scope": scope, "format": "json"})
    return draft if any(s["submission_id"] == submission_id for s in draft.get("sources", [])) else None


async def _draft_inspection(nc, scope):
    draft = await request(nc, "review.query.draft", {"scope": scope, "format": "json"})
    return draft if draft.get("inspection", {}).get("inspections") else None


async def test_a_returned_report_is_mailed_reopened_for_a_new_version_and_counted_again(platform, nc, smtp):
    """CONTRACT section 10 across the services: return -> returned -> mail -> new version -> submitted."""
    await eventually(lambda: _has(nc, 8), timeout=30, what="obligations")
    await set_clocks(nc, "2023-05-10T08:00:00+07:00", SERVICES)
    accepted = await capture(nc, "review.submissions.accepted.>")
    first = grassroots_submission("TP-XPL")
    await publish(nc, "review.submissions.submit.TP.TP-XPL", first, msg_id=first["submission_id"])
    await eventually(lambda: accepted.where(submission_id=first["submission_id"]), what="first version")

    decision = {"decision_id": f"d-{uuid.uuid4().hex[:8]}", "submission_id": first["submission_id"],
                "decision": "return", "comment": "Đề nghị bổ sung số liệu chỉ tiêu kết nạp đảng viên.",
                "reviewer": {"name": "Văn phòng Huyện ủy", "email": "vanphong.huyenuy@tanphu.example.vn"},
                "resubmit_by": "2023-05-25T00:00:00+07:00"}
    await publish(nc, "review.submissions.decide.TP.TP-XPL", decision, msg_id=decision["decision_id"])
    await eventually(lambda: _status_is(nc, "TP-XPL", "resolution_review", "returned"), what="returned")
    mail = await eventually(lambda: _mails(smtp, f"returned:{decision['decision_id']}"), what="return mail")
    assert mail[0].rcpt_tos == ["vanphong.xaphuloc@example.vn"]
    assert "25/05/2023" in mail[0].message.get_body(("plain",)).get_content()

    second = grassroots_submission("TP-XPL", supersedes=first["submission_id"])
    await publish(nc, "review.submissions.submit.TP.TP-XPL", second, msg_id=second["submission_id"])
    outcome = await eventually(lambda: accepted.where(submission_id=second["submission_id"]), what="second version")
    assert outcome[0]["version"] == 2
    await eventually(lambda: _status_is(nc, "TP-XPL", "resolution_review", "submitted"), what="submitted again")
    # the draft follows within a couple of seconds (it may still show the first version until then)
    draft = await eventually(lambda: _draft_with_source(nc, "TP", second["submission_id"]),
                             what="district draft with the second version")
    assert [(s["submission_id"], s["version"]) for s in draft["sources"]] == [(second["submission_id"], 2)]
    await accepted.stop()


async def test_every_service_drains_and_exits_0_on_sigterm_after_handling_messages(platform, nc, smtp):
    await eventually(lambda: _has(nc, 8), timeout=30, what="obligations")
    body = grassroots_submission("TP-XPL")
    accepted = await capture(nc, "review.submissions.accepted.>")
    await publish(nc, "review.submissions.submit.TP.TP-XPL", body, msg_id=body["submission_id"])
    await eventually(lambda: accepted.where(submission_id=body["submission_id"]), what="accepted")
    await accepted.stop()
    for name, proc in platform.items():
        assert proc.stop(timeout=15) == 0, f"{name} did not exit 0 on SIGTERM:\n{proc.logs()[-2000:]}"
        assert '"event": "service_stopped"' in proc.logs(), name
