"""A unit: what it was sent (reminders, overdue notices, escalations, returns, extensions) and what it sent."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.dashboard.domain.district import Received, parse_received
from services.dashboard.domain.rows import Row, parse_time
from shared.contract.deadlines import escalated_key, overdue_key, reminder_key


@dataclass(frozen=True)
class StreamEvent:
    """One message read back from the stream `REVIEW`."""

    subject: str
    data: Mapping[str, Any]
    published: datetime | None = None
    seq: int = 0


@dataclass(frozen=True)
class Mail:
    recipient: str
    sent_at: datetime | None


@dataclass
class Notice:
    kind: str  # reminder | overdue | escalated | returned | extended
    report_type: str
    due_at: datetime | None
    published: datetime | None
    key: str
    detail: dict[str, Any] = field(default_factory=dict)
    seq: int = 0  # the stream's order, which is the order they were issued
    mails: list[Mail] = field(default_factory=list)


KINDS = {
    "review.deadlines.reminder.": "reminder",
    "review.deadlines.overdue.": "overdue",
    "review.deadlines.escalated.": "escalated",
    "review.submissions.decided.": "decided",
    "review.deadlines.extended.": "extended",
}


def _kind(subject: str) -> str | None:
    return next((kind for prefix, kind in KINDS.items() if subject.startswith(prefix)), None)


def notices(unit_id: str, events: Iterable[StreamEvent]) -> list[Notice]:
    """The unit's notices in the order they were issued (stream order), each with the mails the notifier reports sent for it."""
    found: list[Notice] = []
    mails: dict[str, list[Mail]] = {}
    for event in events:
        data = event.data
        if event.subject == "review.notifications.sent":
            key = str(data.get("event_key") or "")
            mails.setdefault(key, []).append(Mail(str(data.get("recipient") or ""), parse_time(data.get("sent_at"))))
            continue
        kind = _kind(event.subject)
        if kind is None or data.get("unit_id") not in (None, unit_id):
            continue
        notice = _notice(kind, unit_id, data, event.published)
        if notice is not None:
            notice.seq = event.seq
            found.append(notice)
    for notice in found:
        notice.mails = mails.get(notice.key, [])
    found.sort(key=lambda n: n.seq)
    return found


def _notice(kind: str, unit_id: str, data: Mapping[str, Any], published: datetime | None) -> Notice | None:
    report = str(data.get("report_type") or "")
    due = parse_time(data.get("due_at"))
    round_ = data.get("round") if isinstance(data.get("round"), int) else 1
    if kind == "reminder":
        before = str(data.get("before") or "")
        return Notice(kind, report, due, published, reminder_key(unit_id, report, before, round_), {"before": before})
    if kind == "overdue":
        return Notice(kind, report, due, published, overdue_key(unit_id, report, round_))
    if kind == "escalated":
        level = data.get("level") if isinstance(data.get("level"), int) else 1
        return Notice(kind, report, due, published, escalated_key(unit_id, report, level, round_),
                      {"level": level, "after": str(data.get("after") or "")})
    if kind == "decided":
        decision = str(data.get("decision") or "")
        if decision != "return":
            return None
        return Notice("returned", report, None, parse_time(data.get("decided_at")) or published,
                      f"returned:{data.get('decision_id')}", {"comment": str(data.get("comment") or "")})
    if kind == "extended":
        return Notice(kind, report, parse_time(data.get("due")) or due, published,
                      f"extended:{data.get('extension_id')}", {"reason": str(data.get("reason") or "")})
    return None


def submissions(unit_id: str, events: Iterable[StreamEvent], rows: Iterable[Row]) -> list[Received]:
    """Every accepted version of the unit's reports, newest first per report; versions the status rows name
    but the stream no longer holds are listed without a date."""
    versions: dict[str, Received] = {}
    for event in events:
        if event.subject.startswith("review.submissions.accepted."):
            received = parse_received(event.data)
            if received is not None and received.unit_id == unit_id:
                versions[received.submission_id] = received
    for row in rows:
        if row.unit_id == unit_id and row.submission_id and row.submission_id not in versions and row.version:
            versions[row.submission_id] = Received(row.submission_id, unit_id, row.report_type, row.version, None,
                                                   None if row.status not in ("submitted", "late")
                                                   else row.status == "submitted", row.due_at)
    return sorted(versions.values(), key=lambda r: (r.report_type, -r.version))
