"""`review.query.outline` (CONTRACT section 10): the outline of every report type, from the plan."""

from __future__ import annotations

import unicodedata

import pytest

from shared import subjects
from shared.contract.submissions import ReportType
from tests.infra.client import request


@pytest.mark.parametrize("report_type", [t.value for t in ReportType])
async def test_every_report_type_has_an_outline_of_vietnamese_headings_and_guidance(province_intake, report_type):
    intake, _ = province_intake
    reply = await request(intake.nc, subjects.QUERY_OUTLINE, {"report_type": report_type})
    assert reply["report_type"] == report_type and reply["title"].startswith("Đề cương")
    assert len(reply["sections"]) >= 4
    for section in reply["sections"]:
        assert set(section) == {"key", "heading", "guidance"}
        assert section["heading"] and section["guidance"]
        assert unicodedata.is_normalized("NFC", section["heading"] + section["guidance"])
    assert len({s["key"] for s in reply["sections"]}) == len(reply["sections"])


async def test_the_review_outline_follows_the_five_items_of_section_two_one(province_intake):
    intake, _ = province_intake
    reply = await request(intake.nc, subjects.QUERY_OUTLINE, {"report_type": "resolution_review"})
    keys = [s["key"] for s in reply["sections"]]
    assert keys[0] == "leadership" and keys[-1] == "proposals"
    assert {"targets", "lessons", "models", "adjustments", "next_tasks"} <= set(keys)


async def test_an_unknown_report_type_is_answered_with_an_error(province_intake):
    intake, _ = province_intake
    reply = await request(intake.nc, subjects.QUERY_OUTLINE, {"report_type": "annual_report"})
    assert reply["error"]["code"] == "unknown_report_type" and "annual_report" in reply["error"]["message"]


async def test_a_request_without_a_report_type_is_answered_with_a_schema_error(province_intake):
    intake, _ = province_intake
    reply = await request(intake.nc, subjects.QUERY_OUTLINE, {})
    assert reply["error"]["code"] == "schema"
