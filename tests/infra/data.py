"""Realistic inputs, starting from ../shared/examples (written the way offices write them)."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT.parent / "shared" / "examples"


def example_units() -> list[dict[str, Any]]:
    """The fictional province of the examples: TU (root), district TP, grassroots TP-XPL and TP-CTX, agency BTG."""
    units = yaml.safe_load((EXAMPLES / "units-sample.yaml").read_text(encoding="utf-8"))
    for unit in units:
        for key in ("founded_on",):
            if unit.get(key) is not None:
                unit[key] = str(unit[key])
    return units


def example_submission(name: str = "submission-grassroots.json", **changes: Any) -> dict[str, Any]:
    """An example submission with a fresh `submission_id` unless one is given."""
    body = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    body["submission_id"] = str(uuid.uuid4())
    body.update(changes)
    return body


def grassroots_submission(unit_id: str, **changes: Any) -> dict[str, Any]:
    return example_submission("submission-grassroots.json", unit_id=unit_id, **changes)


def district_submission(unit_id: str, report_type: str = "resolution_review", **changes: Any) -> dict[str, Any]:
    """A district-level report of any type, shaped from the examples with the district period."""
    base = example_submission("submission-grassroots.json", unit_id=unit_id, report_type=report_type,
                              period={"start": "2020-06", "end": "2023-05"})
    content = copy.deepcopy(base["content"])
    if report_type == "inspection_review":
        content = example_submission("submission-inspection.json")["content"]
    if report_type == "conference_result":
        content = {"conference": {"held_on": "2023-06-20", "attendees": 150}}
    base["content"] = content
    base.update(changes)
    return base
