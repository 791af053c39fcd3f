"""Review by the level above (CONTRACT section 10): which decision may follow which, and whether an
obligation takes a new version.

The standing of an obligation is its last decision: the version it was about, the state it left, and how
many decisions came before (the sequence number that keeps two writers from both taking the same turn).
A decision is about the latest version only. The states and what each decision does:

| state now  | accept   | return   | reopen   |
|------------|----------|----------|----------|
| open       | locked   | returned | refused  |
| returned   | refused  | refused  | refused  |
| locked     | refused  | refused  | open     |

`open`: the latest version awaits review (no decision yet, a reopen, or a new version after a return).
`returned`: sent back; only a new version moves it (back to `open`). Accepting or returning it again, or
reopening it, is refused: the unit has been told to correct it, and the deadline service already counts it
as `returned` with a new deadline. `locked`: accepted; a new version is refused with `locked` until a reopen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from services.intake.domain.problems import INVALID_TRANSITION, NOT_LATEST
from shared.contract.office import DecisionKind


class State(StrEnum):
    OPEN = "open"
    RETURNED = "returned"
    LOCKED = "locked"


TRANSITIONS: dict[tuple[State, DecisionKind], State] = {
    (State.OPEN, DecisionKind.accept): State.LOCKED,
    (State.OPEN, DecisionKind.return_): State.RETURNED,
    (State.LOCKED, DecisionKind.reopen): State.OPEN,
}


@dataclass(frozen=True)
class Standing:
    version: int  # the version the last decision was about
    state: State  # the state it left
    seq: int  # decisions taken on this obligation, this one included


@dataclass(frozen=True)
class Ruling:
    standing: Standing | None = None
    code: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


def current(standing: Standing | None, latest_version: int) -> State:
    """A version newer than the last decision is open: a correction after a return awaits review again."""
    if standing is None or standing.version < latest_version:
        return State.OPEN
    return standing.state


def is_locked(standing: Standing | None, latest_version: int) -> bool:
    return current(standing, latest_version) is State.LOCKED


def judge(kind: DecisionKind, version: int, latest_version: int, standing: Standing | None) -> Ruling:
    if version != latest_version:
        return Ruling(code=NOT_LATEST, params={"version": version, "latest": latest_version})
    state = current(standing, latest_version)
    after = TRANSITIONS.get((state, kind))
    if after is None:
        return Ruling(code=INVALID_TRANSITION, params={"decision": kind.value, "state": state.value})
    return Ruling(Standing(version, after, (standing.seq if standing else 0) + 1))


def standings(docs: list[dict[str, Any]]) -> dict[str, Standing]:
    """Each obligation's standing from its stored decisions (`obligation`, `version`, `state`, `seq`)."""
    found: dict[str, Standing] = {}
    for doc in docs:
        mine = Standing(int(doc["version"]), State(doc["state"]), int(doc["seq"]))
        known = found.get(doc["obligation"])
        if known is None or mine.seq > known.seq:
            found[doc["obligation"]] = mine
    return found


def resubmit_deadline(kind: DecisionKind, given: datetime | None, decided_at: datetime,
                      default: timedelta) -> tuple[datetime | None, str | None]:
    """The new deadline a return sets (given, or `default` after the decision), or why `resubmit_by` is wrong:
    `resubmit_only_for_return` on an accept or a reopen, `resubmit_not_after` for one not after the decision."""
    if kind is not DecisionKind.return_:
        return None, "resubmit_only_for_return" if given is not None else None
    if given is None:
        return decided_at + default, None
    if given <= decided_at:
        return None, "resubmit_not_after"
    return given, None
