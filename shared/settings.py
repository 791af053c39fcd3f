"""Settings from the environment, names as CONTRACT section 7 binds them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

BUNDLED_PLAN = Path(__file__).resolve().parent.parent / "plans" / "so-ket-2020-2025.yaml"


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    nats_url: str = Field("nats://127.0.0.1:4222", validation_alias=_env("NATS_URL"))
    mongodb_uri: str = Field("mongodb://127.0.0.1:27017/midterm", validation_alias=_env("MONGODB_URI"))
    plan_path: Path = Field(BUNDLED_PLAN, validation_alias=_env("MIDTERM_PLAN"))
    clock: Literal["system", "manual"] = Field("system", validation_alias=_env("MIDTERM_CLOCK"))
    now: datetime | None = Field(None, validation_alias=_env("MIDTERM_NOW"))
    sweep_seconds: float = Field(60, gt=0, validation_alias=_env("MIDTERM_SWEEP_SECONDS"))
    smtp_host: str = Field("127.0.0.1", validation_alias=_env("SMTP_HOST"))
    smtp_port: int = Field(25, validation_alias=_env("SMTP_PORT"))
    smtp_username: str | None = Field(None, validation_alias=_env("SMTP_USERNAME"))
    smtp_password: str | None = Field(None, validation_alias=_env("SMTP_PASSWORD"))
    smtp_starttls: bool = Field(False, validation_alias=_env("SMTP_STARTTLS"))
    mail_from: str = Field("so-ket@localhost", validation_alias=_env("MIDTERM_MAIL_FROM"))
    office_email: str | None = Field(None, validation_alias=_env("MIDTERM_OFFICE_EMAIL"))
    editorial_emails: str = Field("", validation_alias=_env("MIDTERM_EDITORIAL_EMAILS"))
    retry_seconds: float = Field(30, gt=0, validation_alias=_env("MIDTERM_RETRY_SECONDS"))
    event_loop: Literal["uvloop", "asyncio"] = Field("uvloop", validation_alias=_env("MIDTERM_EVENT_LOOP"))
    log_format: Literal["json", "console"] = Field("json", validation_alias=_env("LOG_FORMAT"))
    log_level: str = Field("INFO", validation_alias=_env("LOG_LEVEL"))
    dashboard_port: int = Field(8080, validation_alias=_env("MIDTERM_DASHBOARD_PORT"))
    dashboard_host: str = Field("127.0.0.1", validation_alias=_env("MIDTERM_DASHBOARD_HOST"))
    dashboard_users: str = Field("", validation_alias=_env("MIDTERM_DASHBOARD_USERS"))
    # Additions (CONTRACT allows new settings): consumer redelivery bound and the digest window.
    max_deliver: int = Field(8, ge=2, validation_alias=_env("MIDTERM_MAX_DELIVER"))
    ack_wait_seconds: float = Field(60, gt=0, validation_alias=_env("MIDTERM_ACK_WAIT_SECONDS"))
    digest_seconds: float = Field(3600, ge=0, validation_alias=_env("MIDTERM_DIGEST_SECONDS"))
    # Tests and parallel environments sharing one stream: a suffix names a separate set of durable consumers,
    # created to start at new messages (an existing durable resumes where it stopped, so restarts lose nothing).
    consumer_suffix: str = Field("", pattern=r"^-?[A-Za-z0-9_-]{0,40}$", validation_alias=_env("MIDTERM_CONSUMER_SUFFIX"))
    stream_replicas: int = Field(1, ge=1, le=5, validation_alias=_env("MIDTERM_STREAM_REPLICAS"))
    draft_debounce_seconds: float = Field(0.5, ge=0, validation_alias=_env("MIDTERM_DRAFT_DEBOUNCE_SECONDS"))
    compiler_cache_mb: float = Field(28, ge=0, validation_alias=_env("MIDTERM_COMPILER_CACHE_MB"))

    @property
    def editorial_list(self) -> list[str]:
        return [a.strip() for a in self.editorial_emails.split(",") if a.strip()]

    @property
    def max_retry_seconds(self) -> float:
        return 600.0

    def retry_delay(self, attempt: int) -> float:
        """Doubling back-off from MIDTERM_RETRY_SECONDS, at most 10 minutes; attempt counts from 1."""
        return min(self.retry_seconds * (2 ** max(attempt - 1, 0)), self.max_retry_seconds)
