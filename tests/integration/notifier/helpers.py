"""Inputs and look-ups for the notifier's integration tests; every id and address carries the test's token."""

from __future__ import annotations

from typing import Any

import nats

from tests.infra.client import publish
from tests.infra.smtp import Received, SmtpServer

DUE = "2023-05-15T00:00:00+07:00"


def unit(token: str, contacts: int = 2, supervisors: int = 1) -> dict[str, Any]:
    uid = f"CS-{token}"
    return {
        "unit_id": uid, "name": "Đảng bộ xã Phú Lộc", "level": "grassroots", "parent_id": f"HU-{token}",
        "founded_on": "1976-05-10", "roles": [], "active": True, "path": f"HU-{token}.{uid}",
        "contacts": [{"name": f"Văn phòng {n}", "email": f"contact{n}-{token}@xa.example.vn", "role": "office"}
                     for n in range(contacts)],
        "supervisors": [{"name": f"Phạm Thị Lan {n}, Ủy viên Ban Thường vụ", "email": f"sup{n}-{token}@huyen.example.vn"}
                        for n in range(supervisors)],
    }


def contact(token: str, n: int) -> str:
    return f"contact{n}-{token}@xa.example.vn"


def supervisor(token: str, n: int) -> str:
    return f"sup{n}-{token}@huyen.example.vn"


async def register(nc: nats.NATS, body: dict[str, Any]) -> None:
    await publish(nc, f"review.units.changed.{body['path']}", body, msg_id=f"unit:{body['unit_id']}:{body['name']}")


async def deadline(nc: nats.NATS, kind: str, body: dict[str, Any], key: str | None) -> None:
    payload: dict[str, Any] = {"unit_id": body["unit_id"], "report_type": "resolution_review", "due_at": DUE}
    if kind == "reminder":
        payload["before"] = "P7D"
    if kind == "escalated":
        payload.update(level=1, after="P3D")
    await publish(nc, f"review.deadlines.{kind}.{body['path']}", payload, msg_id=key)


def mails(smtp: SmtpServer, token: str) -> list[Received]:
    return [m for m in smtp.messages if any(token in r for r in m.rcpt_tos)]


def by_recipient(smtp: SmtpServer, token: str) -> dict[str, list[Received]]:
    out: dict[str, list[Received]] = {}
    for m in mails(smtp, token):
        for r in m.rcpt_tos:
            out.setdefault(r, []).append(m)
    return out
