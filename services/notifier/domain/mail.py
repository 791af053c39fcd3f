"""A mail as the outbox keeps it: one per (event key, envelope recipient), fully rendered before it is sent,
so a resend after a crash is the same message with the same `Message-ID`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class Mail:
    event_key: str
    recipient: str  # the one envelope recipient (lower case)
    subject: str
    text: str
    html: str
    to: tuple[Person, ...]
    cc: tuple[Person, ...] = ()
    date: str = ""  # RFC 2822, fixed when the entry is written
    kind: str = ""
    unit_id: str | None = None
    correlation_id: str | None = None
    source_subject: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return outbox_id(self.event_key, self.recipient)

    @property
    def message_id(self) -> str:
        return message_id(self.event_key, self.recipient)


def normal_email(email: str) -> str:
    return email.strip().lower()


def outbox_id(event_key: str, recipient: str) -> str:
    return f"{event_key}|{normal_email(recipient)}"


def message_id(event_key: str, recipient: str) -> str:
    """Deterministic: the same (event, recipient) always carries the same Message-ID, so a resend is recognisable."""
    digest = hashlib.sha256(outbox_id(event_key, recipient).encode()).hexdigest()[:32]
    return f"<{digest}@midterm>"
