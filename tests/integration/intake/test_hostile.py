"""Hostile input: random and truncated payloads, deep nesting, oversized text, `$`-keys, invalid UTF-8.
Each gets a rejection, nothing of it is stored, the service keeps serving and its memory stays bounded."""

from __future__ import annotations

import json
import random
import uuid
from pathlib import Path

import pytest
from nats.errors import MaxPayloadError

from shared import subjects
from tests.infra.wait import eventually


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def hostile_payloads(p, n: int, seed: int = 20230515) -> list[tuple[str, bytes]]:
    """`n` (msg id, payload) pairs of many kinds, deterministic for a seed."""
    rng = random.Random(seed)
    valid = json.dumps(p.submission(), ensure_ascii=False).encode()
    out: list[tuple[str, bytes]] = []
    for i in range(n):
        sid = f"hostile-{seed}-{i}"
        kind = i % 10
        if kind == 0:
            data = rng.randbytes(rng.randint(0, 2000))
        elif kind == 1:
            data = valid[: rng.randint(0, len(valid) - 1)]
        elif kind == 2:
            depth = rng.choice([2_000, 50_000, 200_000])
            data = b"[" * depth + b"]" * depth if rng.random() < 0.5 else b'{"a":' * (depth // 5) + b"1" + b"}" * (depth // 5)
        elif kind == 3:
            body = p.submission(submission_id=sid)
            body["$where"] = "sleep(1000)"
            body["content"]["targets"][0] = {"$gt": ""}
            body["content"]["leadership"] = {"$set": {"admin": True}}
            data = json.dumps(body).encode()
        elif kind == 4:
            data = valid.replace("Đảng".encode(), b"\xc4\xff\xfe", 3)
        elif kind == 5:
            data = json.dumps(p.submission(submission_id=sid)).replace("Ban Ch", "\\ud800Ban Ch", 1).encode()
        elif kind == 6:
            data = rng.choice([b"null", b"[]", b'"text"', b"12", b"1e999999", b"9" * 5000, b"NaN", b"{}"])
        elif kind == 7:
            body = p.submission(submission_id=sid)
            body["content"]["targets"][0]["value"] = rng.choice([-1, "NaN", None, [1], {"v": 1}, 1e400])
            body["unit_id"] = rng.choice(["a.b", "*", ">", "x" * 65, "", 42, {"$ne": None}])
            data = json.dumps(body).encode()
        elif kind == 8:
            body = p.submission(submission_id=sid)
            body["content"]["leadership"] = [[[["x"] * 3] * 3] * 3] * 3
            body["content"]["achievements"] = ["Đảng"] * 5000
            data = json.dumps(body, ensure_ascii=False).encode()
        else:
            body = p.submission(submission_id=sid)
            body["content"]["leadership"] = "Đảng bộ " * rng.randint(26_000, 80_000)
            data = json.dumps(body, ensure_ascii=False).encode()
        out.append((sid, data))
    return out


@pytest.fixture
def setup(province_intake):
    return province_intake


async def test_a_thousand_hostile_payloads_are_each_rejected_and_the_service_keeps_serving(setup):
    intake, p = setup
    before = _rss_kib(intake.proc.proc.pid)
    payloads = hostile_payloads(p, 1000)
    for sid, data in payloads:
        await intake.submit(data, p.path("TP-XPL"), msg_id=sid)
    wanted = {sid for sid, _ in payloads}

    def rejected_ids() -> set[str]:
        return {b["submission_id"] for b in intake.rejected.bodies} & wanted

    await eventually(lambda: rejected_ids() == wanted, timeout=60,
                     what="a rejection for each")
    assert not [b for b in intake.accepted.bodies if b["submission_id"] in wanted]
    assert await intake.db["submissions"].count_documents({}) == 0
    assert all(r["errors"] and r["subject"] and r["received_at"] for r in intake.rejected.bodies)

    valid = p.submission()
    await intake.submit(valid, p.path("TP-XPL"))
    assert (await intake.outcome(valid["submission_id"]))[0] == "accepted"
    assert intake.proc.proc.poll() is None
    assert _rss_kib(intake.proc.proc.pid) - before < 200 * 1024


async def test_dollar_keys_are_refused_by_name_and_never_reach_the_database(setup):
    intake, p = setup
    body = p.submission()
    body["$where"] = "1"
    body["content"]["inspection"] = {"$gt": 0}
    await intake.submit(body, p.path("TP-XPL"))
    rejection = await intake.rejection(body["submission_id"])
    assert {"$where", "content.inspection.$gt"} <= {e["field"] for e in rejection["errors"]}
    assert await intake.db["submissions"].find_one({"_id": body["submission_id"]}) is None


async def test_ten_megabytes_of_text_is_refused_at_publish_and_the_service_keeps_serving(setup):
    intake, p = setup
    body = p.submission()
    body["content"]["leadership"] = "Nghị quyết Đại hội " * 550_000
    with pytest.raises(MaxPayloadError):
        await intake.submit(json.dumps(body, ensure_ascii=False).encode(), p.path("TP-XPL"), msg_id=str(uuid.uuid4()))
    nearly = p.submission()
    nearly["content"]["leadership"] = "Đảng " * 100_000
    await intake.submit(nearly, p.path("TP-XPL"))
    assert [e["code"] for e in (await intake.rejection(nearly["submission_id"]))["errors"]] == ["too_large"]
    valid = p.submission()
    await intake.submit(valid, subjects.submit(p.path("TP-XPL")).removeprefix("review.submissions.submit."))
    assert (await intake.outcome(valid["submission_id"]))[0] == "accepted"
