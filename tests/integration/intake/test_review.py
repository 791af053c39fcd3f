"""Review decisions through the public subjects (CONTRACT section 10): return, accept, reopen, and every refusal."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from shared import subjects
from tests.infra.client import publish
from tests.integration.intake.conftest import codes


async def commune(intake, p) -> tuple[str, str]:
    """A fresh grassroots unit under the district TP: (unit name for `p.submission`, its path)."""
    name = f"TP-{uuid.uuid4().hex[:6]}"
    await intake.seed([{**p.unit("TP-XPL"), "unit_id": p.id(name), "name": f"Đảng bộ xã {name}"}])
    return name, f"{p.id('TP')}.{p.id(name)}"


async def accepted_version(intake, p, name: str, path: str) -> tuple[str, dict]:
    body = p.submission(name)
    await intake.submit(body, path)
    kind, event = await intake.outcome(body["submission_id"])
    assert kind == "accepted", event
    return body["submission_id"], event


async def decided(intake, path: str, submission_id: str, decision: str, **extra) -> dict:
    kind, event = await intake.decision(await intake.decide(path, submission_id, decision, **extra))
    assert kind == "decided", event
    return event


async def refused(intake, path: str, submission_id: str, decision: str, **extra) -> list[str]:
    kind, event = await intake.decision(await intake.decide(path, submission_id, decision, **extra))
    assert kind == "decision_rejected", event
    return codes(event)


async def test_a_return_sets_a_new_deadline_and_the_correction_is_accepted_as_the_next_version(province_intake):
    intake, p = province_intake
    name, path = await commune(intake, p)
    first, _ = await accepted_version(intake, p, name, path)
    event = await decided(intake, path, first, "return", comment="Đề nghị bổ sung số liệu chỉ tiêu.")
    assert event["unit_id"] == p.id(name) and event["report_type"] == "resolution_review"
    assert event["comment"] == "Đề nghị bổ sung số liệu chỉ tiêu."
    decided_at = datetime.fromisoformat(event["decided_at"])
    assert datetime.fromisoformat(event["resubmit_by"]) == decided_at + timedelta(days=7)
    _, correction = await accepted_version(intake, p, name, path)
    assert correction["version"] == 2


async def test_a_return_keeps_the_resubmission_date_the_reviewer_gives(province_intake):
    intake, p = province_intake
    name, path = await commune(intake, p)
    first, _ = await accepted_version(intake, p, name, path)
    event = await decided(intake, path, first, "return", resubmit_by="2023-05-25T00:00:00+07:00")
    assert event["resubmit_by"] == "2023-05-25T00:00:00+07:00"


async def test_an_accepted_report_refuses_a_correction_as_locked(province_intake):
    intake, p = province_intake
    name, path = await commune(intake, p)
    first, _ = await accepted_version(intake, p, name, path)
    event = await decided(intake, path, first, "accept")
    assert event["resubmit_by"] is None
    correction = p.submission(name)
    await intake.submit(correction, path)
    rejection = await intake.rejection(correction["submission_id"])
    assert codes(rejection) == ["locked"] and rejection["report_type"] == "resolution_review"


async def test_a_reopened_report_accepts_a_correction_again(province_intake):
    intake, p = province_intake
    name, path = await commune(intake, p)
    first, _ = await accepted_version(intake, p, name, path)
    await decided(intake, path, first, "accept")
    await decided(intake, path, first, "reopen")
    _, correction = await accepted_version(intake, p, name, path)
    assert correction["version"] == 2


@pytest.mark.parametrize(("decision", "change"), [
    ("approve", {}),
    ("return", {"reviewer": {"email": "khong-ten@huyen.example.vn"}}),
    ("return", {"resubmit_by": "2023-05-25"}),
    ("return", {"extra": "field"}),
])
async def test_a_malformed_decision_is_refused_as_schema(province_intake, decision, change):
    intake, p = province_intake
    name, path = await commune(intake, p)
    first, _ = await accepted_version(intake, p, name, path)
    assert await refused(intake, path, first, decision, **change) == ["schema"]


async def test_a_decision_that_is_not_json_is_refused_as_schema(province_intake):
    intake, p = province_intake
    _, path = await commune(intake, p)
    subject = subjects.decide(path)
    await publish(intake.nc, subject, b"{not json", msg_id=str(uuid.uuid4()))
    hits = await intake.eventually_rejected_on(subject)
    assert codes(hits[0]) == ["schema"] and hits[0]["id"] is None


async def test_a_resubmission_date_on_an_accept_is_refused_as_schema(province_intake):
    intake, p = province_intake
    name, path = await commune(intake, p)
    first, _ = await accepted_version(intake, p, name, path)
    assert await refused(intake, path, first, "accept", resubmit_by="2023-05-25T00:00:00+07:00") == ["schema"]


async def test_a_decision_on_a_submission_never_received_is_unknown_submission(province_intake):
    intake, p = province_intake
    _, path = await commune(intake, p)
    assert await refused(intake, path, str(uuid.uuid4()), "accept") == ["unknown_submission"]


async def test_a_decision_published_on_another_units_path_is_unknown_submission(province_intake):
    intake, p = province_intake
    name, path = await commune(intake, p)
    first, _ = await accepted_version(intake, p, name, path)
    _, other_path = await commune(intake, p)
    assert await refused(intake, other_path, first, "accept") == ["unknown_submission"]


async def test_a_decision_on_an_older_version_is_not_latest(province_intake):
    intake, p = province_intake
    name, path = await commune(intake, p)
    first, _ = await accepted_version(intake, p, name, path)
    await accepted_version(intake, p, name, path)
    assert await refused(intake, path, first, "accept") == ["not_latest"]


@pytest.mark.parametrize(("before", "decision"), [
    ([], "reopen"),
    (["accept"], "accept"),
    (["accept"], "return"),
    (["return"], "accept"),
    (["return"], "return"),
    (["accept", "reopen"], "reopen"),
])
async def test_a_decision_the_state_does_not_allow_is_an_invalid_transition(province_intake, before, decision):
    intake, p = province_intake
    name, path = await commune(intake, p)
    first, _ = await accepted_version(intake, p, name, path)
    for earlier in before:
        await decided(intake, path, first, earlier)
    assert await refused(intake, path, first, decision) == ["invalid_transition"]


async def test_the_same_decision_sent_twice_is_decided_once(province_intake):
    intake, p = province_intake
    name, path = await commune(intake, p)
    first, _ = await accepted_version(intake, p, name, path)
    body = {"decision_id": str(uuid.uuid4()), "submission_id": first, "decision": "accept"}
    await publish(intake.nc, subjects.decide(path), body, msg_id=body["decision_id"])
    await intake.decision(body["decision_id"])
    ack = await publish(intake.nc, subjects.decide(path), body, msg_id=f"again-{uuid.uuid4()}")
    await intake.handled(ack.seq, durable="decisions")
    assert len(intake.decided.where(decision_id=body["decision_id"])) == 1
    assert intake.decision_rejected.where(id=body["decision_id"]) == []


async def test_a_decision_id_used_again_for_another_decision_is_refused(province_intake):
    intake, p = province_intake
    name, path = await commune(intake, p)
    first, _ = await accepted_version(intake, p, name, path)
    decision_id = await intake.decide(path, first, "return")
    await intake.decision(decision_id)
    await publish(intake.nc, subjects.decide(path),
                  {"decision_id": decision_id, "submission_id": first, "decision": "accept"},
                  msg_id=f"other-{uuid.uuid4()}")
    hits = await intake.eventually_rejected(decision_id)
    assert codes(hits[0]) == ["duplicate_decision_id"]
