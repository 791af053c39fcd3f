"""What one sweep owes: per due event one action (its key, the messages it publishes), and where each
obligation's next check moves once its actions are published."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from services.deadline.domain.messages import Outgoing, deadline_event, obligation_changed
from services.deadline.domain.obligations import Obligation, status_of
from services.deadline.domain.schedule import Kind, next_check, owed
from shared.plan import Plan


@dataclass(frozen=True)
class Action:
    """One deadline event, published once per key. An overdue notice also announces the status change."""

    key: str
    kind: Kind
    obligation_id: str
    messages: tuple[Outgoing, ...]


@dataclass
class SweepPlan:
    actions: list[Action] = field(default_factory=list)
    next_ts: dict[str, int] = field(default_factory=dict)
    rounds: dict[str, int] = field(default_factory=dict)  # the round each obligation was planned in

    def keys_of(self, obligation_id: str) -> list[str]:
        return [a.key for a in self.actions if a.obligation_id == obligation_id]


def plan_sweep(obligations: Iterable[Obligation], plan: Plan, now: datetime) -> SweepPlan:
    result = SweepPlan()
    for ob in obligations:
        for due in owed(ob, plan, now):
            messages = [deadline_event(ob, due)]
            # A returned obligation stays `returned` past its new deadline: its status does not change.
            if due.kind == "overdue" and not ob.overdue_announced and status_of(ob, now) == "overdue":
                messages.append(obligation_changed(ob, now))
            result.actions.append(Action(due.key, due.kind, ob.id, tuple(messages)))
        result.next_ts[ob.id] = next_check(ob, plan, after=now)
        result.rounds[ob.id] = ob.round
    return result


def tally(kinds: Iterable[Kind]) -> dict[str, int]:
    """The sweep reply: what this sweep published, by kind."""
    counted = Counter(kinds)
    return {"reminders": counted["reminder"], "overdue": counted["overdue"], "escalations": counted["escalation"]}
