"""`make run` with MIDTERM_RUN_ONCE=1 reaches the end of the sample campaign and leaves its files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from email import message_from_bytes, policy

from docx import Document

from tests.conftest import ROOT


def test_the_sample_campaign_plays_to_the_end_and_leaves_the_drafts_and_the_mails(tmp_path):
    var = tmp_path / "var"
    env = {**os.environ, "MIDTERM_RUN_ONCE": "1", "MIDTERM_VAR": str(var), "MIDTERM_FREE_PORTS": "1"}
    done = subprocess.run([sys.executable, "-m", "cli.main", "run", "--quiet"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    out = var / "out"
    for name in ("draft-TU.docx", "draft-TU.md", "draft-TU.json"):
        assert (out / name).stat().st_size > 0, name
    district_drafts = [p for p in out.glob("draft-*.docx") if p.name != "draft-TU.docx"]
    assert district_drafts, "a district draft"
    draft = json.loads((out / "draft-TU.json").read_text(encoding="utf-8"))
    coverage = draft["coverage"]
    assert coverage["late"] > 0 and coverage["overdue"] > 0 and coverage["submitted"] > 0
    headings = [p.text for p in Document(str(out / "draft-TU.docx")).paragraphs]
    assert any("BÁO CÁO" in h for h in headings)
    mails = [message_from_bytes(p.read_bytes(), policy=policy.default) for p in (var / "mail").glob("*.eml")]
    kinds = {str(m["X-Midterm-Event"]).split(":")[0] for m in mails}
    assert {"reminder", "overdue", "escalated", "rejected"} <= kinds, kinds
    assert not (var / "stack.json").exists(), "the stack was stopped"
    assert "hoàn thành" in done.stdout or "drafts in" in done.stdout
