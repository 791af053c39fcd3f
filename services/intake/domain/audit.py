"""The audit of one unit (CONTRACT section 10): what happened to it, read back from the stream's own records.

Every event about a unit carries its path in the subject; the few that do not (rejections, mails) are
matched on their payload. Inbound messages (submit, decide, extend) are not entries themselves: they tell
who did what the outcome that follows records. `at` is the time the event itself states (campaign time
under the manual clock) and the stream's timestamp only when it states none. Entries are in stream order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.clock import iso, local_date
from shared.subjects import path_after

PATH_PREFIXES = ("review.submissions.*", "review.deadlines.*", "review.obligations.changed", "review.units.changed")
UNPATHED = ("review.submissions.rejected", "review.submissions.decision_rejected", "review.units.rejected",
            "review.deadlines.extend_rejected", "review.notifications.sent", "review.notifications.failed")
SERVICE_OF = {"review.deadlines": "deadline", "review.obligations": "deadline", "review.units": "intake",
              "review.submissions": "intake", "review.notifications": "notifier"}
_DURATION = re.compile(r"(\d+)([WDHMS])")
MAX_TEXT = 200


@dataclass(frozen=True)
class Record:
    """One message read back from the stream."""

    seq: int
    subject: str
    data: Mapping[str, Any]
    published: datetime | None = None


def path_filters(path: str) -> list[str]:
    """The subjects that carry this unit's path (`review.submissions.*.HU03.CS017`, ...)."""
    token = path or "root"
    return [f"{prefix}.{token}" for prefix in PATH_PREFIXES]


