"""Every error code of CONTRACT section 2, each through the real subject, and a valid submission beside them."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.infra.client import request
from tests.integration.intake.conftest import codes, fields


@pytest.fixture
def setup(province_intake):
    return province_intake


async def test_a_valid_grassroots_report_is_accepted_and_stored_as_the_compiler_reads_it(setup):
    intake, p = setup
    body = p.submission()
    await intake.submit(body, p.path("TP-XPL"))
    kind, event = await intake.outcome(body["submission_id"])
    assert kind == "accepted", event
    assert event["version"] == 1 and event["on_time"] is True
    assert event["due_at"] == "2023-05-15T00:00:00+07:00"
    assert event["received_at"].startswith("2023-01-01T08:00:00")
    doc = await intake.stored(body["submission_id"])
    assert doc["obligation"] == f"{p.id('TP-XPL')}:resolution_review"
    assert doc["path"] == p.path("TP-XPL") and doc["version"] == 1 and doc["on_time"] is True
    assert isinstance(doc["received_ts"], int) and len(doc["content_hash"]) == 64
    assert doc["submission"]["content"]["targets"][0]["code"] == "NEW_MEMBERS"


async def test_a_payload_that_is_not_json_is_rejected_as_invalid_json_with_the_header_id(setup):
    intake, p = setup
    sid = str(uuid.uuid4())
    await intake.submit(b'{"submission_id": "' + sid.encode() + b'", "unit_id": ', p.path("TP-XPL"), msg_id=sid)
    rejection = await intake.rejection(sid)
    assert codes(rejection) == ["invalid_json"]
    assert rejection["subject"] == f"review.submissions.submit.{p.path('TP-XPL')}"
    assert rejection["received_at"] and rejection["unit_id"] is None


async def test_a_payload_over_256_kib_is_rejected_as_too_large(setup):
    intake, p = setup
    body = p.submission()
    body["content"]["leadership"] = "Nghị quyết " * 30_000
    await intake.submit(body, p.path("TP-XPL"))
    rejection = await intake.rejection(body["submission_id"])
    assert codes(rejection) == ["too_large"]
    assert await intake.stored(body["submission_id"]) is None


async def test_each_field_that_breaks_the_schema_gets_its_own_error_with_its_path(setup):
    intake, p = setup
    body = p.submission()
    del body["content"]["leadership"]
    body["content"]["targets"][1]["status"] = "done"
    body["content"]["proposals"][0]["to"] = "commune"
    body["period"] = {"start": "2020-4", "end": "2023-03"}
    await intake.submit(body, p.path("TP-XPL"))
    rejection = await intake.rejection(body["submission_id"])
    assert set(codes(rejection)) == {"schema"}
    assert set(fields(rejection, "schema")) == {
        "content.leadership", "content.targets[1].status", "content.proposals[0].to", "period.start",
    }
    assert all(e["message"] for e in rejection["errors"])


async def test_a_report_without_its_required_section_names_that_section(setup):
    intake, p = setup
    body = p.submission()
    del body["content"]["leadership"]
    await intake.submit(body, p.path("TP-XPL"))
    rejection = await intake.rejection(body["submission_id"])
    assert fields(rejection, "schema") == ["content.leadership"]
    assert "content.leadership" in rejection["errors"][0]["message"]


async def test_a_unit_missing_from_the_registry_is_rejected_as_unknown_unit(setup):
    intake, p = setup
    body = p.submission()
    body["unit_id"] = p.id("NOBODY")
    await intake.submit(body, f"{p.id('TP')}.{p.id('NOBODY')}")
    rejection = await intake.rejection(body["submission_id"])
    assert codes(rejection) == ["unknown_unit"]
    assert fields(rejection, "unknown_unit") == ["unit_id"]


async def test_a_deactivated_unit_is_rejected_as_unit_inactive(setup):
    intake, p = setup
    closed = {**p.unit("TP-XPL"), "unit_id": p.id("TP-OLD"), "name": "Đảng bộ xã Phú Cũ", "active": False}
    await intake.seed([closed])
    body = p.submission("TP-OLD")
    await intake.submit(body, f"{p.id('TP')}.{p.id('TP-OLD')}")
    rejection = await intake.rejection(body["submission_id"])
    assert codes(rejection) == ["unit_inactive"]


async def test_a_spoofed_submission_on_another_units_path_is_rejected_and_stored_nowhere(setup):
    intake, p = setup
    body = p.submission("TP-XPL")
    body["documents"][0]["number"] = f"SPOOF-{uuid.uuid4().hex[:6]}"
    await intake.submit(body, p.path("TP-CTX"))
    rejection = await intake.rejection(body["submission_id"])
    assert codes(rejection) == ["subject_mismatch"]
    assert p.path("TP-CTX") in rejection["errors"][0]["message"]
    assert await intake.stored(body["submission_id"]) is None  # nor its catalogue entries, stored inside it
    found = await request(intake.nc, "review.query.catalog", {"q": body["documents"][0]["number"]})
    assert found == {"results": []}


async def test_a_report_the_plan_does_not_ask_of_the_unit_is_rejected_as_not_obliged(setup):
    intake, p = setup
    body = p.submission(report_type="propaganda_plan")
    await intake.submit(body, p.path("TP-XPL"))
    rejection = await intake.rejection(body["submission_id"])
    assert codes(rejection) == ["not_obliged"]
    assert fields(rejection, "not_obliged") == ["report_type"]


async def test_a_unit_founded_within_twelve_months_of_the_deadline_is_rejected_as_exempt(setup):
    intake, p = setup
    body = p.submission("TP-CTX")
    await intake.submit(body, p.path("TP-CTX"))
    rejection = await intake.rejection(body["submission_id"])
    assert codes(rejection) == ["exempt"]


async def test_a_report_for_another_period_is_rejected_as_wrong_period(setup):
    intake, p = setup
    body = p.submission(period={"start": "2020-06", "end": "2023-05"})
    await intake.submit(body, p.path("TP-XPL"))
    rejection = await intake.rejection(body["submission_id"])
    assert codes(rejection) == ["wrong_period"]
    assert "2020-04..2023-03" in rejection["errors"][0]["message"]


async def test_a_target_code_missing_from_the_plan_is_rejected_as_unknown_target(setup):
    intake, p = setup
    body = p.submission()
    body["content"]["targets"][2]["code"] = "XYZ"
    await intake.submit(body, p.path("TP-XPL"))
    rejection = await intake.rejection(body["submission_id"])
    assert codes(rejection) == ["unknown_target"]
    assert fields(rejection, "unknown_target") == ["content.targets[2].code"]
    assert rejection["errors"][0]["message"] == "Chỉ tiêu 'XYZ' (trường content.targets[2].code) không có trong kế hoạch."


async def test_an_id_reused_for_other_content_is_rejected_as_duplicate_submission_id(setup):
    intake, p = setup
    first = p.submission("TP-XPL")
    await intake.submit(first, p.path("TP-XPL"))
    assert (await intake.outcome(first["submission_id"]))[0] == "accepted"
    other = json.loads(json.dumps(first))
    other["content"]["achievements"].append("Một nội dung khác.")
    await intake.submit(other, p.path("TP-XPL"), msg_id=f"{first['submission_id']}-retry")
    rejection = await intake.rejection(first["submission_id"])
    assert codes(rejection) == ["duplicate_submission_id"]
    assert (await intake.stored(first["submission_id"]))["content_hash"] != ""


async def test_every_error_is_reported_not_just_the_first(setup):
    intake, p = setup
    body = p.submission("TP-XPL", period={"start": "2021-01", "end": "2023-03"})
    body["content"]["targets"][0]["code"] = "ABC"
    body["content"]["targets"][3]["code"] = "DEF"
    body["content"]["lessons"] = [{"$where": "1"}]
    await intake.submit(body, p.path("TP-CTX"))
    rejection = await intake.rejection(body["submission_id"])
    assert codes(rejection) == ["schema", "subject_mismatch", "wrong_period", "unknown_target", "unknown_target"]
    assert rejection["submitted_by"]["email"] == "vanphong.xaphuloc@example.vn"
    assert all(e["message"] for e in rejection["errors"])
