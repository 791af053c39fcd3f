"""Versions of an obligation's report (CONTRACT section 2): a repeated id with the same content is a no-op,
with other content a `duplicate_submission_id`; a new id for a submitted obligation is the next version;
whether the obligation was met on time is decided by its first version."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from functools import lru_cache
from typing import Any

from shared.contract.submissions import Submission


def content_hash(submission: Submission, dumped: str | None = None) -> str:
    """`dumped`: the submission's `model_dump_json()`, when the caller has it already.

    pydantic's serialiser writes fields in model order: the same content always gives the same bytes."""
    return hashlib.sha256((dumped if dumped is not None else submission.model_dump_json()).encode()).hexdigest()


def obligation_key(unit_id: str, report_type: str) -> str:
    return f"{unit_id}:{report_type}"


def version_key(obligation: str, version: int) -> str:
    """One indexed, unique field: two writers can never both store version N of one obligation."""
    return f"{obligation}:{version}"


@dataclass(frozen=True)
class Stored:
    """An earlier submission with the same id."""

    content_hash: str
    published: bool
    doc: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ObligationState:
    version: int
    on_time: bool


@lru_cache(maxsize=1024)
def obligation_state(version: int, on_time: bool) -> ObligationState:
    """Shared: one is kept per obligation of the campaign, and they hold a handful of distinct values."""
    return ObligationState(version, on_time)


class Kind(Enum):
    NEW = "new"            # store as `version`, publish accepted
    REPEAT = "repeat"      # same id, same content: no-op (publish only if the first attempt did not)
    CONFLICT = "conflict"  # same id, other content: duplicate_submission_id


@dataclass(frozen=True)
class Decision:
    kind: Kind
    version: int = 0
    on_time: bool = False
    stored: Stored | None = None


def decide(hash_: str, stored: Stored | None, state: ObligationState | None,
           received_at: datetime, due_at: datetime) -> Decision:
    if stored is not None:
        kind = Kind.REPEAT if stored.content_hash == hash_ else Kind.CONFLICT
        return Decision(kind, stored=stored)
    if state is None:
        return Decision(Kind.NEW, version=1, on_time=received_at < due_at)
    return Decision(Kind.NEW, version=state.version + 1, on_time=state.on_time)


def state_of(docs: list[dict[str, Any]]) -> ObligationState | None:
    """The state of one obligation from its stored versions."""
    if not docs:
        return None
    first = min(docs, key=lambda d: d["version"])
    return obligation_state(max(d["version"] for d in docs), bool(first["on_time"]))
