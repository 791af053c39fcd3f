"""Every NATS subject of CONTRACT.md, built in one place. A unit's path is `HU03.CS017`; the root's is ``."""

from __future__ import annotations

PREFIX = "review"

UNITS_UPSERT = "review.units.upsert"
UNITS_REJECTED = "review.units.rejected"
UNITS_CHANGED_ALL = "review.units.changed.>"

SUBMIT_ALL = "review.submissions.submit.>"
ACCEPTED_ALL = "review.submissions.accepted.>"
SUBMISSIONS_REJECTED = "review.submissions.rejected"

DECIDE_ALL = "review.submissions.decide.>"
DECIDED_ALL = "review.submissions.decided.>"
DECISION_REJECTED = "review.submissions.decision_rejected"
EXTEND_ALL = "review.deadlines.extend.>"
EXTEND_REJECTED = "review.deadlines.extend_rejected"

REMINDER_ALL = "review.deadlines.reminder.>"
OVERDUE_ALL = "review.deadlines.overdue.>"
ESCALATED_ALL = "review.deadlines.escalated.>"
OBLIGATIONS_CHANGED_ALL = "review.obligations.changed.>"
DRAFTS_UPDATED_ALL = "review.drafts.updated.>"

CATALOG_REGISTER = "review.catalog.register"

NOTIFICATIONS_SENT = "review.notifications.sent"
NOTIFICATIONS_FAILED = "review.notifications.failed"

QUERY_STATUS = "review.query.status"
QUERY_DRAFT = "review.query.draft"
QUERY_CATALOG = "review.query.catalog"
QUERY_MILESTONES = "review.query.milestones"
QUERY_OUTLINE = "review.query.outline"
QUERY_AUDIT = "review.query.audit"
ADMIN_SWEEP = "review.admin.deadline.sweep"

SERVICES = ("intake", "deadline", "compiler", "notifier")


def _under(prefix: str, path: str) -> str:
    return f"{prefix}.{path}" if path else f"{prefix}.root"


def units_changed(path: str) -> str:
    return _under("review.units.changed", path)


def submit(path: str) -> str:
    return f"review.submissions.submit.{path}"


def accepted(path: str) -> str:
    return _under("review.submissions.accepted", path)


def decide(path: str) -> str:
    return f"review.submissions.decide.{path}"


def decided(path: str) -> str:
    return _under("review.submissions.decided", path)


def extend(path: str) -> str:
    return f"review.deadlines.extend.{path}"


def extended(path: str) -> str:
    return _under("review.deadlines.extended", path)


def reminder(path: str) -> str:
    return _under("review.deadlines.reminder", path)


def overdue(path: str) -> str:
    return _under("review.deadlines.overdue", path)


def escalated(path: str) -> str:
    return _under("review.deadlines.escalated", path)


def obligations_changed(path: str) -> str:
    return _under("review.obligations.changed", path)


def drafts_updated(scope_unit_id: str) -> str:
    return f"review.drafts.updated.{scope_unit_id}"


def health(service: str) -> str:
    return f"review.query.health.{service}"


def admin_clock(service: str) -> str:
    return f"review.admin.{service}.clock"


def dlq(service: str) -> str:
    return f"review.dlq.{service}"


def path_after(subject: str, prefix: str) -> str:
    """The unit path a subject carries after `prefix` (`review.submissions.submit`), `` for none or `root`."""
    head = prefix + "."
    if not subject.startswith(head):
        return ""
    rest = subject[len(head):]
    return "" if rest == "root" else rest
