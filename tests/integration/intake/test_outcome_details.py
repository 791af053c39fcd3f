"""The optional additions on outcomes: milestone evidence, the report's name, the rejected report type."""

from __future__ import annotations

from tests.integration.intake.conftest import codes


async def test_an_accepted_conference_result_carries_the_day_it_was_held_as_evidence(province_intake):
    intake, p = province_intake
    body = p.submission("TP", report_type="conference_result", period=None,
                        content={"conference": {"held_on": "2023-06-20", "attendees": 150}})
    await intake.submit(body, p.path("TP"))
    kind, event = await intake.outcome(body["submission_id"])
    assert kind == "accepted", event
    assert event["evidence"] == {"conference.held_on": "2023-06-20"}
    assert event["report_type_name"] == "Báo cáo kết quả hội nghị sơ kết giữa nhiệm kỳ"


async def test_an_accepted_report_no_milestone_names_carries_no_evidence(province_intake):
    intake, p = province_intake
    body = p.submission("TP-XPL")
    await intake.submit(body, p.path("TP-XPL"))
    _, event = await intake.outcome(body["submission_id"])
    assert event["evidence"] is None
    assert event["report_type_name"] == "Báo cáo sơ kết giữa nhiệm kỳ thực hiện nghị quyết đại hội"


async def test_a_rejection_names_the_report_type_it_could_read(province_intake):
    intake, p = province_intake
    body = p.submission("TP-XPL", period={"start": "2019-01", "end": "2023-03"})
    await intake.submit(body, p.path("TP-XPL"))
    rejection = await intake.rejection(body["submission_id"])
    assert codes(rejection) == ["wrong_period"] and rejection["report_type"] == "resolution_review"
