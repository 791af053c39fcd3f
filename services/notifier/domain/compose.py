"""Building the mails for an event: who, and what the Office writes to them. Pure: the renderer is injected."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Any, Protocol

from services.notifier.domain import recipients
from services.notifier.domain.mail import Mail, Person
from services.notifier.domain.recipients import Delivery
from services.notifier.domain.templates import Rendered
from services.notifier.domain.units import UnitView
from shared.clock import aware, local_date


class Renderer(Protocol):
    def render(self, kind: str, context: Mapping[str, Any]) -> Rendered: ...


@dataclass(frozen=True)
class Origin:
    """Where the mail comes from: carried into the outbox, the events and the log."""

    source_subject: str
    correlation_id: str | None = None


@dataclass(frozen=True)
class DeadlineNotice:
    kind: str  # reminder | overdue | escalated
    key: str
    unit_id: str
    report_type: str
    due_at: datetime
    before: str | None = None
    level: int | None = None
    after: str | None = None
    round: int = 1  # from 2 on, the deadline was moved (a return or an extension, CONTRACT § 10)


@dataclass(frozen=True)
class ErrorLine:
    code: str
    field: str | None
    message: str


@dataclass(frozen=True)
class RejectionNotice:
    key: str
    submission_id: str | None
    unit_id: str | None
    subject: str
    received_at: datetime
    errors: tuple[ErrorLine, ...]
    submitter: Person | None
    report_type: str | None = None


@dataclass(frozen=True)
class ReturnNotice:
    """A version sent back by the level above (CONTRACT § 10): the comment and the new deadline."""

    key: str
    decision_id: str
    submission_id: str
    unit_id: str
    report_type: str
    comment: str
    decided_at: datetime
    resubmit_by: datetime


@dataclass(frozen=True)
class DigestNotice:
    key: str
    scope: str
    version: int
    updated_at: datetime


class Composer:
    def __init__(
        self,
        renderer: Renderer,
        letterhead: Mapping[str, Any],
        plan_reference: str,
        report_name: Callable[[str], str],
        office_email: str | None,
        editorial_emails: Sequence[str],
    ) -> None:
        self.renderer = renderer
        self.letterhead = dict(letterhead)
        self.plan_reference = plan_reference
        self.report_name = report_name
        self.office = Person(self.letterhead["office_name"], office_email) if office_email else None
        self.editorial = list(editorial_emails)

    def deadline(self, notice: DeadlineNotice, unit: UnitView, now: datetime, origin: Origin) -> list[Mail]:
        if notice.kind == "escalated":
            deliveries = recipients.escalation(unit, self.office)
        else:
            deliveries = recipients.unit_contacts(unit)
        due, today = aware(notice.due_at), aware(now)
        context = {
            "unit_name": unit.name,
            "unit_id": unit.unit_id,
            "report_name": self.report_name(notice.report_type),
            "due": local_date(due),
            "days_left": max((due.date() - today.date()).days, 0),
            "days_late": max((today - due).days, 0),
            "level": notice.level,
            "supervisors_known": bool(unit.supervisors),
            "moved": notice.round > 1,
        }
        return self._mails(notice.kind, notice.key, deliveries, context, now, origin, unit.unit_id)

    def rejection(self, notice: RejectionNotice, unit_name: str | None, now: datetime, origin: Origin) -> list[Mail]:
        context = {
            "unit_name": unit_name or notice.unit_id or "",
            "submission_id": notice.submission_id or "",
            "received": local_date(notice.received_at),
            "errors": [{"code": e.code, "field": e.field or "", "message": e.message} for e in notice.errors],
            "submitter_name": notice.submitter.name if notice.submitter else "",
            "report_name": self.report_name(notice.report_type) if notice.report_type else "",
        }
        deliveries = recipients.submitter(notice.submitter)
        return self._mails("rejected", notice.key, deliveries, context, now, origin, notice.unit_id)

    def returned(self, notice: ReturnNotice, unit: UnitView, now: datetime, origin: Origin) -> list[Mail]:
        context = {
            "unit_name": unit.name,
            "unit_id": unit.unit_id,
            "report_name": self.report_name(notice.report_type),
            "submission_id": notice.submission_id,
            "comment": notice.comment.strip(),
            "decided": local_date(notice.decided_at),
            "resubmit_by": local_date(notice.resubmit_by),
        }
        deliveries = recipients.unit_contacts(unit)
        return self._mails("returned", notice.key, deliveries, context, now, origin, unit.unit_id)

    def digest(self, notice: DigestNotice, scope_name: str | None, now: datetime, origin: Origin) -> list[Mail]:
        context = {
            "scope": notice.scope,
            "scope_name": scope_name or notice.scope,
            "version": notice.version,
            "updated": aware(notice.updated_at).strftime("%H:%M ngày %d/%m/%Y"),
        }
        deliveries = recipients.editorial(self.editorial, self.letterhead["editorial_name"])
        return self._mails("digest", notice.key, deliveries, context, now, origin, notice.scope)

    def _mails(self, kind: str, key: str, deliveries: list[Delivery], context: Mapping[str, Any],
               now: datetime, origin: Origin, unit_id: str | None) -> list[Mail]:
        if not deliveries:
            return []
        date = format_datetime(aware(now))
        mails = []
        for delivery in deliveries:
            full = {
                **context,
                "letterhead": self.letterhead,
                "plan_reference": self.plan_reference,
                "to": delivery.to,
                "cc": delivery.cc,
                "event_key": key,
            }
            rendered = self.renderer.render(kind, full)
            mails.append(Mail(
                event_key=key, recipient=delivery.recipient, subject=rendered.subject, text=rendered.text,
                html=rendered.html, to=delivery.to, cc=delivery.cc, date=date, kind=kind, unit_id=unit_id,
                correlation_id=origin.correlation_id, source_subject=origin.source_subject,
            ))
        return mails
