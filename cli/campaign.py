"""The sample campaign as data (samples/campaign.yaml) and the submissions it makes. Pure: no I/O but reading
the files, so the choices are testable and the same on every run."""

from __future__ import annotations

import copy
import hashlib
import json
import random
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from shared import subjects
from shared.plan import Plan
from shared.text import nfc

ROOT = Path(__file__).resolve().parents[1]
CAMPAIGN = ROOT / "samples" / "campaign.yaml"
CONTENT = ROOT / "samples" / "submissions" / "content.json"
NAMESPACE = uuid.UUID("6f1e3c52-4d0b-4c1e-9a55-7a0d2b6c9e11")


@dataclass(frozen=True)
class Outgoing:
    """One message the campaign publishes, and the outcome it expects."""

    subject: str
    body: dict[str, Any] | bytes
    msg_id: str
    expect: str  # "accepted" | "rejected"
    note: str = ""


@dataclass
class Step:
    at: str
    title: str
    submit: list[dict[str, Any]] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)
    corrections: dict[str, Any] | None = None
    sweep: bool = False


@dataclass
class Campaign:
    start: str
    registry: Path
    seed: int
    steps: list[Step]


def load_campaign(path: Path = CAMPAIGN) -> Campaign:
    raw = yaml.safe_load(nfc(path.read_text(encoding="utf-8")))
    return Campaign(
        start=str(raw["start"]),
        registry=ROOT / raw["registry"],
        seed=int(raw.get("seed", 0)),
        steps=[Step(**{k: v for k, v in s.items()}) for s in raw["steps"]],
    )


def unit_paths(units: list[dict[str, Any]]) -> dict[str, str]:
    by_id = {u["unit_id"]: u for u in units}
    paths: dict[str, str] = {}

    def path(unit_id: str, depth: int = 0) -> str:
        if unit_id in paths:
            return paths[unit_id]
        unit = by_id[unit_id]
        parent = unit.get("parent_id")
        if not parent or depth > 10:
            result = ""
        else:
            above = path(parent, depth + 1)
            result = f"{above}.{unit_id}" if above else unit_id
        paths[unit_id] = result
        return result

    for unit_id in by_id:
        path(unit_id)
    return paths


