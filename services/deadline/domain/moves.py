"""Returns and extensions (CONTRACT section 10): the deadline a move sets, and why an extension is refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.deadline.domain.obligations import Obligation

DEFAULT_RESUBMIT = timedelta(days=7)


@dataclass(frozen=True)
class Refusal:
    code: str
    field: str | None = None


def return_id(decision_id: str) -> str:
    return f"return:{decision_id}"


def extension_id(extension: str) -> str:
    return f"extension:{extension}"


def resubmit_deadline(decided_at: datetime, resubmit_by: datetime | None) -> datetime:
    """The returned obligation's new deadline: the one the reviewer set, else 7 days after the decision."""
    return resubmit_by if resubmit_by is not None else decided_at + DEFAULT_RESUBMIT


def refuse_extension(ob: Obligation | None, due: datetime, subject_path: str) -> Refusal | None:
    """Why an extension cannot apply, or None. An answered or exempt obligation has no deadline left to move:
    its verdict was given at its deadline and an extension must not rewrite it."""
    if ob is None or not ob.known or ob.removed:
        return Refusal("unknown_obligation", "report_type")
    if subject_path != ob.path:
        return Refusal("subject_mismatch", "unit_id")
    if ob.exempt:
        return Refusal("exempt", "report_type")
    if ob.answered:
        return Refusal("already_submitted", "report_type")
    if due <= ob.due_at:
        return Refusal("not_later", "due")
    return None
