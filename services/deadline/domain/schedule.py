"""When each deadline event of an obligation is owed.

For a deadline D with the plan's `reminders_before` [b1, b2, ...] and `escalate_after` [a1, a2, ...]:
- reminder `b` is owed from D - b until D (a moment missed while the service was down is still sent,
  never once the deadline has passed);
- the overdue notice is owed from D on;
- escalation level i is owed from D + a_i on;
all of them only while the obligation is neither submitted nor exempt (nor removed), and each once:
a key already published (`Obligation.sent`) is not owed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Literal

from services.deadline.domain.obligations import Obligation
from shared.contract.deadlines import escalated_key, overdue_key, reminder_key
from shared.plan import Plan, duration

Kind = Literal["reminder", "overdue", "escalation"]

NEVER = 9_999_999_999_999  # epoch ms in the year 2286: "nothing owed", kept indexable


@dataclass(frozen=True)
class DueEvent:
    kind: Kind
    key: str
    moment: datetime
    closes: datetime | None = None  # reminders are not sent from their deadline on
    before: str | None = None
    after: str | None = None
    level: int | None = None


def schedule(ob: Obligation, plan: Plan) -> list[DueEvent]:
    """Every deadline event of the obligation's current round, in no particular order."""
    due, unit, kind, rnd = ob.due_at, ob.unit_id, ob.report_type, ob.round
    events = [
        DueEvent("reminder", reminder_key(unit, kind, text, rnd), due - offset, closes=due, before=text)
        for text, offset in _offsets(tuple(plan.reminders_before))
    ]
    events.append(DueEvent("overdue", overdue_key(unit, kind, rnd), due))
    events += [
        DueEvent("escalation", escalated_key(unit, kind, level, rnd), due + offset, after=text, level=level)
        for level, (text, offset) in enumerate(_offsets(tuple(plan.escalate_after)), start=1)
    ]
    return events


@cache
def _offsets(texts: tuple[str, ...]) -> tuple[tuple[str, timedelta], ...]:
    """The plan's durations, parsed once (a national sweep asks for them twice per obligation)."""
    return tuple((text, duration(text)) for text in texts)


def owed(ob: Obligation, plan: Plan, now: datetime) -> list[DueEvent]:
    """The events to publish now: moment reached, window still open, not published before."""
    if not ob.owes_events:
        return []
    return [
        e for e in schedule(ob, plan)
        if e.moment <= now and (e.closes is None or now < e.closes) and e.key not in ob.sent
    ]


def next_check(ob: Obligation, plan: Plan, after: datetime | None = None) -> int:
    """Epoch ms of the next moment a sweep must look at this obligation (`NEVER` when nothing can be owed).

    Without `after` (a registry or submission change): the earliest unpublished moment, even a past one, so
    the next sweep catches up. With `after` (a sweep at that time has just handled everything up to it):
    the earliest unpublished moment later than that.
    """
    if not ob.owes_events:
        return NEVER
    moments = [
        e.moment for e in schedule(ob, plan)
        if e.key not in ob.sent and (after is None or e.moment > after)
    ]
    return epoch_ms(min(moments)) if moments else NEVER


def epoch_ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)
