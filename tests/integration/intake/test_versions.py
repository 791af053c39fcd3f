"""Duplicates, corrections, lateness and redelivery (CONTRACT section 2)."""

from __future__ import annotations

import asyncio
import json
import uuid

from tests.infra.client import set_clocks
from tests.infra.wait import eventually


async def test_the_same_id_with_the_same_content_changes_nothing_and_publishes_nothing(province_intake):
    intake, p = province_intake
    body = p.submission("TP-XPL")
    await intake.submit(body, p.path("TP-XPL"))
    assert (await intake.outcome(body["submission_id"]))[0] == "accepted"
    ack = await intake.submit(body, p.path("TP-XPL"), msg_id=f"resend-{uuid.uuid4()}")
    await intake.handled(ack.seq)
    assert len(intake.accepted.where(submission_id=body["submission_id"])) == 1
    assert intake.rejected.where(submission_id=body["submission_id"]) == []
    assert await intake.db["submissions"].count_documents({"_id": body["submission_id"]}) == 1


async def test_a_new_id_for_a_submitted_obligation_is_the_next_version_and_keeps_the_first_on_time(province_intake):
    intake, p = province_intake
    unit = {**p.unit("TP-XPL"), "unit_id": p.id("TP-V"), "name": "Đảng bộ xã Vĩnh Lộc"}
    await intake.seed([unit])
    path = f"{p.id('TP')}.{p.id('TP-V')}"
    first = p.submission("TP-V")
    await intake.submit(first, path)
    assert (await intake.outcome(first["submission_id"]))[1]["version"] == 1
    await set_clocks(intake.nc, "2023-06-01T09:00:00+07:00", ("intake",))
    try:
        second = p.submission("TP-V")
        await intake.submit(second, path)
        kind, event = await intake.outcome(second["submission_id"])
    finally:
        await set_clocks(intake.nc, "2023-01-01T08:00:00+07:00", ("intake",))
    assert kind == "accepted" and event["version"] == 2
    assert event["on_time"] is True and event["received_at"].startswith("2023-06-01T09:00:00")
    assert (await intake.stored(second["submission_id"]))["obligation"] == f"{p.id('TP-V')}:resolution_review"


async def test_a_first_version_after_the_deadline_is_accepted_late(province_intake):
    intake, p = province_intake
    await set_clocks(intake.nc, "2023-07-15T00:00:00+07:00", ("intake",))
    try:
        body = p.submission("TP", report_type="conference_result", period=None,
                            content={"conference": {"held_on": "2023-06-20", "attendees": 150}})
        await intake.submit(body, p.path("TP"))
        kind, event = await intake.outcome(body["submission_id"])
    finally:
        await set_clocks(intake.nc, "2023-01-01T08:00:00+07:00", ("intake",))
    assert kind == "accepted", event
    assert event["on_time"] is False and event["due_at"] == "2023-07-15T00:00:00+07:00"


async def test_concurrent_versions_of_one_obligation_get_distinct_consecutive_numbers(province_intake):
    intake, p = province_intake
    unit = {**p.unit("TP-XPL"), "unit_id": p.id("TP-R"), "name": "Đảng bộ xã Rạch Lộc"}
    await intake.seed([unit])
    path = f"{p.id('TP')}.{p.id('TP-R')}"
    bodies = [p.submission("TP-R") for _ in range(12)]
    twin = json.loads(json.dumps(bodies[0]))
    await asyncio.gather(*(intake.submit(b, path) for b in bodies),
                         intake.submit(twin, path, msg_id=f"twin-{uuid.uuid4()}"))
    ids = {b["submission_id"] for b in bodies}
    events = await eventually(lambda: (hits := [e for e in intake.accepted.bodies if e["submission_id"] in ids])
                              and len(hits) == 12 and hits, what="twelve accepted")
    assert sorted(e["version"] for e in events) == list(range(1, 13))
    assert all(e["on_time"] for e in events)
    docs = await intake.db["submissions"].find({"obligation": f"{p.id('TP-R')}:resolution_review"}).to_list(None)
    assert sorted(d["version"] for d in docs) == list(range(1, 13))
