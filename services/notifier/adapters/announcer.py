"""Publishes each mail's outcome: `review.notifications.sent|failed`, and the dead letter for a failure."""

from __future__ import annotations

from typing import Any

from services.notifier.contract import NotificationFailed, NotificationSent
from services.notifier.ports import Entry
from shared import subjects
from shared.messaging import Event


class EventAnnouncer:
    def __init__(self, publisher: Any, service: str = "notifier") -> None:
        self.publisher = publisher
        self.service = service

    async def sent(self, entry: Entry, sent_at: str) -> None:
        mail = entry.mail
        payload = NotificationSent(event_key=mail.event_key, recipient=mail.recipient,
                                   message_id=mail.message_id, sent_at=sent_at, attempts=entry.attempts)
        await self.publisher.publish(Event(subjects.NOTIFICATIONS_SENT, payload, msg_id=f"sent:{mail.id}",
                                           correlation_id=mail.correlation_id))

    async def failed(self, entry: Entry, reason: str, failed_at: str) -> None:
        mail = entry.mail
        payload = NotificationFailed(event_key=mail.event_key, recipient=mail.recipient,
                                     message_id=mail.message_id, reason=reason, failed_at=failed_at,
                                     attempts=entry.attempts)
        await self.publisher.publish(Event(subjects.NOTIFICATIONS_FAILED, payload, msg_id=f"failed:{mail.id}",
                                           correlation_id=mail.correlation_id))
        dead = {
            "service": self.service, "subject": mail.source_subject, "msg_id": mail.event_key, "reason": reason,
            "delivered": entry.attempts, "recipient": mail.recipient, "message_id": mail.message_id,
        }
        await self.publisher.publish(Event(subjects.dlq(self.service), dead, msg_id=f"dlq:{self.service}:{mail.id}",
                                           correlation_id=mail.correlation_id))
