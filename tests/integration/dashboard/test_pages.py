"""The dashboard in process (aiohttp's test client) against a real nats-server, the other services played by
a fake that answers the public queries."""

from __future__ import annotations

import base64
import re

import aiohttp
import bcrypt
from aiohttp.test_utils import TestClient, TestServer

from services.dashboard.app import build_app
from shared import logging as slog
from shared.settings import Settings
from tests.infra.ports import free_port
from tests.infra.wait import eventually
from tests.integration.dashboard.campaign import EXPECTED


def _cells(html: str, group: str) -> dict[str, int]:
    row = re.search(rf'<tr data-group="{group}">(.*?)</tr>', html, re.S).group(1)
    return {s: int(n) for s, n in re.findall(r'data-status="(\w+)">(?:<strong>)?(\d+)', row) if s != "total"}


async def test_the_overview_counts_each_district_and_the_agencies_by_status(client, fake):
    html = await (await client.get("/")).text()
    for group, expected in EXPECTED.items():
        assert _cells(html, group) == expected, group


async def test_the_overview_lists_the_overdue_units_longest_first_with_the_member_in_charge(client, fake):
    html = await (await client.get("/")).text()
    table = re.search(r'id="overdue-table">(.*?)</table>', html, re.S).group(1)
    assert re.findall(r'<tr data-unit="([\w-]+)">', table) == ["BM-P2", "SH-XAL", "TP-TT"]
    assert "Trần Văn Bình" in table and "Lê Văn Sơn" in table


async def test_the_district_page_shows_each_grassroots_unit_with_its_date_received_and_version(client, fake):
    html = await (await client.get("/districts/TP?sort=unit")).text()
    rows = re.findall(r'<tr data-unit="([\w-]+)" data-status="(\w+)">(.*?)</tr>', html, re.S)
    assert [(u, s) for u, s, _ in rows] == [
        ("TP-CTX", "exempt"), ("TP-TT", "overdue"), ("TP-XPL", "submitted"), ("TP-XPT", "late")]
    phu_thanh = rows[3][2]
    assert "14:05 18/05/2023" in phu_thanh and re.search(r'data-label="Lần nộp">2<', phu_thanh)
    assert 'data-coverage="overdue">1<' in html and "Kết nạp đảng viên mới" in html


async def test_a_grassroots_unit_asked_for_as_a_district_is_sent_to_its_own_page(client, fake):
    response = await client.get("/districts/TP-TT", allow_redirects=False)
    assert response.status == 302 and response.headers["Location"] == "/units/TP-TT"


async def test_the_unit_page_lists_the_notices_it_was_sent_and_to_whom(client, fake):
    html = await (await client.get("/units/TP-TT")).text()
    kinds = re.findall(r'<tr data-kind="(\w+)">', html)
    assert kinds == ["reminder", "reminder", "overdue", "escalated"]
    assert "Nhắc trước hạn 7 ngày" in html and "lvson@tinhuy.example.vn" in html


async def test_the_unit_page_lists_every_accepted_version(client, fake):
    html = await (await client.get("/units/TP-XPT")).text()
    table = re.search(r'id="submissions-table">(.*?)</table>', html, re.S).group(1)
    assert table.count("<tr>") == 3  # the header row and two versions
    assert "17/05/2023" in table and "18/05/2023" in table and "Muộn" in table


async def test_an_unknown_unit_gets_a_page_in_vietnamese_saying_so(client, fake):
    response = await client.get("/units/KHONGCO")
    assert response.status == 404 and "Không có đơn vị" in await response.text()


async def test_a_draft_is_rendered_from_markdown_without_letting_report_text_inject_html(client, fake):
    html = await (await client.get("/drafts/TP")).text()
    assert "<h1>BÁO CÁO</h1>" in html and "<table>" in html
    assert "<script>alert" not in html


async def test_the_word_file_of_a_draft_downloads_with_its_name(client, fake):
    response = await client.get("/drafts/TP.docx")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "du-thao-TP-v3.docx" in response.headers["Content-Disposition"]
    assert (await response.read())[:2] == b"PK"


async def test_the_drafts_page_lists_the_province_and_every_district(client, fake):
    html = await (await client.get("/drafts")).text()
    assert re.findall(r'<tr data-scope="([\w-]+)"', html) == ["TU", "BM", "SH", "TP"]


