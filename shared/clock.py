"""The one clock. Nothing else reads the system time: `manual` lets a test play months in seconds."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    manual = False

    def now(self) -> datetime:
        return datetime.now(UTC).astimezone(VIETNAM)


class ManualClock:
    """Time stands still until `set` moves it. It never runs backwards by accident: `set` allows it, on purpose."""

    manual = True

    def __init__(self, start: datetime | None = None) -> None:
        self._now = aware(start) if start else datetime(2023, 1, 1, tzinfo=VIETNAM)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> datetime:
        self._now = aware(when)
        return self._now


def aware(when: datetime) -> datetime:
    """Naive times are Vietnam time (the plan's zone); aware ones are shown in Vietnam time."""
    if when.tzinfo is None:
        return when.replace(tzinfo=VIETNAM)
    return when.astimezone(VIETNAM)


def make_clock(kind: str, start: datetime | None = None) -> SystemClock | ManualClock:
    return ManualClock(start) if kind == "manual" else SystemClock()


def iso(when: datetime) -> str:
    return aware(when).isoformat()


def local_date(when: datetime) -> str:
    """`15/05/2023`, the way Party offices write a date."""
    return aware(when).strftime("%d/%m/%Y")
