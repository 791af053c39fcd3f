"""The `midterm` command against the real services: exit codes and outputs a shell user expects."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

import yaml
from docx import Document

from tests.conftest import ROOT
from tests.infra.data import example_units, grassroots_submission
from tests.infra.wait import eventually

SERVICES = ("intake", "deadline", "compiler")


async def midterm(nats_url: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NATS_URL": nats_url, "COLUMNS": "200"}
    return await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "cli.main", *args], cwd=ROOT, env=env,
                                   capture_output=True, text=True, timeout=timeout)


async def test_the_cli_imports_submits_reports_status_and_writes_the_word_draft(start_service, nats_server, tmp_path):
    for name in SERVICES:
        await start_service(name)
    url = nats_server.url
    registry = tmp_path / "units.yaml"
    registry.write_text(yaml.safe_dump(example_units(), allow_unicode=True), encoding="utf-8")
    done = await midterm(url, "units", "import", str(registry))
    assert done.returncode == 0, done.stderr
    assert "published 5 units" in done.stdout

    async def obliged() -> bool:
        status = await midterm(url, "status", "--json")
        return status.returncode == 0 and len(json.loads(status.stdout)["obligations"]) >= 8

    await eventually(obliged, timeout=30, what="obligations")

    good = tmp_path / "good.json"
    good.write_text(json.dumps(grassroots_submission("TP-XPL"), ensure_ascii=False), encoding="utf-8")
    accepted = await midterm(url, "submit", str(good))
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "accepted" in accepted.stdout and "version 1" in accepted.stdout

    wrong = grassroots_submission("TP-XPL")
    wrong["content"]["targets"][0]["code"] = "XYZ"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(wrong, ensure_ascii=False), encoding="utf-8")
    rejected = await midterm(url, "submit", str(bad))
    assert rejected.returncode == 1
    assert "unknown_target" in rejected.stdout

    malformed = tmp_path / "malformed.json"
    malformed.write_text('{"unit_id": "TP-XPL"', encoding="utf-8")
    refused = await midterm(url, "submit", str(malformed))
    assert refused.returncode == 1 and "not valid JSON" in refused.stderr

    table = await midterm(url, "status", "--scope", "TP")
    assert table.returncode == 0 and "Đảng bộ xã Phú Lộc" in table.stdout

    async def drafted() -> bool:
        out = tmp_path / "draft-TP.docx"
        done = await midterm(url, "draft", "--scope", "TP", "--format", "docx", "-o", str(out))
        return done.returncode == 0 and out.exists()

    await eventually(drafted, timeout=30, what="district draft")
    paragraphs = [p.text for p in Document(str(tmp_path / "draft-TP.docx")).paragraphs]
    assert any("BÁO CÁO" in p for p in paragraphs)

    found = await midterm(url, "catalog", "search", "bao cao so ket")
    assert found.returncode == 0 and "BC/ĐU" in found.stdout

    swept = await midterm(url, "sweep")
    assert swept.returncode == 0 and "reminders" in swept.stdout


async def test_the_cli_says_clearly_when_nothing_answers(tmp_path):
    done = await midterm("nats://127.0.0.1:1", "status", timeout=30)
    assert done.returncode == 1
    assert "cannot reach NATS" in done.stderr


def test_every_command_has_help():
    for args in (["--help"], ["submit", "--help"], ["draft", "--help"], ["units", "import", "--help"],
                 ["catalog", "search", "--help"], ["stack", "--help"]):
        done = subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=30)
        assert done.returncode == 0 and "usage: midterm" in done.stdout, args
