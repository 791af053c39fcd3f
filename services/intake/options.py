"""Intake's own settings (additions CONTRACT section 7 allows), read from the environment."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.gctune import THRESHOLDS


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class IntakeOptions(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    # Submissions are fetched `fetch_batch` at a time, a whole fetch handled at once, `fetches_in_flight` overlapping.
    fetch_batch: int = Field(256, ge=1, le=1024, validation_alias=_env("MIDTERM_INTAKE_FETCH"))
    fetches_in_flight: int = Field(3, ge=1, le=16, validation_alias=_env("MIDTERM_INTAKE_FETCHES"))
    write_batch: int = Field(512, ge=1, le=5000, validation_alias=_env("MIDTERM_INTAKE_WRITE_BATCH"))
    write_wait_ms: float = Field(3, ge=0, le=1000, validation_alias=_env("MIDTERM_INTAKE_WRITE_WAIT_MS"))
    # The collector's thresholds after start-up (shared.gctune: every service's, unless this overrides them).
    gc_thresholds: tuple[int, int, int] = Field(THRESHOLDS, validation_alias=_env("MIDTERM_INTAKE_GC"))
    # A return without `resubmit_by` gives the unit this many days from the decision (CONTRACT section 10).
    resubmit_days: float = Field(7, gt=0, le=365, validation_alias=_env("MIDTERM_RESUBMIT_DAYS"))
    # The audit reads at most this many messages per pass from the stream (its bound on work per query).
    audit_max_scan: int = Field(50_000, ge=100, le=5_000_000, validation_alias=_env("MIDTERM_AUDIT_MAX_SCAN"))
    # Fault injection for the crash tests: `exit_after_write` ends the process after the first stored batch,
    # before any event or ack. Never set in production.
    fault: str = Field("", validation_alias=_env("MIDTERM_INTAKE_FAULT"))
