"""The notifier's events (CONTRACT section 8 names the subjects; these are their payloads).
They belong in shared/contract/ once the lead moves them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class NotificationSent(BaseModel):
    """`review.notifications.sent`: one per (event, recipient) the relay accepted."""

    model_config = ConfigDict(extra="forbid")
    event_key: str = Field(examples=["overdue:CS017:resolution_review"])
    recipient: str = Field(examples=["vanphong@tanphu.example.vn"])
    message_id: str = Field(description="Deterministic: derived from the event key and the recipient")
    sent_at: str
    attempts: int = Field(1, ge=1)


class NotificationFailed(BaseModel):
    """`review.notifications.failed` (also on `review.dlq.notifier`): a 5xx reply, or retries exhausted."""

    model_config = ConfigDict(extra="forbid")
    event_key: str
    recipient: str
    message_id: str
    reason: str
    failed_at: str
    attempts: int = Field(1, ge=0)
