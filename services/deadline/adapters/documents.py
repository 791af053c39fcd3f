"""Obligations as MongoDB documents: `_id` = `<unit_id>:<report_type>`; instants queried by range are epoch
ms ints (`due_ts`, `next_ts`) beside the ISO strings."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from services.deadline.domain.obligations import Move, Obligation, Seen, UnitFacts, obligation_id
from services.deadline.domain.schedule import epoch_ms
from shared.clock import aware, iso

UNIT_SIDE = ("unit_id", "report_type", "unit_name", "path", "district", "parent_id", "level", "exempt",
             "removed", "known")
DEADLINE_SIDE = ("due_at", "due_ts", "round")  # the plan sets it once; after that only moves change it
SUBMISSION_SIDE = ("submission_id", "version", "first_version", "on_time", "evidence")


def to_doc(ob: Obligation) -> dict[str, Any]:
    return {
        "_id": ob.id, "unit_id": ob.unit_id, "report_type": ob.report_type, "due_at": iso(ob.due_at),
        "due_ts": epoch_ms(ob.due_at), "round": ob.round, "unit_name": ob.unit_name, "path": ob.path,
        "district": ob.district, "parent_id": ob.parent_id, "level": ob.level, "exempt": ob.exempt,
        "removed": ob.removed, "known": ob.known, "submission_id": ob.submission_id, "version": ob.version,
        "first_version": ob.first_version, "on_time": ob.on_time,
        "sent": {sent_field(ob.id, key): True for key in ob.sent}, "overdue_announced": ob.overdue_announced,
        "seen": {seen_key(s.version): seen_doc(s) for s in ob.seen},
        "returned_version": ob.returned_version,
        "moves": {move_key(m.id): move_doc(m) for m in ob.moves},
        "evidence": [{"field": name, "value": value} for name, value in ob.evidence],
    }


def sent_field(ob_id: str, key: str) -> str:
    """A published key as its obligation stores it: without the obligation's id, which the key repeats
    (`overdue:CS1:bc:2` on `CS1:bc` is `overdue:2`). So a storm's records are the same update for many
    obligations: one `update_many` each, not one write per obligation (repository `advance`)."""
    head, marker, tail = key.partition(f":{ob_id}")
    return head + tail if marker and ":" not in head else key


def sent_keys(ob_id: str, fields: Iterable[str]) -> frozenset[str]:
    """The published keys back from their stored fields (a full key, as stored before issue 8, stays)."""
    keys = set()
    for name in fields:
        head, sep, tail = name.partition(":")
        keys.add(name if name.startswith(f"{head}:{ob_id}") else f"{head}:{ob_id}{sep}{tail}")
    return frozenset(keys)


# Field names never carry a client's id (it may hold `.`): versions are `v<n>`, moves a digest of their id.
def seen_key(version: int) -> str:
    return f"v{version}"


def seen_doc(seen: Seen) -> dict[str, Any]:
    return {"version": seen.version, "submission_id": seen.submission_id,
            "received_at": iso(seen.received_at) if seen.received_at else None}


def move_key(move_id: str) -> str:
    return hashlib.sha256(move_id.encode()).hexdigest()[:24]


def move_doc(move: Move) -> dict[str, Any]:
    return {"id": move.id, "round": move.round, "due_at": iso(move.due_at)}


def _instant(text: str | None) -> datetime | None:
    return aware(datetime.fromisoformat(text)) if text else None


def from_doc(doc: dict[str, Any]) -> Obligation:
    return Obligation(
        unit_id=doc["unit_id"], report_type=doc["report_type"],
        due_at=aware(datetime.fromisoformat(doc["due_at"])), round=doc.get("round") or 1,
        unit_name=doc.get("unit_name") or "", path=doc.get("path") or "", parent_id=doc.get("parent_id"),
        level=doc.get("level"), exempt=bool(doc.get("exempt")), removed=bool(doc.get("removed")),
        known=doc.get("known", True), submission_id=doc.get("submission_id"), version=doc.get("version"),
        first_version=doc.get("first_version"), on_time=doc.get("on_time"),
        sent=sent_keys(obligation_id(doc["unit_id"], doc["report_type"]), doc.get("sent") or {}),
        overdue_announced=bool(doc.get("overdue_announced")),
        seen=tuple(sorted((Seen(s["version"], s["submission_id"], _instant(s.get("received_at")))
                           for s in (doc.get("seen") or {}).values()), key=lambda s: s.version)),
        returned_version=doc.get("returned_version"),
        moves=tuple(sorted((Move(m["id"], m["round"], _instant(m["due_at"]))  # type: ignore[arg-type]
                            for m in (doc.get("moves") or {}).values()), key=lambda m: m.round)),
        evidence=tuple((e["field"], e["value"]) for e in doc.get("evidence") or ()),
        revision=int(doc.get("rev") or 0),
    )


def side(doc: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: doc[name] for name in fields}


def unit_doc(unit: UnitFacts, changed_at: datetime | None) -> dict[str, Any]:
    return {
        "_id": unit.unit_id, "name": unit.name, "level": unit.level, "path": unit.path,
        "district": unit.path.split(".", 1)[0], "parent_id": unit.parent_id, "founded_on": unit.founded_on.isoformat() if unit.founded_on else None,
        "roles": list(unit.roles), "active": unit.active,
        "changed_ts": epoch_ms(changed_at) if changed_at else None,
    }


def unit_from_doc(doc: dict[str, Any]) -> UnitFacts:
    founded = doc.get("founded_on")
    return UnitFacts(unit_id=doc["_id"], name=doc["name"], level=doc["level"], path=doc["path"],
                     parent_id=doc.get("parent_id"), founded_on=date.fromisoformat(founded) if founded else None,
                     roles=tuple(doc.get("roles") or ()), active=bool(doc.get("active", True)))
