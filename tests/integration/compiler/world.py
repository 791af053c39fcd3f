"""A small province with ids unique to one test, and the events intake and deadline would publish for it."""

from __future__ import annotations

import base64
import copy
import uuid
from dataclasses import dataclass, field
from typing import Any

from pymongo import MongoClient

from shared.db import database_name
from tests.infra.client import publish, request
from tests.infra.data import example_submission


@dataclass
class World:
    nc: Any
    mongo_uri: str
    token: str = field(default_factory=lambda: uuid.uuid4().hex[:6])

    def __post_init__(self) -> None:
        self.client: MongoClient = MongoClient(self.mongo_uri, tz_aware=True)
        self.db = self.client[database_name(self.mongo_uri)]
        self.root = f"TU{self.token}"

    def close(self) -> None:
        self.client.close()

    def uid(self, name: str) -> str:
        return f"{name}{self.token}"

    def path(self, unit_id: str, parent: str | None) -> str:
        if parent is None:
            return ""
        return unit_id if parent == self.root else f"{parent}.{unit_id}"

    async def unit(self, name: str, level: str, parent: str | None, title: str) -> dict[str, Any]:
        unit_id = name if name == self.root else self.uid(name)
        body = {"unit_id": unit_id, "name": title, "level": level, "parent_id": parent,
                "path": self.path(unit_id, parent), "active": True}
        subject = f"review.units.changed.{body['path'] or 'root'}"
        await publish(self.nc, subject, body, msg_id=f"unit:{unit_id}:{uuid.uuid4().hex[:6]}")
        return body

    async def province(self, districts: int = 2, grassroots: int = 2) -> dict[str, list[str]]:
        await self.unit(self.root, "province", None, "Tỉnh ủy Lâm Giang")
        tree: dict[str, list[str]] = {}
        for d in range(1, districts + 1):
            district = (await self.unit(f"D{d}", "district", self.root, f"Huyện ủy Số {d}"))["unit_id"]
            tree[district] = []
            for g in range(1, grassroots + 1):
                unit = await self.unit(f"D{d}G{g}", "grassroots", district, f"Đảng bộ xã {d}-{g}")
                tree[district].append(unit["unit_id"])
        await self.unit("BTG", "agency", self.root, "Ban Tuyên giáo Tỉnh ủy")
        return tree

    def store_submission(self, unit_id: str, path: str, report_type: str, version: int,
                         content: dict[str, Any] | None = None) -> str:
        name = "submission-inspection.json" if report_type == "inspection_review" else "submission-grassroots.json"
        sub = example_submission(name, unit_id=unit_id, report_type=report_type)
        if content is not None:
            sub["content"] = content
        sid = sub["submission_id"]
        self.db.submissions.insert_one({
            "_id": sid, "submission_id": sid, "unit_id": unit_id, "path": path, "report_type": report_type,
            "version": version, "obligation": f"{unit_id}:{report_type}", "received_at": "2023-05-01T08:00:00+07:00",
            "received_ts": 1682902800000, "due_at": "2023-05-15T00:00:00+07:00", "on_time": True,
            "content_hash": sid, "submission": sub})
        return sid

    async def accepted(self, sid: str, unit_id: str, path: str, report_type: str, version: int) -> None:
        await publish(self.nc, f"review.submissions.accepted.{path}", {
            "submission_id": sid, "unit_id": unit_id, "report_type": report_type, "version": version,
            "received_at": "2023-05-01T08:00:00+07:00", "due_at": "2023-05-15T00:00:00+07:00", "on_time": True,
        }, msg_id=f"accepted:{sid}")

    async def submit(self, unit_id: str, path: str, report_type: str = "resolution_review", version: int = 1,
                     content: dict[str, Any] | None = None) -> str:
        sid = self.store_submission(unit_id, path, report_type, version, content)
        await self.accepted(sid, unit_id, path, report_type, version)
        return sid

    async def obligation(self, unit_id: str, path: str, report_type: str, status: str,
                         changed_at: str = "2023-05-01T08:00:00+07:00", version: int | None = None) -> None:
        await publish(self.nc, f"review.obligations.changed.{path}", {
            "unit_id": unit_id, "unit_name": unit_id, "path": path, "report_type": report_type,
            "due_at": "2023-05-15T00:00:00+07:00", "status": status, "submission_id": None, "version": version,
            "changed_at": changed_at}, msg_id=f"obl:{unit_id}:{report_type}:{status}:{changed_at}")

    async def draft(self, scope: str | None = None, fmt: str = "json") -> dict[str, Any]:
        body: dict[str, Any] = {"format": fmt}
        if scope:
            body["scope"] = scope
        return await request(self.nc, "review.query.draft", body)


def content(value: float, status: str = "achieved", **extra: Any) -> dict[str, Any]:
    body = copy.deepcopy(example_submission()["content"])
    body["targets"] = [{"code": "NEW_MEMBERS", "value": value, "status": status}]
    body.update(extra)
    return body


def docx_bytes(reply: dict[str, Any]) -> bytes:
    return base64.b64decode(reply["docx_base64"])
