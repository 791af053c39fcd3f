"""A small fictional province, the campaign the fault tests play on it, and what the platform must end with,
computed here from the plan rules, the registry and what was published, never read from the services."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cli.campaign import Generator, Outgoing
from shared.plan import Plan, load_plan
from shared.settings import BUNDLED_PLAN

OFFICE = "vanphong@tinhuy.faults.example.vn"
SEED = 8
T0 = "2023-05-01T08:00:00+07:00"  # services start; the registry arrives
T1 = "2023-05-09T08:00:00+07:00"  # sweep (P7D reminders), then the burst of submissions
T2 = "2023-05-14T12:00:00+07:00"  # sweep (P1D reminders)
T3 = "2023-05-19T08:00:00+07:00"  # the deadline storm: overdue notices and first escalations
INSPECTION_FIELDS = ("inspections", "supervisions", "members_disciplined", "organizations_disciplined")
STATUSES = ("achieved", "on_track", "at_risk", "not_achieved")


def registry(districts: int = 3, per_district: int = 16, agencies: int = 2) -> list[dict[str, Any]]:
    """Root `FT`, districts `FD1..`, grassroots `FD1-G01..`, agencies `FA1..`; `FD1-G01` was founded within
    the exemption window. Every unit has one contact and one supervisor (escalations go to supervisors)."""

    def unit(unit_id: str, name: str, level: str, parent: str | None, founded: str = "1976-02-03") -> dict[str, Any]:
        slug = unit_id.lower()
        return {"unit_id": unit_id, "name": name, "level": level, "parent_id": parent, "founded_on": founded,
                "roles": [], "active": True,
                "contacts": [{"name": f"Văn phòng {name}", "email": f"vp-{slug}@faults.example.vn", "role": "office"}],
                "supervisors": [{"name": f"Ủy viên phụ trách {name}", "email": f"uv-{slug}@tinhuy.faults.example.vn"}]}

    units = [unit("FT", "Tỉnh ủy Thử Nghiệm", "province", None)]
    for d in range(1, districts + 1):
        units.append(unit(f"FD{d}", f"Huyện ủy số {d}", "district", "FT"))
        for g in range(1, per_district + 1):
            founded = "2022-12-01" if (d, g) == (1, 1) else "1980-03-02"
            units.append(unit(f"FD{d}-G{g:02d}", f"Đảng bộ xã số {g} huyện {d}", "grassroots", f"FD{d}", founded))
    for a in range(1, agencies + 1):
        units.append(unit(f"FA{a}", f"Ban số {a} của Tỉnh ủy", "agency", "FT", "1930-02-03"))
    return units


def plan() -> Plan:
    return load_plan(BUNDLED_PLAN)


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass
class Burst:
    """What the burst publishes: valid submissions (expected accepted) and invalid ones (expected rejected)."""

    good: list[Outgoing]
    bad: list[Outgoing]

    @property
    def all(self) -> list[Outgoing]:
        return [*self.good, *self.bad]


def burst(units: list[dict[str, Any]], share: float = 0.5) -> Burst:
    """`share` of the grassroots units, every district and half the agencies submit; two reports are invalid."""
    gen = Generator(plan(), units, SEED)
    good = gen.submissions({"level": "grassroots", "report_type": "resolution_review", "cohort": [0.0, share]}, 1)
    good += gen.submissions({"level": "district", "report_type": "resolution_review"}, 1)
    good += gen.submissions({"level": "agency", "report_type": "agency_review", "cohort": [0.0, 0.5]}, 1)
    bad = gen.bad(["unknown_target", "wrong_period"], 1)
    return Burst(good, bad)


@dataclass
class Oracle:
    units: list[dict[str, Any]]
    submitted: list[dict[str, Any]] = field(default_factory=list)  # bodies of accepted submissions
    rejected: list[dict[str, Any]] = field(default_factory=list)
    sweeps: list[tuple[datetime, frozenset[tuple[str, str]]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.plan = plan()
        self.by_id = {u["unit_id"]: u for u in self.units}

    # --- what the registry and the plan oblige ---------------------------------------------------------

    def obligations(self) -> dict[tuple[str, str], tuple[datetime, bool]]:
        out = {}
        for u in self.units:
            for rule in self.plan.rules_for(u["level"], u.get("roles", [])):
                exempt = self.plan.is_exempt(u["level"], date.fromisoformat(u["founded_on"]), rule.due)
                out[(u["unit_id"], rule.report_type.value)] = (rule.due, exempt)
        return out

    def done(self) -> frozenset[tuple[str, str]]:
        return frozenset((b["unit_id"], b["report_type"]) for b in self.submitted)

    def swept(self, now: str) -> None:
        """Record a sweep at `now`, with what had been submitted by then (all before the deadlines here)."""
        self.sweeps.append((when(now), self.done()))

    # --- the expected end state ------------------------------------------------------------------------

    def accepted_ids(self) -> set[str]:
        return {b["submission_id"] for b in self.submitted}

    def statuses(self, now: str) -> dict[tuple[str, str], str]:
        at = when(now)
        out = {}
        for key, (due, exempt) in self.obligations().items():
            if exempt:
                out[key] = "exempt"
            elif key in self.done():
                out[key] = "submitted"  # every submission of these campaigns is received before its deadline
            else:
                out[key] = "overdue" if at >= due else "pending"
        return out

    def due_events(self) -> set[str]:
        keys = set()
        for at, done in self.sweeps:
            for (unit_id, report_type), (due, exempt) in self.obligations().items():
                if exempt or (unit_id, report_type) in done:
                    continue
                for before, span in self.plan.reminder_offsets():
                    if due - span <= at < due:
                        keys.add(f"reminder:{unit_id}:{report_type}:{before}")
                if at >= due:
                    keys.add(f"overdue:{unit_id}:{report_type}")
                for level, after, span in self.plan.escalation_offsets():
                    del after
                    if at >= due + span:
                        keys.add(f"escalated:{unit_id}:{report_type}:{level}")
        return keys

    def mails(self) -> set[tuple[str, str]]:
        out = set()
        for key in self.due_events():
            unit = self.by_id[key.split(":")[1]]
            if key.startswith("escalated:"):
                out |= {(key, s["email"]) for s in unit["supervisors"]} | {(key, OFFICE)}
            else:
                out |= {(key, c["email"]) for c in unit["contacts"]}
        for body in self.rejected:
            out.add((f"rejected:{body['submission_id']}", body["submitted_by"]["email"]))
        return out

    def draft(self, scope: str, now: str) -> dict[str, Any]:
        """The draft of `scope` recomputed from scratch: sources, coverage, targets, inspection, leadership."""
        children = [u for u in self.units if u.get("parent_id") == scope]
        below = self._below(scope)
        feeds = {"district": {("grassroots", "resolution_review")},
                 "province": {("district", "resolution_review"), ("agency", "agency_review")}}
        level = self.by_id[scope]["level"]
        main = [b for b in self.submitted if (self.by_id[b["unit_id"]]["level"], b["report_type"]) in feeds[level]
                and b["unit_id"] in {c["unit_id"] for c in children}]
        inspection = [b for b in self.submitted if level == "province" and b["report_type"] == "inspection_review"
                      and self.by_id[b["unit_id"]]["parent_id"] == scope]
        statuses = Counter(s for (u, _), s in self.statuses(now).items() if u in below)
        counted = ("submitted", "late", "returned", "overdue", "pending")
        coverage = {s: statuses.get(s, 0) for s in (*counted, "exempt")}
        coverage["expected"] = sum(coverage[s] for s in counted)
        return {
            "sources": sorted((b["submission_id"], b["unit_id"], b["report_type"], 1) for b in main + inspection),
            "coverage": coverage,
            "targets": self._targets(main),
            "inspection": {f: sum(int(b["content"]["inspection"][f]) for b in inspection) for f in INSPECTION_FIELDS},
            "leadership": sorted(b["unit_id"] for b in main if b["content"].get("leadership")),
        }

    def _below(self, scope: str) -> set[str]:
        found: set[str] = set()
        frontier = [scope]
        while frontier:
            parent = frontier.pop()
            for u in self.units:
                if u.get("parent_id") == parent:
                    found.add(u["unit_id"])
                    frontier.append(u["unit_id"])
        return found

    def _targets(self, reports: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        out = {}
        for spec in self.plan.targets:
            entries = []
            for b in reports:
                first = next((t for t in b["content"].get("targets") or [] if t.get("code") == spec.code), None)
                if first is not None and first.get("value") is not None:
                    entries.append(first)
            values = [float(e["value"]) for e in entries]
            value = None
            if values:
                value = {"sum": sum, "min": min, "max": max,
                         "mean": lambda v: sum(v) / len(v)}[spec.aggregate](values)
            out[spec.code] = {"value": value, "reported_by": len(entries),
                              **{s: sum(1 for e in entries if e.get("status") == s) for s in STATUSES}}
        return out


def draft_view(draft: dict[str, Any]) -> dict[str, Any]:
    """The same fields read from a draft the compiler serves, for comparison with `Oracle.draft`."""
    coverage = draft.get("coverage") or {}
    return {
        "sources": sorted((s["submission_id"], s["unit_id"], s["report_type"], s["version"])
                          for s in draft.get("sources", [])),
        "coverage": {k: coverage.get(k) for k in ("submitted", "late", "returned", "overdue", "pending", "exempt",
                                                 "expected")},
        "targets": {t["code"]: {"value": t["value"], "reported_by": t["reported_by"],
                                **{s: t[s] for s in STATUSES}} for t in draft.get("targets", [])},
        "inspection": {f: (draft.get("inspection") or {}).get(f) for f in INSPECTION_FIELDS},
        "leadership": sorted(i["unit_id"] for i in (draft.get("sections") or {}).get("leadership", [])),
    }


def same_draft(served: dict[str, Any], expected: dict[str, Any]) -> bool:
    """Equal, with target values compared to 1e-6 (a mean is a float)."""
    if {k: v for k, v in served.items() if k != "targets"} != {k: v for k, v in expected.items() if k != "targets"}:
        return False
    if served["targets"].keys() != expected["targets"].keys():
        return False
    for code, want in expected["targets"].items():
        got = served["targets"][code]
        if {k: v for k, v in got.items() if k != "value"} != {k: v for k, v in want.items() if k != "value"}:
            return False
        if (got["value"] is None) != (want["value"] is None):
            return False
        if want["value"] is not None and abs(float(got["value"]) - want["value"]) > 1e-6:
            return False
    return True
