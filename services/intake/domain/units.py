"""The organisation tree: which upserts fit (CONTRACT section 1), the path of every unit, and what changes
when a unit moves. Kept whole in memory: intake owns the registry, so its cache is never stale."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.intake.domain.problems import (
    CHILDREN_MISMATCH,
    DUPLICATE_ROOT,
    UNKNOWN_PARENT,
    WRONG_PARENT_LEVEL,
    Problem,
)
from shared.contract.units import Level, Unit

PARENT_LEVEL = {
    Level.district: Level.province,
    Level.agency: Level.province,
    Level.grassroots: Level.district,
}
_BOOKKEEPING = ("changed_at", "content_hash", "published", "_id", "revision")


@dataclass(frozen=True)
class UnitView:
    """What a submission needs to know about its unit."""

    unit_id: str
    name: str
    level: str
    roles: tuple[str, ...]
    founded_on: date | None
    active: bool
    path: str


def unit_hash(doc: dict[str, Any]) -> str:
    body = {k: v for k, v in doc.items() if k not in _BOOKKEEPING}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def view(doc: dict[str, Any]) -> UnitView:
    founded = doc.get("founded_on")
    return UnitView(
        unit_id=doc["unit_id"], name=doc["name"], level=doc["level"], roles=tuple(doc.get("roles") or ()),
        founded_on=date.fromisoformat(founded) if founded else None, active=bool(doc.get("active", True)),
        path=doc["path"],
    )


class UnitTree:
    """Stored units as `UnitChanged` JSON dicts (with `path`, `changed_at` and `content_hash`)."""

    def __init__(self, docs: Iterable[dict[str, Any]] = ()) -> None:
        self._docs: dict[str, dict[str, Any]] = {}
        self._views: dict[str, UnitView] = {}
        self._children: dict[str, set[str]] = {}
        for doc in docs:
            self.commit(doc)

    def __len__(self) -> int:
        return len(self._docs)

    def get(self, unit_id: str) -> dict[str, Any] | None:
        return self._docs.get(unit_id)

    def view(self, unit_id: str) -> UnitView | None:
        return self._views.get(unit_id)

    def root(self) -> dict[str, Any] | None:
        return next((d for d in self._docs.values() if d["level"] == Level.province), None)

    def check(self, unit: Unit) -> list[Problem]:
        problems: list[Problem] = []
        values = {"value": unit.unit_id, "level": unit.level.value, "parent": unit.parent_id or ""}
        if unit.level == Level.province:
            root = self.root()
            if unit.parent_id is not None:
                problems.append(Problem(WRONG_PARENT_LEVEL, "parent_id", values))
            if root is not None and root["unit_id"] != unit.unit_id:
                problems.append(Problem(DUPLICATE_ROOT, "level", {**values, "root": root["unit_id"]}))
        else:
            parent = self._docs.get(unit.parent_id) if unit.parent_id and unit.parent_id != unit.unit_id else None
            if parent is None:
                problems.append(Problem(UNKNOWN_PARENT, "parent_id", values))
            elif parent["level"] != PARENT_LEVEL[unit.level]:
                problems.append(Problem(WRONG_PARENT_LEVEL, "parent_id",
                                        {**values, "parent_level": parent["level"]}))
        for child_id in sorted(self._children.get(unit.unit_id, ())):
            child = self._docs[child_id]
            if PARENT_LEVEL.get(Level(child["level"])) != unit.level:
                problems.append(Problem(CHILDREN_MISMATCH, "level", {**values, "child": child_id}))
                break
        return problems

    def apply(self, unit: Unit, now: str) -> list[dict[str, Any]]:
        """The stored documents this upsert changes (the unit, then descendants whose path moved); [] if none.

        Call `check` first; nothing here mutates the tree: `commit` each document once it is stored.
        """
        doc = unit.model_dump(mode="json")
        doc["path"] = self._path_of(unit.unit_id, unit.level, unit.parent_id, {})
        doc["content_hash"] = unit_hash(doc)
        current = self._docs.get(unit.unit_id)
        if current is not None and current.get("content_hash") == doc["content_hash"]:
            return []
        doc["changed_at"] = now
        doc["revision"] = (current or {}).get("revision", 0) + 1
        changed = [doc]
        moved = {unit.unit_id: doc["path"]}
        queue = sorted(self._children.get(unit.unit_id, ()))
        while queue:
            child_id = queue.pop(0)
            child = self._docs[child_id]
            path = self._path_of(child_id, Level(child["level"]), child.get("parent_id"), moved)
            if path != child["path"]:
                moved_doc = {**child, "path": path, "changed_at": now, "revision": child.get("revision", 0) + 1}
                moved_doc["content_hash"] = unit_hash(moved_doc)
                changed.append(moved_doc)
                moved[child_id] = path
                queue.extend(sorted(self._children.get(child_id, ())))
        return changed

    def _path_of(self, unit_id: str, level: Level, parent_id: str | None, moved: dict[str, str]) -> str:
        if level == Level.province or not parent_id:
            return ""
        parent_path = moved.get(parent_id)
        if parent_path is None:
            parent = self._docs.get(parent_id)
            parent_path = parent["path"] if parent else ""
        return f"{parent_path}.{unit_id}" if parent_path else unit_id

    def forget(self, unit_id: str) -> None:
        """Take back a unit committed but never stored (a batch whose write failed)."""
        old = self._docs.pop(unit_id, None)
        self._views.pop(unit_id, None)
        if old is not None and old.get("parent_id"):
            self._children.get(old["parent_id"], set()).discard(unit_id)

    def commit(self, doc: dict[str, Any]) -> None:
        doc = {k: v for k, v in doc.items() if k not in ("_id", "published")}
        unit_id = doc["unit_id"]
        old = self._docs.get(unit_id)
        if old is not None and old.get("parent_id"):
            self._children.get(old["parent_id"], set()).discard(unit_id)
        self._docs[unit_id] = doc
        self._views[unit_id] = view(doc)
        if doc.get("parent_id"):
            self._children.setdefault(doc["parent_id"], set()).add(unit_id)
