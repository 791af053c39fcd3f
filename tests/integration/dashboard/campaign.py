"""A small campaign, played by a fake of the other services on a real nats-server: it answers
`review.query.status|draft|catalog` with contract-shaped replies and writes the events the dashboard reads
back (units, accepted submissions, deadline notices, mails) to the stream `REVIEW`."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass, field
from typing import Any

import nats
from docx import Document

from shared.streams import ensure_stream
from shared.text import fold

AS_OF = "2023-05-20T09:00:00+07:00"
GRASSROOTS_DUE = "2023-05-15T00:00:00+07:00"
DISTRICT_DUE = "2023-07-15T00:00:00+07:00"
DISTRICT_REPORTS = ("resolution_review", "inspection_review", "self_criticism", "conference_result")


def _unit(unit_id: str, name: str, level: str, parent: str | None, path: str, supervisors=(), contacts=()) -> dict:
    return {"unit_id": unit_id, "name": name, "level": level, "parent_id": parent, "path": path,
            "founded_on": "1976-02-03", "roles": ["propaganda"] if unit_id == "BTG" else [],
            "contacts": [{"name": n, "email": e, "role": "office"} for n, e in contacts],
            "supervisors": [{"name": n, "email": e} for n, e in supervisors], "active": True}


UNITS = [
    _unit("TU", "Tỉnh ủy Lâm Giang", "province", None, ""),
    _unit("TP", "Huyện ủy Tân Phú", "district", "TU", "TP",
          [("Lê Văn Sơn, Ủy viên Ban Thường vụ Tỉnh ủy", "lvson@tinhuy.example.vn")],
          [("Văn phòng Huyện ủy Tân Phú", "vanphong.huyenuy@tanphu.example.vn")]),
    _unit("TP-XPL", "Đảng bộ xã Phú Lộc", "grassroots", "TP", "TP.TP-XPL",
          [("Phạm Thị Lan, Ủy viên Ban Thường vụ Huyện ủy", "ptlan@tanphu.example.vn")]),
    _unit("TP-XPT", "Đảng bộ xã Phú Thạnh", "grassroots", "TP", "TP.TP-XPT"),
    _unit("TP-TT", "Đảng bộ thị trấn Tân Phú", "grassroots", "TP", "TP.TP-TT", (),
          [("Văn phòng Đảng ủy thị trấn Tân Phú", "vanphong@tttanphu.example.vn")]),
    _unit("TP-CTX", "Chi bộ Công ty TNHH Xanh Phú", "grassroots", "TP", "TP.TP-CTX"),
    _unit("BM", "Thị ủy Bình Minh", "district", "TU", "BM",
          [("Nguyễn Thị Hoa, Phó Bí thư Tỉnh ủy", "nthoa@tinhuy.example.vn")]),
    _unit("BM-P1", "Đảng bộ phường 1", "grassroots", "BM", "BM.BM-P1"),
    _unit("BM-P2", "Đảng bộ phường 2", "grassroots", "BM", "BM.BM-P2",
          [("Trần Văn Bình, Ủy viên Ban Thường vụ Thị ủy", "tvbinh@binhminh.example.vn")]),
    _unit("BM-XDH", "Đảng bộ xã Đông Hải", "grassroots", "BM", "BM.BM-XDH"),
    _unit("SH", "Huyện ủy Sông Hậu", "district", "TU", "SH",
          [("Võ Minh Quang, Ủy viên Ban Thường vụ Tỉnh ủy", "vmquang@tinhuy.example.vn")]),
    _unit("SH-XAL", "Đảng bộ xã An Lạc", "grassroots", "SH", "SH.SH-XAL"),
    _unit("SH-XTH", "Đảng bộ xã Tân Hòa", "grassroots", "SH", "SH.SH-XTH"),
    _unit("BTG", "Ban Tuyên giáo Tỉnh ủy", "agency", "TU", "BTG",
          [("Đỗ Minh Tuấn, Phó Bí thư Thường trực", "dmtuan@tinhuy.example.vn")]),
    _unit("VPTU", "Văn phòng Tỉnh ủy", "agency", "TU", "VPTU"),
    _unit("UBKT", "Ủy ban Kiểm tra Tỉnh ủy", "agency", "TU", "UBKT"),
]
NAMES = {u["unit_id"]: u["name"] for u in UNITS}
PATHS = {u["unit_id"]: u["path"] for u in UNITS}

# (unit, report, status, version, due) — the grassroots deadline has passed, the district one has not
GRASSROOTS = [
    ("TP-XPL", "submitted", 1), ("TP-XPT", "late", 2), ("TP-TT", "overdue", None), ("TP-CTX", "exempt", None),
    ("BM-P1", "submitted", 1), ("BM-P2", "overdue", None), ("BM-XDH", "submitted", 2),
    ("SH-XAL", "overdue", None), ("SH-XTH", "returned", 1),
]
# what the overview must show: (submitted, late, returned, overdue, pending, exempt) per bar
EXPECTED = {
    "TP": {"submitted": 1, "late": 1, "returned": 0, "overdue": 1, "pending": 4, "exempt": 1},
    "BM": {"submitted": 2, "late": 0, "returned": 0, "overdue": 1, "pending": 4, "exempt": 0},
    "SH": {"submitted": 0, "late": 0, "returned": 1, "overdue": 1, "pending": 4, "exempt": 0},
    "agencies": {"submitted": 0, "late": 1, "returned": 0, "overdue": 0, "pending": 3, "exempt": 0},
}

CATALOG = [
    {"number": "05-NQ/ĐH", "title": "Nghị quyết Đại hội đại biểu Đảng bộ tỉnh lần thứ XI, nhiệm kỳ 2020-2025",
     "issued_on": "2020-10-15", "issuer": "Đảng bộ tỉnh Lâm Giang", "kind": "Nghị quyết"},
    {"number": "68-CTr/TU", "title": "Chương trình hành động thực hiện Nghị quyết Đại hội XIII của Đảng",
     "issued_on": "2021-06-01", "issuer": "Tỉnh ủy Lâm Giang", "kind": "Chương trình"},
    {"number": "120-KH/TU", "title": "Kế hoạch sơ kết giữa nhiệm kỳ thực hiện nghị quyết đại hội đảng bộ các cấp",
     "issued_on": "2023-02-20", "issuer": "Tỉnh ủy Lâm Giang", "kind": "Kế hoạch"},
    {"number": "36-HD/VPTW", "title": "Hướng dẫn thể thức và kỹ thuật trình bày văn bản của Đảng",
     "issued_on": "2018-04-03", "issuer": "Văn phòng Trung ương Đảng", "kind": "Hướng dẫn"},
]


def sid(unit_id: str, report: str, version: int) -> str:
    return f"{unit_id}-{report}-v{version}".lower()


@dataclass
class Campaign:
    as_of: str = AS_OF
    rows: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    draft_versions: dict[str, int] = field(default_factory=dict)
    root_too_large: bool = False  # answer the whole province as the deadline service does above 1 MiB

    @classmethod
    def small(cls) -> Campaign:
        c = cls()
        for unit_id, status, version in GRASSROOTS:
            due = "2023-05-27T00:00:00+07:00" if status == "returned" else GRASSROOTS_DUE
            c.put(unit_id, "resolution_review", status, due, version)
        for district in ("TP", "BM", "SH"):
            for report in DISTRICT_REPORTS:
                c.put(district, report, "pending", DISTRICT_DUE, None)
        for agency in ("BTG", "VPTU", "UBKT"):
            c.put(agency, "agency_review", "pending", DISTRICT_DUE, None)
        c.put("BTG", "propaganda_plan", "late", "2023-03-25T00:00:00+07:00", 1)
        return c

    def put(self, unit_id: str, report: str, status: str, due: str, version: int | None) -> dict[str, Any]:
        row = {"unit_id": unit_id, "unit_name": NAMES[unit_id], "path": PATHS[unit_id], "report_type": report,
               "due_at": due, "status": status, "submission_id": sid(unit_id, report, version) if version else None,
               "version": version}
        self.rows[(unit_id, report)] = row
        return row

    def status(self, scope: str | None) -> dict[str, Any]:
        if scope and scope not in PATHS:
            return {"error": {"code": "unknown_scope", "message": f"Không có đơn vị '{scope}' trong danh sách."}}
        if self.root_too_large and scope in (None, "TU"):
            return {"error": {"code": "too_large", "message": "Phạm vi quá lớn: hãy hỏi theo từng đơn vị."}}
        path = PATHS.get(scope or "TU", "")
        rows = [r for r in self.rows.values()
                if not path or r["path"] == path or r["path"].startswith(path + ".")]
        rows.sort(key=lambda r: (r["path"], r["report_type"]))
        return {"as_of": self.as_of, "obligations": rows}

    def coverage(self, scope: str) -> dict[str, int]:
        path = PATHS.get(scope, "")
        counts = dict.fromkeys(("expected", "submitted", "late", "overdue", "pending", "exempt", "returned"), 0)
        for r in self.rows.values():
            if path and not r["path"].startswith(path + "."):
                continue
            if not path and r["path"] == "":
                continue
            counts[r["status"]] += 1
            if r["status"] != "exempt":
                counts["expected"] += 1
        return counts

    def draft(self, scope: str | None, fmt: str) -> dict[str, Any]:
        scope = scope or "TU"
        if scope not in ("TU", "TP", "BM", "SH"):
            return {"error": {"code": "unknown_scope", "message": f"Không có dự thảo cho '{scope}'."}}
        name = NAMES[scope]
        version = self.draft_versions.get(scope, 3)
        if fmt == "markdown":
            return {"markdown": _markdown(name, version)}
        if fmt == "docx":
            return {"docx_base64": base64.b64encode(_docx(name)).decode(), "filename": f"du-thao-{scope}-v{version}.docx"}
        return {
            "scope": scope, "version": version, "updated_at": "2023-05-19T16:30:00+07:00",
            "coverage": self.coverage(scope),
            "targets": [
                {"code": "NEW_MEMBERS", "name": "Kết nạp đảng viên mới", "unit": "người", "aggregate": "sum",
                 "value": 126, "reported_by": 3, "achieved": 2, "on_track": 1, "at_risk": 0, "not_achieved": 0},
                {"code": "GOOD_ORG_RATE", "name": "Tỷ lệ tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ", "unit": "%",
                 "aggregate": "mean", "value": 87.5, "reported_by": 3, "achieved": 1, "on_track": 1, "at_risk": 1,
                 "not_achieved": 0},
            ],
            "inspection": {"inspections": 12, "supervisions": 30, "members_disciplined": 3,
                           "organizations_disciplined": 0},
            "sections": {"leadership": [], "achievements": [], "shortcomings": [], "lessons": [], "models": [],
                         "adjustments": [], "next_tasks": [], "proposals": {"central": [], "province": [], "district": []}},
            "sources": [],
        }

    def catalog(self, q: str, limit: int) -> dict[str, Any]:
        words = fold(q).split()
        found = [e for e in CATALOG if all(w in fold(" ".join(str(v) for v in e.values())).split() for w in words)]
        return {"results": found[:limit]}


def _markdown(name: str, version: int) -> str:
    return (f"# BÁO CÁO\n\n**sơ kết giữa nhiệm kỳ thực hiện Nghị quyết Đại hội — {name}** (dự thảo lần {version})\n\n"
            "## Phần thứ nhất\n\n### I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO\n\n"
            "Ban Thường vụ đã ban hành kế hoạch triển khai nghị quyết <script>alert(1)</script> kịp thời.\n\n"
            "| Chỉ tiêu | Kết quả |\n|---|---|\n| Kết nạp đảng viên mới | 126 người |\n")


def _docx(name: str) -> bytes:
    doc = Document()
    doc.add_heading("BÁO CÁO", 0)
    doc.add_paragraph(f"Dự thảo — {name}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


class FakeServices:
    """Stands in for deadline (status), compiler (drafts) and intake (catalogue) on a real NATS server."""

    def __init__(self, url: str, campaign: Campaign) -> None:
        self.url, self.campaign = url, campaign
        self.nc: nats.NATS | None = None

    async def start(self) -> FakeServices:
        self.nc = await nats.connect(self.url, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
        await self.nc.subscribe("review.query.status", cb=self._answer(lambda b: self.campaign.status(b.get("scope"))))
        await self.nc.subscribe("review.query.draft", cb=self._answer(
            lambda b: self.campaign.draft(b.get("scope"), b.get("format", "json"))))
        await self.nc.subscribe("review.query.catalog", cb=self._answer(
            lambda b: self.campaign.catalog(b.get("q", ""), b.get("limit", 20))))
        await self.nc.flush()
        return self

    def _answer(self, fn):
        async def on(msg: Any) -> None:
            body = json.loads(msg.data or b"{}")
            await msg.respond(json.dumps(fn(body), ensure_ascii=False).encode())
        return on

    async def publish(self, subject: str, payload: dict[str, Any], msg_id: str | None = None) -> None:
        js = self.nc.jetstream()
        await js.publish(subject, json.dumps(payload, ensure_ascii=False).encode(),
                         headers={"Nats-Msg-Id": msg_id} if msg_id else None)

    async def history(self) -> None:
        """What the other services would have published so far in this campaign."""
        await ensure_stream(self.nc.jetstream())
        for unit in UNITS:
            await self.publish(f"review.units.changed.{unit['path'] or 'root'}", unit)
        for unit_id, report, version, at, on_time in [
            ("TP-XPL", "resolution_review", 1, "2023-05-10T10:15:00+07:00", True),
            ("TP-XPT", "resolution_review", 1, "2023-05-17T08:40:00+07:00", False),
            ("TP-XPT", "resolution_review", 2, "2023-05-18T14:05:00+07:00", False),
            ("BM-P1", "resolution_review", 1, "2023-05-12T09:00:00+07:00", True),
            ("BM-XDH", "resolution_review", 1, "2023-05-11T15:20:00+07:00", True),
            ("BM-XDH", "resolution_review", 2, "2023-05-13T10:00:00+07:00", True),
            ("SH-XTH", "resolution_review", 1, "2023-05-14T16:00:00+07:00", True),
            ("BTG", "propaganda_plan", 1, "2023-03-28T09:30:00+07:00", False),
        ]:
            await self.accepted(unit_id, report, version, at, on_time)
        tt = "TP.TP-TT"
        base = {"unit_id": "TP-TT", "report_type": "resolution_review", "due_at": GRASSROOTS_DUE}
        for subject, payload, key, sent_at, to in [
            (f"review.deadlines.reminder.{tt}", {**base, "before": "P7D"}, "reminder:TP-TT:resolution_review:P7D",
             "2023-05-08T08:00:00+07:00", ["vanphong@tttanphu.example.vn"]),
            (f"review.deadlines.reminder.{tt}", {**base, "before": "P1D"}, "reminder:TP-TT:resolution_review:P1D",
             "2023-05-14T08:00:00+07:00", ["vanphong@tttanphu.example.vn"]),
            (f"review.deadlines.overdue.{tt}", base, "overdue:TP-TT:resolution_review",
             "2023-05-15T08:00:00+07:00", ["vanphong@tttanphu.example.vn"]),
            (f"review.deadlines.escalated.{tt}", {**base, "level": 1, "after": "P3D"},
             "escalated:TP-TT:resolution_review:1", "2023-05-18T08:00:00+07:00",
             ["lvson@tinhuy.example.vn", "vanphong@tinhuy.example.vn"]),
        ]:
            await self.publish(subject, payload, msg_id=key)
            for recipient in to:
                await self.publish("review.notifications.sent", {
                    "event_key": key, "recipient": recipient, "message_id": f"<{key}.{recipient}@midterm>",
                    "sent_at": sent_at, "attempts": 1}, msg_id=f"sent:{key}:{recipient}")

    async def accepted(self, unit_id: str, report: str, version: int, at: str, on_time: bool) -> None:
        row = self.campaign.rows[(unit_id, report)]
        await self.publish(f"review.submissions.accepted.{PATHS[unit_id]}", {
            "submission_id": sid(unit_id, report, version), "unit_id": unit_id, "report_type": report,
            "version": version, "received_at": at, "due_at": row["due_at"], "on_time": on_time})

    async def submit(self, unit_id: str, report: str, at: str) -> None:
        """A submission is accepted now: the status changes, the events follow, as the real services do."""
        row = self.campaign.rows[(unit_id, report)]
        on_time = at < row["due_at"]
        status = "submitted" if on_time else "late"
        new = self.campaign.put(unit_id, report, status, row["due_at"], (row["version"] or 0) + 1)
        await self.accepted(unit_id, report, new["version"], at, on_time)
        await self.publish(f"review.obligations.changed.{PATHS[unit_id]}", {**new, "changed_at": at})

    async def stop(self) -> None:
        if self.nc is not None:
            await self.nc.close()
