"""The catalogue (CONTRACT section 5): registered directives and accepted reports, searched without
diacritics; and the health and clock endpoints of intake."""

from __future__ import annotations

import pytest

from shared import subjects
from tests.infra.client import publish, request

DIRECTIVES = [
    {"number": "14-CTr/TU", "title": "Chương trình hành động thực hiện Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XI",
     "issued_on": "2021-01-15", "issuer": "Tỉnh ủy Lâm Giang", "kind": "chương trình", "url": None},
    {"number": "68-CT/TU", "title": "Chỉ thị về tăng cường công tác phát triển đảng viên",
     "issued_on": "2021-06-01", "issuer": "Tỉnh ủy Lâm Giang", "kind": "chỉ thị", "url": None},
    {"number": "25-KH/TU", "title": "Kế hoạch sơ kết giữa nhiệm kỳ thực hiện nghị quyết đại hội đảng bộ các cấp",
     "issued_on": "2023-02-10", "issuer": "Tỉnh ủy Lâm Giang", "kind": "kế hoạch", "url": None},
]


@pytest.fixture
async def catalogue(province_intake):
    intake, p = province_intake
    if not getattr(intake, "registered", False):
        for directive in DIRECTIVES:
            ack = await publish(intake.nc, subjects.CATALOG_REGISTER, directive)
        await intake.handled(ack.seq, "catalog")
        intake.registered = True
    return intake, p


async def search(intake, q, limit=20):
    return (await request(intake.nc, subjects.QUERY_CATALOG, {"q": q, "limit": limit}))["results"]


async def test_a_search_without_diacritics_finds_the_titles_with_them(catalogue):
    intake, _ = catalogue
    results = await search(intake, "nghi quyet dai hoi")
    assert results[0]["number"] in {"14-CTr/TU", "25-KH/TU"}
    assert {r["number"] for r in results[:2]} == {"14-CTr/TU", "25-KH/TU"}
    assert (await search(intake, "DANG VIEN"))[0]["number"] == "68-CT/TU"  # both words; others have one


async def test_dang_finds_dang_with_its_stroked_d(catalogue):
    intake, _ = catalogue
    numbers = {r["number"] for r in await search(intake, "dang")}
    assert {"14-CTr/TU", "25-KH/TU", "68-CT/TU"} <= numbers


async def test_an_exact_number_ranks_first_and_the_limit_is_kept(catalogue):
    intake, _ = catalogue
    results = await search(intake, "68-ct/tu", limit=2)
    assert results[0] == {"number": "68-CT/TU", "title": DIRECTIVES[1]["title"], "issued_on": "2021-06-01",
                          "issuer": "Tỉnh ủy Lâm Giang", "kind": "chỉ thị"}
    assert len(results) == 2


async def test_the_documents_an_accepted_report_lists_are_catalogued_under_its_unit(catalogue):
    intake, p = catalogue
    body = p.submission()
    body["documents"][0]["number"] = "77-BC/ĐU"
    await intake.submit(body, p.path("TP-XPL"))
    assert (await intake.outcome(body["submission_id"]))[0] == "accepted"
    results = await search(intake, "77-bc/du phu loc")
    assert results[0]["number"] == "77-BC/ĐU"
    assert results[0]["issuer"] == "Đảng bộ xã Phú Lộc" and results[0]["kind"] == "resolution_review"


async def test_a_malformed_query_gets_an_error_reply(catalogue):
    intake, _ = catalogue
    reply = await request(intake.nc, subjects.QUERY_CATALOG, {"q": "", "limit": 0})
    assert reply["error"]["code"] == "schema"


async def test_health_answers_ok_for_intake(catalogue):
    intake, _ = catalogue
    reply = await request(intake.nc, subjects.health("intake"), {})
    assert reply["service"] == "intake" and reply["status"] == "ok" and reply["version"]


async def test_the_manual_clock_is_set_through_the_admin_subject(catalogue):
    intake, _ = catalogue
    reply = await request(intake.nc, subjects.admin_clock("intake"), {"now": "2023-03-01T10:00:00+07:00"})
    await request(intake.nc, subjects.admin_clock("intake"), {"now": "2023-01-01T08:00:00+07:00"})
    assert reply == {"now": "2023-03-01T10:00:00+07:00"}
