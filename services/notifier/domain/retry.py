"""What to do after one SMTP attempt: a passing failure (4xx, relay unreachable) waits with the doubling back-off
and is tried again up to a bound; a permanent one (5xx) fails at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Result(StrEnum):
    sent = "sent"
    transient = "transient"
    permanent = "permanent"


@dataclass(frozen=True)
class Outcome:
    result: Result
    reason: str = ""
    code: int | None = None

    @classmethod
    def sent(cls) -> Outcome:
        return cls(Result.sent)

    @classmethod
    def of_reply(cls, code: int, message: str) -> Outcome:
        """An SMTP reply: 5xx is permanent, anything else that is not a success is worth another try."""
        result = Result.permanent if 500 <= code < 600 else Result.transient
        return cls(result, f"{code} {message}".strip()[:300], code)

    @classmethod
    def unreachable(cls, reason: str) -> Outcome:
        return cls(Result.transient, reason[:300])


class Action(StrEnum):
    done = "done"
    retry = "retry"
    fail = "fail"


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str = ""
    delay: float = 0.0


def decide(outcome: Outcome, attempts: int, max_attempts: int, delay: Callable[[int], float]) -> Decision:
    """`attempts` counts the attempt just made (from 1)."""
    if outcome.result is Result.sent:
        return Decision(Action.done)
    if outcome.result is Result.permanent:
        return Decision(Action.fail, outcome.reason)
    if attempts >= max_attempts:
        return Decision(Action.fail, f"gave up after {attempts} attempts: {outcome.reason}")
    return Decision(Action.retry, outcome.reason, delay(attempts))
