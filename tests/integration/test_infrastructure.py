"""Each real part the platform stands on works as the services will use it."""

from __future__ import annotations

import asyncio
import json
import os
from email.message import EmailMessage

import aiosmtplib
import pytest
from pymongo.errors import DuplicateKeyError

from shared import db
from shared.streams import STREAM_NAME, ensure_stream


async def test_jetstream_drops_a_republished_message_with_the_same_msg_id(nc):
    js = nc.jetstream()
    await ensure_stream(js)
    await ensure_stream(js)  # idempotent
    first = await js.publish("review.catalog.register", b'{"n":1}', headers={"Nats-Msg-Id": "infra-dedupe-1"})
    again = await js.publish("review.catalog.register", b'{"n":1}', headers={"Nats-Msg-Id": "infra-dedupe-1"})
    assert again.duplicate is True
    assert again.seq == first.seq
    info = await js.stream_info(STREAM_NAME)
    assert info.config.duplicate_window == pytest.approx(120)


async def test_query_subjects_are_not_captured_by_the_stream(nc):
    js = nc.jetstream()
    await ensure_stream(js)
    sub = await nc.subscribe("review.query.health.nobody")
    await nc.publish("review.query.health.nobody", b"{}")
    msg = await sub.next_msg(timeout=2)
    assert msg.data == b"{}"
    await sub.unsubscribe()


async def test_mongomotor_round_trips_a_document_and_enforces_a_unique_index(mongo_uri):
    database = db.connect(mongo_uri)
    try:
        things = database["things"]
        await things.create_index([("unit_id", 1), ("report_type", 1)], unique=True)
        await things.insert_one({"_id": "CS017:resolution_review", "unit_id": "CS017",
                                 "report_type": "resolution_review", "name": "Đảng bộ xã Tân Phú"})
        found = await things.find_one({"_id": "CS017:resolution_review"})
        assert found["name"] == "Đảng bộ xã Tân Phú"
        with pytest.raises(DuplicateKeyError):
            await things.insert_one({"_id": "other", "unit_id": "CS017", "report_type": "resolution_review"})
    finally:
        await db.close()


async def test_smtp_server_receives_a_vietnamese_message(smtp):
    message = EmailMessage()
    message["From"] = "so-ket@localhost"
    message["To"] = "vanphong@tanphu.example.vn"
    message["Subject"] = "[Nhắc hạn] Báo cáo sơ kết giữa nhiệm kỳ – hạn ngày 15/05/2023"
    message.set_content("Kính gửi: các đồng chí")
    await aiosmtplib.send(message, hostname="127.0.0.1", port=smtp.port, timeout=10)
    received = smtp.messages
    assert len(received) == 1
    assert received[0].rcpt_tos == ["vanphong@tanphu.example.vn"]
    assert received[0].message["Subject"].startswith("[Nhắc hạn]")
    assert json.dumps(received[0].message.get_content().strip(), ensure_ascii=False) == '"Kính gửi: các đồng chí"'


async def test_an_opted_in_command_trace_counts_each_collections_commands_and_documents(
        mongo_uri, tmp_path, monkeypatch):
    monkeypatch.setenv("MIDTERM_DB_TRACE", str(tmp_path / "db"))
    database = db.connect(mongo_uri)
    try:
        await database["things"].insert_many([{"_id": f"t{i}"} for i in range(3)])
        await database["things"].find_one({"_id": "t1"})
        written = tmp_path / f"db.{os.getpid()}.json"

        def counted() -> dict:
            try:
                return json.loads(written.read_text())
            except (OSError, ValueError):
                return {}

        for _ in range(100):  # written every second: at most 10 s
            if counted().get("find things | n", 0) >= 1:
                break
            await asyncio.sleep(0.1)
        counts = counted()
        assert counts["insert things | n"] == 1 and counts["insert things | docs"] == 3
        assert counts["find things | n"] == 1 and counts["find things | docs"] == 0
    finally:
        await db.close()
