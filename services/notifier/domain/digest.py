"""Draft digests for the Editorial Team: at most one mail per scope per window (`digest_seconds`).

The first update after a quiet window is mailed at once; later updates inside the window wait, and at the
window's end the latest of them is mailed and opens the next window. The mail's key names the version
(`digest:<scope>:<version>`), so a redelivery or a rerun after a crash writes the same outbox entry again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta


@dataclass(frozen=True)
class DigestState:
    scope: str
    window_start: datetime
    mailed_version: int
    mailed_updated_at: datetime | None = None
    waiting_version: int | None = None  # an update inside the window, mailed when it closes
    waiting_updated_at: datetime | None = None

    def window_end(self, window: timedelta) -> datetime:
        return self.window_start + window


@dataclass(frozen=True)
class DigestStep:
    state: DigestState
    mail_version: int | None  # the version to mail now, if any

    @property
    def mail_updated_at(self) -> datetime | None:
        return self.state.mailed_updated_at


def digest_key(scope: str, version: int) -> str:
    return f"digest:{scope}:{version}"


def on_update(state: DigestState | None, scope: str, version: int, updated_at: datetime, now: datetime,
              window: timedelta) -> DigestStep:
    if state is None:
        return DigestStep(DigestState(scope, now, version, updated_at), version)
    if version == state.mailed_version:  # a redelivery of what was mailed: rewrite the same entry
        return DigestStep(state, version)
    if version < state.mailed_version or (state.waiting_version or 0) >= version:
        return DigestStep(state, None)
    if now >= state.window_end(window):
        return DigestStep(DigestState(scope, now, version, updated_at), version)
    return DigestStep(replace(state, waiting_version=version, waiting_updated_at=updated_at), None)


def on_tick(state: DigestState, now: datetime, window: timedelta) -> DigestStep:
    """At the window's end the waiting version is mailed; the next window starts where this one ended."""
    if state.waiting_version is None or now < state.window_end(window):
        return DigestStep(state, None)
    version = state.waiting_version
    opened = DigestState(state.scope, state.window_end(window), version, state.waiting_updated_at)
    return DigestStep(opened, version)