class Generator:
    """Builds the campaign's submissions: deterministic ids and content varied per unit."""

    def __init__(self, plan: Plan, units: list[dict[str, Any]], seed: int) -> None:
        self.plan = plan
        self.units = [u for u in units if u.get("active", True)]
        self.paths = unit_paths(units)
        self.seed = seed
        self.content = json.loads(CONTENT.read_text(encoding="utf-8"))
        self.sent: dict[tuple[str, str], list[str]] = {}

    def cohort(self, level: str, lo: float, hi: float, role: str | None = None) -> list[dict[str, Any]]:
        pool = sorted((u for u in self.units if u["level"] == level and (role is None or role in u.get("roles", []))),
                      key=lambda u: u["unit_id"])
        random.Random(f"{self.seed}:{level}:{role}").shuffle(pool)
        return pool[round(lo * len(pool)):round(hi * len(pool))]

    def submissions(self, spec: dict[str, Any], step: int) -> list[Outgoing]:
        lo, hi = spec.get("cohort", [0.0, 1.0])
        out = []
        for unit in self.cohort(spec["level"], lo, hi, spec.get("role")):
            rule = self.plan.rule(unit["level"], unit.get("roles", []), spec["report_type"])
            if rule is None or self.plan.is_exempt(unit["level"], _date(unit.get("founded_on")), rule.due):
                continue
            out.append(self._one(unit, spec["report_type"], f"{step}"))
        return out

    def corrections(self, spec: dict[str, Any], step: int) -> list[Outgoing]:
        done = [(k, ids) for k, ids in sorted(self.sent.items()) if k[1] == spec["report_type"]]
        chosen = done[: int(spec.get("count", 1))]
        by_id = {u["unit_id"]: u for u in self.units}
        return [self._one(by_id[unit_id], report_type, f"{step}:fix", supersedes=ids[-1])
                for (unit_id, report_type), ids in chosen]

    def _one(self, unit: dict[str, Any], report_type: str, salt: str, supersedes: str | None = None) -> Outgoing:
        unit_id = unit["unit_id"]
        submission_id = str(uuid.uuid5(NAMESPACE, f"{self.seed}:{unit_id}:{report_type}:{salt}"))
        rule = self.plan.rule(unit["level"], unit.get("roles", []), report_type)
        content = self._vary(copy.deepcopy(self.content[report_type]), unit_id)
        contact = (unit.get("contacts") or [{"name": unit["name"], "email": None}])[0]
        body: dict[str, Any] = {
            "submission_id": submission_id, "unit_id": unit_id, "report_type": report_type,
            "period": rule.period.model_dump() if rule and rule.period else None,
            "supersedes": supersedes,
            "submitted_by": {"name": contact["name"], "email": contact.get("email")},
            "content": content,
            "documents": [{"number": f"{_number(unit_id)}-BC/{_issuer(unit['level'])}",
                           "issued_on": "2023-04-25",
                           "title": f"{self.plan.report_name(report_type)} — {unit['name']}"}],
        }
        self.sent.setdefault((unit_id, report_type), []).append(submission_id)
        return Outgoing(subjects.submit(self.paths[unit_id]), body, submission_id, "accepted", unit_id)

    def _vary(self, content: dict[str, Any], unit_id: str) -> dict[str, Any]:
        rng = random.Random(f"{self.seed}:{unit_id}")
        statuses = ["achieved", "on_track", "at_risk", "not_achieved"]
        for target in content.get("targets", []):
            scaled = float(target["value"]) * rng.uniform(0.5, 1.5)
            target["value"] = round(scaled) if isinstance(target["value"], int) else round(scaled, 1)
            target["status"] = rng.choices(statuses, weights=[5, 3, 2, 1])[0]
        if "inspection" in content:
            content["inspection"] = {k: int(v * rng.uniform(0.5, 1.5)) for k, v in content["inspection"].items()}
        return content

    def bad(self, kinds: list[str], step: int) -> list[Outgoing]:
        grassroots = self.cohort("grassroots", 0.95, 1.0) or self.cohort("grassroots", 0.0, 1.0)
        victim, other = grassroots[0], grassroots[-1]
        out = []
        for kind in kinds:
            base = self._one(victim, "resolution_review", f"{step}:bad:{kind}")
            self.sent[(victim["unit_id"], "resolution_review")].pop()
            body = copy.deepcopy(base.body)
            assert isinstance(body, dict)
            subject = base.subject
            if kind == "spoof":
                subject = subjects.submit(self.paths[other["unit_id"]])
            elif kind == "unknown_target":
                body["content"]["targets"][0]["code"] = "XYZ"
            elif kind == "wrong_period":
                body["period"] = {"start": "2019-01", "end": "2021-12"}
            elif kind == "unknown_unit":
                body["unit_id"] = "CS999"
                subject = subjects.submit(f"{self.paths[victim['unit_id']].split('.')[0]}.CS999")
            elif kind == "not_json":
                out.append(Outgoing(subject, b"{\"submission_id\": \"truncated", base.msg_id, "rejected", kind))
                continue
            out.append(Outgoing(subject, body, base.msg_id, "rejected", kind))
        return out


def _date(value: Any) -> Any:
    from datetime import date

    return date.fromisoformat(str(value)) if value else None


def _number(unit_id: str) -> int:
    return int(hashlib.sha256(unit_id.encode()).hexdigest()[:4], 16) % 200 + 1


def _issuer(level: str) -> str:
    return {"district": "HU", "agency": "TU", "grassroots": "ĐU"}.get(level, "TU")