async def test_the_catalogue_search_finds_dang_with_its_diacritics(client, fake):
    html = await (await client.get("/catalog", params={"q": "dang"})).text()
    assert "Tìm thấy <strong>4</strong>" in html and "Đảng" in html


async def test_a_change_of_an_obligation_is_pushed_to_open_pages_naming_its_district(client, fake):
    response = await client.get("/events")
    assert response.headers["Content-Type"].startswith("text/event-stream")
    assert await response.content.readuntil(b"data: up\n\n")
    await fake.submit("TP-TT", "resolution_review", "2023-05-20T10:00:00+07:00")
    received = await response.content.readuntil(b"\n\n")
    assert received == b'event: changed\ndata: {"obligations": ["TP"]}\n\n'
    response.close()


async def test_a_fragment_request_returns_only_the_main_content(client, fake):
    html = await (await client.get("/", headers={"X-Fragment": "main"})).text()
    assert "<h1>Tổng quan toàn tỉnh</h1>" in html and "<html" not in html and "conn-banner" not in html


async def test_with_nats_unreachable_the_pages_still_answer_with_the_banner_and_an_error_panel():
    settings = Settings(nats_url=f"nats://127.0.0.1:{free_port()}", log_format="console", log_level="ERROR")
    client = TestClient(TestServer(build_app(settings, slog.configure("dashboard", "console", "ERROR"))))
    await client.start_server()
    try:
        for path in ("/", "/districts/TP", "/units/TP-TT", "/drafts", "/drafts/TP", "/catalog?q=dang"):
            response = await client.get(path)
            html = await response.text()
            assert response.status == 200, path
            assert '<div id="conn-banner" class="banner" role="alert">' in html, path
            assert "Đang mất kết nối" in html
        assert "Chưa có số liệu" in await (await client.get("/")).text()
        assert (await (await client.get("/drafts/TP.docx")).text()).count("Chưa tải được tệp Word") >= 1
    finally:
        await client.close()


async def test_with_users_configured_a_login_is_required_except_for_the_health_check(dash_nats, services):
    hashed = bcrypt.hashpw(b"mat-khau", bcrypt.gensalt(rounds=4)).decode()
    settings = Settings(nats_url=dash_nats.url, dashboard_users=f"vanphong:{hashed}", log_format="console",
                        log_level="ERROR")
    client = TestClient(TestServer(build_app(settings, slog.configure("dashboard", "console", "ERROR"))))
    await client.start_server()
    try:
        denied = await client.get("/")
        assert denied.status == 401 and denied.headers["WWW-Authenticate"].startswith("Basic")
        assert (await client.get("/healthz")).status == 200
        good = aiohttp.BasicAuth("vanphong", "mat-khau")
        await eventually(lambda: _status(client, "/", good, 200), timeout=10, what="page with login")
        assert (await client.get("/", auth=aiohttp.BasicAuth("vanphong", "sai"))).status == 401
        token = base64.b64encode(b"vanphong:mat-khau").decode()
        assert (await client.get("/catalog", headers={"Authorization": f"Basic {token}"})).status == 200
    finally:
        await client.close()


async def _status(client: TestClient, path: str, auth: aiohttp.BasicAuth, code: int) -> bool:
    return (await client.get(path, auth=auth)).status == code


async def test_a_province_too_large_for_one_reply_is_read_district_by_district(client, fake):
    fake.campaign.root_too_large = True
    html = await (await client.get("/")).text()
    for group, expected in EXPECTED.items():
        assert _cells(html, group) == expected, group


async def test_a_mail_sent_after_the_unit_page_was_first_read_shows_on_the_next_read(client, fake):
    key = "reminder:TP-XPL:resolution_review:P7D"
    assert "ptlan@tanphu.example.vn" not in await (await client.get("/units/TP-XPL")).text()
    await fake.publish("review.deadlines.reminder.TP.TP-XPL", {
        "unit_id": "TP-XPL", "report_type": "resolution_review", "due_at": "2023-05-15T00:00:00+07:00",
        "before": "P7D"}, msg_id=key)
    await fake.publish("review.notifications.sent", {"event_key": key, "recipient": "ptlan@tanphu.example.vn",
                                                     "message_id": "m1", "sent_at": "2023-05-08T08:00:00+07:00"})
    html = await (await client.get("/units/TP-XPL")).text()
    assert re.findall(r'<tr data-kind="(\w+)">', html) == ["reminder"]
    assert "ptlan@tanphu.example.vn" in html
