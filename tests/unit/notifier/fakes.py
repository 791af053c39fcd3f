"""Hand-written fakes of the notifier's ports, for the unit tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from services.notifier.domain.compose import Composer
from services.notifier.domain.digest import DigestState
from services.notifier.domain.mail import Mail, Person
from services.notifier.domain.retry import Outcome
from services.notifier.domain.templates import Templates, letterhead
from services.notifier.domain.units import UnitView
from services.notifier.ports import FAILED, PENDING, SENDING, SENT, Entry
from shared.clock import VIETNAM, ManualClock
from shared.plan import load_plan
from shared.settings import BUNDLED_PLAN

OFFICE = "vanphong@tinhuy.example.vn"
EDITORS = ["bientap1@tinhuy.example.vn", "bientap2@tinhuy.example.vn"]

PHU_LOC = UnitView(
    "TP-XPL", "Đảng bộ xã Phú Lộc", "grassroots", "TP.TP-XPL",
    contacts=(Person("Văn phòng Đảng ủy xã Phú Lộc", "vanphong.xaphuloc@example.vn"),
              Person("Bí thư Đảng ủy", "bithu.xaphuloc@example.vn")),
    supervisors=(Person("Phạm Thị Lan, Ủy viên Ban Thường vụ Huyện ủy", "ptlan@tanphu.example.vn"),),
)


def composer(office: str | None = OFFICE, editors: Sequence[str] = tuple(EDITORS)) -> Composer:
    plan = load_plan(BUNDLED_PLAN)
    return Composer(Templates(), letterhead(), plan.reference or plan.title, plan.report_name, office, list(editors))


def clock(at: str = "2023-05-18T09:00:00+07:00") -> ManualClock:
    return ManualClock(datetime.fromisoformat(at).astimezone(VIETNAM))


class FakeOutbox:
    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        self.due_ts: dict[str, int] = {}
        self.fail_mark_sent: BaseException | None = None

    async def add(self, mails: Sequence[Mail], due_ms: int) -> int:
        new = [m for m in mails if m.id not in self.entries]
        for mail in new:
            self.entries[mail.id] = Entry(mail)
            self.due_ts[mail.id] = due_ms
        return len(new)

    async def add_leased(self, mails: Sequence[Mail], now_ms: int, lease_until_ms: int) -> set[str]:
        new = [m for m in mails if m.id not in self.entries]
        for mail in new:
            self.entries[mail.id] = Entry(mail, SENDING, 1)
            self.due_ts[mail.id] = lease_until_ms
        return {m.id for m in new}

    async def due(self, now_ms: int, limit: int) -> list[Entry]:
        ids = sorted((t, i) for i, t in self.due_ts.items() if t <= now_ms)[:limit]
        return [self.entries[i] for _, i in ids]

    async def claim(self, ids: Sequence[str], now_ms: int, lease_until_ms: int) -> set[str]:
        claimed = {i for i in ids if self.due_ts.get(i, now_ms + 1) <= now_ms}
        for i in claimed:
            self.entries[i] = self.entries[i].tried()
            self.due_ts[i] = lease_until_ms
        return claimed

    async def hold(self, ids: Sequence[str], until_ms: int) -> None:
        for i in ids:
            self.due_ts[i] = until_ms

    def _settle(self, entry_id: str, entry: Entry, announce_ms: int | None) -> None:
        self.entries[entry_id] = entry
        if announce_ms is None:
            self.due_ts.pop(entry_id, None)
        else:
            self.due_ts[entry_id] = announce_ms

    async def mark_sent(self, entry_id: str, sent_at: str, announce_ms: int | None) -> None:
        if self.fail_mark_sent is not None:
            raise self.fail_mark_sent
        self._settle(entry_id, replace(self.entries[entry_id], state=SENT, sent_at=sent_at), announce_ms)

    async def reschedule(self, entry_id: str, due_ms: int, reason: str) -> None:
        self.entries[entry_id] = replace(self.entries[entry_id], state=PENDING, reason=reason)
        self.due_ts[entry_id] = due_ms

    async def mark_failed(self, entry_id: str, failed_at: str, reason: str, announce_ms: int | None) -> None:
        entry = replace(self.entries[entry_id], state=FAILED, failed_at=failed_at, reason=reason)
        self._settle(entry_id, entry, announce_ms)

    async def announced(self, ids: Sequence[str]) -> None:
        for i in ids:
            self.due_ts.pop(i, None)

    async def resume(self, now_ms: int) -> int:
        stuck = [i for i, e in self.entries.items() if e.state == SENDING]
        for i in stuck:
            self.due_ts[i] = now_ms
        return len(stuck)

    def states(self) -> dict[str, str]:
        return {i: e.state for i, e in self.entries.items()}


class FakeRelay:
    """Answers from a script per recipient (a list consumed in order), else 250."""

    def __init__(self, script: dict[str, list[Outcome]] | None = None) -> None:
        self.script = script or {}
        self.sent: list[Mail] = []
        self.tries: list[str] = []

    async def send(self, mail: Mail) -> Outcome:
        self.tries.append(mail.recipient)
        planned = self.script.get(mail.recipient)
        outcome = planned.pop(0) if planned else Outcome.sent()
        if outcome == Outcome.sent():
            self.sent.append(mail)
        return outcome

    async def close(self) -> None:
        return None


class FakeAnnouncer:
    def __init__(self) -> None:
        self.sent_events: list[tuple[str, str]] = []
        self.failed_events: list[tuple[str, str, str]] = []
        self.down = False

    async def sent(self, entry: Entry, sent_at: str) -> None:
        if self.down:
            raise ConnectionError("nats down")
        self.sent_events.append((entry.id, sent_at))

    async def failed(self, entry: Entry, reason: str, failed_at: str) -> None:
        if self.down:
            raise ConnectionError("nats down")
        self.failed_events.append((entry.id, reason, failed_at))


class FakeUnits:
    def __init__(self, *units: UnitView) -> None:
        self.units = {u.unit_id: u for u in units}

    async def get(self, unit_id: str) -> UnitView | None:
        return self.units.get(unit_id)

    async def put(self, unit: UnitView) -> None:
        self.units[unit.unit_id] = unit


class FakeDigests:
    def __init__(self) -> None:
        self.states: dict[str, DigestState] = {}
        self.due_ts: dict[str, int] = {}

    async def get(self, scope: str) -> DigestState | None:
        return self.states.get(scope)

    async def put(self, state: DigestState, due_ms: int | None) -> None:
        self.states[state.scope] = state
        if due_ms is None:
            self.due_ts.pop(state.scope, None)
        else:
            self.due_ts[state.scope] = due_ms

    async def due(self, now_ms: int) -> list[DigestState]:
        return [self.states[s] for s, t in self.due_ts.items() if t <= now_ms]


class FakePublisher:
    def __init__(self) -> None:
        self.events: list[Any] = []

    async def publish(self, event: Any) -> None:
        self.events.append(event)


class FakeLog:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str, dict[str, Any]]] = []

    def __getattr__(self, level: str) -> Any:
        def record(event: str, **fields: Any) -> None:
            self.lines.append((level, event, fields))
        return record

    def events(self, name: str) -> list[dict[str, Any]]:
        return [f for _, e, f in self.lines if e == name]


class FakeWall:
    """Mechanical time for retry timing, moved by hand."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now
