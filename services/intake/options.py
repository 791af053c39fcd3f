"""Intake's own settings (additions CONTRACT section 7 allows), read from the environment."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class IntakeOptions(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    workers: int = Field(256, ge=1, le=1024, validation_alias=_env("MIDTERM_INTAKE_WORKERS"))
    fetch_batch: int = Field(128, ge=1, le=1024, validation_alias=_env("MIDTERM_INTAKE_FETCH"))
    write_batch: int = Field(512, ge=1, le=5000, validation_alias=_env("MIDTERM_INTAKE_WRITE_BATCH"))
    write_wait_ms: float = Field(3, ge=0, le=1000, validation_alias=_env("MIDTERM_INTAKE_WRITE_WAIT_MS"))
    # Fault injection for the crash tests: `exit_after_write` ends the process after the first stored batch,
    # before any event or ack. Never set in production.
    fault: str = Field("", validation_alias=_env("MIDTERM_INTAKE_FAULT"))
