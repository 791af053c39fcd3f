"""The organisation tree: which upserts fit (CONTRACT section 1), the path of every unit, and what changes
when a unit moves. Intake owns the registry, so what it keeps is never stale; but it keeps only what checking
and paths need, and what a submission needs to know of its unit (`UnitView`): a national registry's whole
documents (contacts, supervisors) took ~1.5 KB a unit. The documents are read back from the database only
when a move republishes descendants (`needs`, then `apply` with them)."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from services.intake.domain.problems import (
    CHILDREN_MISMATCH,
    DUPLICATE_ROOT,
    UNKNOWN_PARENT,
    WRONG_PARENT_LEVEL,
    Problem,
)
from shared.contract.units import PARENT_LEVEL, Level, Unit

_BOOKKEEPING = ("changed_at", "content_hash", "published", "_id", "revision")
# What the tree keeps of a stored document (a projection of the units collection reads only these).
KEPT_FIELDS = ("unit_id", "name", "level", "parent_id", "founded_on", "roles", "active", "path", "content_hash",
               "revision")


@dataclass(frozen=True, slots=True)
class UnitView:
    """What a submission needs to know about its unit."""

    unit_id: str
    name: str
    level: str
    roles: tuple[str, ...]
    founded_on: date | None
    active: bool
    path: str


@dataclass(frozen=True, slots=True)
class Node:
    """What the tree keeps of one stored unit. `content_hash` as its 32 bytes (the hex text, if it is not one)."""

    view: UnitView
    parent_id: str | None
    content_hash: bytes | str | None
    revision: int


class MissingDocument(LookupError):
    """`apply` was not given the stored document of a descendant it moves."""


def unit_hash(doc: dict[str, Any]) -> str:
    body = {k: v for k, v in doc.items() if k not in _BOOKKEEPING}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def view(doc: dict[str, Any]) -> UnitView:
    return UnitView(
        unit_id=doc["unit_id"], name=doc["name"], level=sys.intern(doc["level"]), roles=_roles(doc.get("roles")),
        founded_on=_date(doc.get("founded_on")), active=bool(doc.get("active", True)), path=doc["path"],
    )


@lru_cache(maxsize=4096)
def _date(text: str | None) -> date | None:
    """One object per founding date (most units of a registry share a handful)."""
    return date.fromisoformat(text) if text else None


def _roles(roles: Iterable[str] | None) -> tuple[str, ...]:
    return tuple(sys.intern(r) for r in roles) if roles else ()


def _compact_hash(value: str | None) -> bytes | str | None:
    if isinstance(value, str) and len(value) == 64:
        try:
            return bytes.fromhex(value)
        except ValueError:
            pass
    return value


class UnitTree:
    """Stored units (`UnitChanged` JSON dicts with `path`, `changed_at` and `content_hash`), kept as `Node`s."""

    def __init__(self, docs: Iterable[dict[str, Any]] = ()) -> None:
        self._nodes: dict[str, Node] = {}
        self._children: dict[str, set[str]] = {}
        self._provinces: dict[str, None] = {}  # in the order they came: the first is the root
        for doc in docs:
            self.commit(doc)

    def __len__(self) -> int:
        return len(self._nodes)

    def view(self, unit_id: str) -> UnitView | None:
        node = self._nodes.get(unit_id)
        return node.view if node is not None else None

    def node(self, unit_id: str) -> Node | None:
        return self._nodes.get(unit_id)

    def root(self) -> UnitView | None:
        return next((self._nodes[u].view for u in self._provinces), None)

    def check(self, unit: Unit) -> list[Problem]:
        problems: list[Problem] = []
        values = {"value": unit.unit_id, "level": unit.level.value, "parent": unit.parent_id or ""}
        if unit.level == Level.province:
            root = self.root()
            if unit.parent_id is not None:
                problems.append(Problem(WRONG_PARENT_LEVEL, "parent_id", values))
            if root is not None and root.unit_id != unit.unit_id:
                problems.append(Problem(DUPLICATE_ROOT, "level", {**values, "root": root.unit_id}))
        else:
            parent = self.view(unit.parent_id) if unit.parent_id and unit.parent_id != unit.unit_id else None
            if parent is None:
                problems.append(Problem(UNKNOWN_PARENT, "parent_id", values))
            elif parent.level != PARENT_LEVEL[unit.level]:
                problems.append(Problem(WRONG_PARENT_LEVEL, "parent_id",
                                        {**values, "parent_level": parent.level}))
        for child_id in sorted(self._children.get(unit.unit_id, ())):
            child = self._nodes[child_id].view
            if PARENT_LEVEL.get(Level(child.level)) != unit.level:
                problems.append(Problem(CHILDREN_MISMATCH, "level", {**values, "child": child_id}))
                break
        return problems

    def needs(self, unit: Unit) -> list[str]:
        """The descendants whose stored documents `apply` needs for this upsert: those whose path it changes
        (none unless the unit moves)."""
        return [child_id for child_id, _ in self._moves(unit.unit_id, self._path_of(unit.unit_id, unit.level, unit.parent_id, {}))]

    def apply(self, unit: Unit, now: str, descendants: Mapping[str, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        """The stored documents this upsert changes (the unit, then descendants whose path moved); [] if none.

        `descendants`: the stored documents of the ids `needs` named (`MissingDocument` if one is not there).
        Call `check` first; nothing here mutates the tree: `commit` each document once it is stored.
        """
        doc = unit.model_dump(mode="json")
        doc["path"] = self._path_of(unit.unit_id, unit.level, unit.parent_id, {})
        doc["content_hash"] = unit_hash(doc)
        current = self._nodes.get(unit.unit_id)
        if current is not None and current.content_hash == _compact_hash(doc["content_hash"]):
            return []
        doc["changed_at"] = now
        doc["revision"] = (current.revision if current else 0) + 1
        changed = [doc]
        for child_id, path in self._moves(unit.unit_id, doc["path"]):
            stored = (descendants or {}).get(child_id)
            if stored is None:
                raise MissingDocument(child_id)
            moved_doc = {k: v for k, v in stored.items() if k not in ("_id", "published")}
            moved_doc.update(path=path, changed_at=now, revision=self._nodes[child_id].revision + 1)
            moved_doc["content_hash"] = unit_hash(moved_doc)
            changed.append(moved_doc)
        return changed

    def _moves(self, unit_id: str, path: str) -> list[tuple[str, str]]:
        """(descendant, its new path) for every descendant whose path changes if `unit_id` gets `path`, parents
        first."""
        found: list[tuple[str, str]] = []
        moved = {unit_id: path}
        queue = sorted(self._children.get(unit_id, ()))
        while queue:
            child_id = queue.pop(0)
            node = self._nodes[child_id]
            new_path = self._path_of(child_id, Level(node.view.level), node.parent_id, moved)
            if new_path != node.view.path:
                found.append((child_id, new_path))
                moved[child_id] = new_path
                queue.extend(sorted(self._children.get(child_id, ())))
        return found

    def _path_of(self, unit_id: str, level: Level, parent_id: str | None, moved: dict[str, str]) -> str:
        if level == Level.province or not parent_id:
            return ""
        parent_path = moved.get(parent_id)
        if parent_path is None:
            parent = self._nodes.get(parent_id)
            parent_path = parent.view.path if parent else ""
        return f"{parent_path}.{unit_id}" if parent_path else unit_id

    def forget(self, unit_id: str) -> None:
        """Take back a unit committed but never stored (a batch whose write failed)."""
        self.restore(unit_id, None)

    def restore(self, unit_id: str, node: Node | None) -> None:
        """Put back what `node(unit_id)` gave before a batch (None: the unit was not there)."""
        old = self._nodes.pop(unit_id, None)
        if old is not None and old.parent_id:
            self._children.get(old.parent_id, set()).discard(unit_id)
        if node is None or node.view.level != Level.province:
            self._provinces.pop(unit_id, None)
        else:
            self._provinces.setdefault(unit_id, None)
        if node is None:
            return
        self._nodes[unit_id] = node
        if node.parent_id:
            self._children.setdefault(node.parent_id, set()).add(unit_id)

    def commit(self, doc: dict[str, Any]) -> None:
        """Keep what the tree needs of a stored document (any extra fields are left out)."""
        unit_view = view(doc)
        parent_id = doc.get("parent_id") or None
        if parent_id is not None:  # the parent's own id object, rather than one more copy of it
            parent = self._nodes.get(parent_id)
            parent_id = parent.view.unit_id if parent is not None else sys.intern(parent_id)
        node = Node(unit_view, parent_id, _compact_hash(doc.get("content_hash")), int(doc.get("revision") or 0))
        self.restore(unit_view.unit_id, node)