class Auditor:
    """Builds the entries from the Vietnamese lines of data/audit.vi.yaml."""

    def __init__(self, templates: Mapping[str, Any], report_name: Callable[[str], str]) -> None:
        self.lines: Mapping[str, str] = templates.get("summaries", {})
        self.pieces: Mapping[str, str] = templates.get("pieces", {})
        self.names: Mapping[str, Mapping[str, str]] = templates.get("names", {})
        self.report_name = report_name

    def entries(self, unit_id: str, path: str, records: Iterable[Record]) -> list[dict[str, Any]]:
        ordered = sorted({r.seq: r for r in records}.values(), key=lambda r: r.seq)
        who: dict[str, str] = {}
        ids: set[str] = set()
        for record in ordered:
            self._learn(record, who, ids)
        found = []
        for record in ordered:
            entry = self._entry(unit_id, path, record, who, ids)
            if entry is not None:
                found.append(entry)
        return found

    # --- what the inbound messages tell -------------------------------------------------------------

    def _learn(self, record: Record, who: dict[str, str], ids: set[str]) -> None:
        data, subject = record.data, record.subject
        for prefix, id_key, person in (("review.submissions.submit.", "submission_id", "submitted_by"),
                                       ("review.submissions.decide.", "decision_id", "reviewer"),
                                       ("review.deadlines.extend.", "extension_id", "approved_by")):
            if subject.startswith(prefix) and isinstance(data.get(id_key), str):
                ids.add(data[id_key])
                name = person_text(data.get(person))
                if name:
                    who[data[id_key]] = name
        for key in ("submission_id", "decision_id", "extension_id"):
            if subject.startswith(("review.submissions.accepted.", "review.submissions.decided.",
                                   "review.deadlines.extended.")) and isinstance(data.get(key), str):
                ids.add(data[key])

    # --- entries -----------------------------------------------------------------------------------

    def _entry(self, unit_id: str, path: str, record: Record, who: dict[str, str],
               ids: set[str]) -> dict[str, Any] | None:
        kind = self._kind(unit_id, path, record, ids)
        if kind is None:
            return None
        data = record.data
        values = self._values(kind, record, who)
        at = _first_time(data, ("received_at", "decided_at", "changed_at", "sent_at", "failed_at"))
        if at is None:
            at = iso(record.published) if record.published else None
        template = self.lines.get(kind) or self.lines.get("other", "{subject}")
        return {"at": at, "subject": record.subject, "event": kind, "by": values["by"],
                "summary": template.format_map(_Defaulting(values))}

    def _kind(self, unit_id: str, path: str, record: Record, ids: set[str]) -> str | None:
        subject, data = record.subject, record.data
        mine = data.get("unit_id") in (None, unit_id)
        for prefix, kind in (("review.units.changed.", "unit_changed"),
                             ("review.submissions.accepted.", "accepted"),
                             ("review.submissions.decided.", "decided"),
                             ("review.deadlines.reminder.", "reminder"),
                             ("review.deadlines.overdue.", "overdue"),
                             ("review.deadlines.escalated.", "escalated"),
                             ("review.deadlines.extended.", "extended"),
                             ("review.obligations.changed.", "status_changed")):
            if subject.startswith(prefix):
                return kind if mine else None
        channel = path_after(str(data.get("subject") or ""), _inbound_prefix(subject))
        if subject == "review.submissions.rejected":
            ok = data.get("unit_id") == unit_id or (data.get("unit_id") is None and channel == path
                                                    and bool(data.get("subject")))
            return "rejected" if ok else None
        if subject == "review.units.rejected":
            return "unit_rejected" if data.get("unit_id") == unit_id else None
        if subject in ("review.submissions.decision_rejected", "review.deadlines.extend_rejected"):
            ok = bool(data.get("subject")) and channel == path
            return subject.rsplit(".", 1)[-1] if ok else None
        if subject in ("review.notifications.sent", "review.notifications.failed"):
            parts = str(data.get("event_key") or "").split(":")
            ok = len(parts) > 1 and (parts[1] == unit_id or parts[1] in ids)
            return ("mail_sent" if subject.endswith("sent") else "mail_failed") if ok else None
        return None

    def _values(self, kind: str, record: Record, who: dict[str, str]) -> dict[str, Any]:
        data = record.data
        values: dict[str, Any] = {k: v for k, v in data.items() if isinstance(v, str | int | float)}
        values["subject"] = record.subject
        values["by"] = self._by(kind, record, who)
        report = data.get("report_type")
        if isinstance(report, str):
            values["report"] = self.report_name(report)
        values["due"] = _date(data.get("due_at"))
        values["reason"] = self._reason(data)
        values["level_name"] = self._name("level", data.get("level"))
        values["active_name"] = self._name("active", str(data.get("active", True)).lower())
        values["decision_name"] = self._name("decision", data.get("decision"))
        values["status_name"] = self._name("status", data.get("status"))
        values["before_name"] = self._duration(data.get("before"))
        values["timeliness"] = self.pieces.get("on_time" if data.get("on_time") else "late", "")
        resubmit = _date(data.get("resubmit_by"))
        values["resubmit"] = self._piece("resubmit", date=resubmit) if resubmit else ""
        comment = data.get("comment")
        values["comment"] = self._piece("comment", text=_short(comment)) if comment else ""
        if kind == "extended":
            values["reason"] = ""
        version = data.get("version")
        values["version_text"] = self._piece("version_text", version=version) if version else ""
        return values

    def _by(self, kind: str, record: Record, who: dict[str, str]) -> str:
        data = record.data
        if kind in ("accepted", "rejected"):
            return (person_text(data.get("submitted_by")) or who.get(str(data.get("submission_id")))
                    or str(data.get("unit_id") or ""))
        if kind == "decided":
            return who.get(str(data.get("decision_id"))) or "intake"
        if kind == "extended":
            return who.get(str(data.get("extension_id"))) or "deadline"
        return next((s for p, s in SERVICE_OF.items() if record.subject.startswith(p)), "")

    def _reason(self, data: Mapping[str, Any]) -> str:
        errors = data.get("errors")
        if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
            return ""
        text = _short(str(errors[0].get("message") or errors[0].get("code") or ""))
        if len(errors) > 1:
            text += self._piece("more_errors", count=len(errors) - 1)
        return text

    def _name(self, group: str, key: Any) -> str:
        return self.names.get(group, {}).get(str(key), str(key)) if key is not None else ""

    def _piece(self, name: str, **values: Any) -> str:
        return self.pieces.get(name, "").format_map(_Defaulting(values))

    def _duration(self, text: Any) -> str:
        if not isinstance(text, str):
            return ""
        parts = [f"{n} {self._name('unit', u)}" for n, u in _DURATION.findall(text.upper())]
        return " ".join(parts) or text


def person_text(person: Any) -> str:
    if not isinstance(person, dict) or not person.get("name"):
        return ""
    email = person.get("email")
    return f"{person['name']} <{email}>" if email else str(person["name"])


def _inbound_prefix(subject: str) -> str:
    return {"review.submissions.rejected": "review.submissions.submit",
            "review.submissions.decision_rejected": "review.submissions.decide",
            "review.deadlines.extend_rejected": "review.deadlines.extend"}.get(subject, "")


def _first_time(data: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    return next((data[k] for k in keys if isinstance(data.get(k), str) and data[k]), None)


def _date(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    try:
        return local_date(datetime.fromisoformat(value))
    except ValueError:
        return value


def _short(text: Any) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


class _Defaulting(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""
