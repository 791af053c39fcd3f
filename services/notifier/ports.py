"""What the use cases need from the outside world; the adapters implement these, the unit tests fake them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from services.notifier.domain.digest import DigestState
from services.notifier.domain.mail import Mail
from services.notifier.domain.retry import Outcome
from services.notifier.domain.units import UnitView

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


@dataclass(frozen=True)
class Entry:
    """An outbox entry: the mail, and where its delivery stands."""

    mail: Mail
    state: str = PENDING
    attempts: int = 0
    reason: str | None = None
    sent_at: str | None = None
    failed_at: str | None = None

    @property
    def id(self) -> str:
        return self.mail.id

    def tried(self) -> Entry:
        return replace(self, state=SENDING, attempts=self.attempts + 1)


class Outbox(Protocol):
    async def add(self, mails: Sequence[Mail], due_ms: int) -> int: ...
    async def add_leased(self, mails: Sequence[Mail], now_ms: int, lease_until_ms: int) -> set[str]: ...
    async def due(self, now_ms: int, limit: int) -> list[Entry]: ...
    async def claim(self, ids: Sequence[str], now_ms: int, lease_until_ms: int) -> set[str]: ...
    async def hold(self, ids: Sequence[str], until_ms: int) -> None: ...
    async def mark_sent(self, entry_id: str, sent_at: str, announce_ms: int | None) -> None: ...
    async def reschedule(self, entry_id: str, due_ms: int, reason: str) -> None: ...
    async def mark_failed(self, entry_id: str, failed_at: str, reason: str, announce_ms: int | None) -> None: ...
    async def announced(self, ids: Sequence[str]) -> None: ...
    async def resume(self, now_ms: int) -> int: ...


class Handoff(Protocol):
    """The sender, as the handlers see it: mails just written go to it leased, or it is told to look."""

    def lease_until(self) -> int | None: ...
    async def room(self, timeout: float) -> None: ...
    def take(self, mails: Sequence[Mail]) -> None: ...
    def wake(self) -> None: ...


class NoHandoff:
    """No sender in this process: entries are written due, for whichever sender polls."""

    def lease_until(self) -> int | None:
        return None

    async def room(self, timeout: float) -> None:
        return None

    def take(self, mails: Sequence[Mail]) -> None:
        return None

    def wake(self) -> None:
        return None


class Relay(Protocol):
    async def send(self, mail: Mail) -> Outcome: ...
    async def close(self) -> None: ...


class Announcer(Protocol):
    """Publishes `review.notifications.sent|failed` (and the dead letter); raises if the broker is unreachable."""

    async def sent(self, entry: Entry, sent_at: str) -> None: ...
    async def failed(self, entry: Entry, reason: str, failed_at: str) -> None: ...


class Units(Protocol):
    async def get(self, unit_id: str) -> UnitView | None: ...
    async def put(self, unit: UnitView) -> None: ...


class Digests(Protocol):
    async def get(self, scope: str) -> DigestState | None: ...
    async def put(self, state: DigestState, due_ms: int | None) -> None: ...
    async def due(self, now_ms: int) -> list[DigestState]: ...
