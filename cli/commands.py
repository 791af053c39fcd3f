"""What each `midterm` sub-command does, over the public contract only."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from cli.bus import BusError, connect, publish, request
from shared import subjects
from shared.contract import Submission
from shared.text import nfc

console = Console()

STATUS_LABELS = {"pending": "chưa đến hạn", "submitted": "đúng hạn", "late": "nộp muộn", "overdue": "quá hạn",
                 "exempt": "miễn", "returned": "trả lại", "removed": "đã gỡ"}


class CommandError(RuntimeError):
    """A user error: printed without a traceback, exit code 1 (2 for usage errors)."""


def read_json(path: Path) -> Any:
    try:
        return json.loads(nfc(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path} is not valid JSON: {exc}") from None


async def submit(url: str, path: Path, timeout: float) -> int:
    """Validate locally, find the unit's path, publish, and wait for the outcome."""
    body = read_json(path)
    body.setdefault("submission_id", str(uuid.uuid4()))
    try:
        submission = Submission.model_validate(body)
    except ValidationError as exc:
        for err in exc.errors():
            console.print(f"[red]schema[/red] {'.'.join(str(p) for p in err['loc'])}: {err['msg']}")
        return 1
    nc = await connect(url)
    try:
        unit_path = await unit_path_of(nc, submission.unit_id)
        outcome: asyncio.Future[tuple[str, dict[str, Any]]] = asyncio.get_running_loop().create_future()

        async def on(msg: Any) -> None:
            data = json.loads(msg.data)
            if data.get("submission_id") == submission.submission_id and not outcome.done():
                outcome.set_result((msg.subject, data))

        subs = [await nc.subscribe(subjects.accepted(unit_path), cb=on),
                await nc.subscribe(subjects.SUBMISSIONS_REJECTED, cb=on)]
        await publish(nc, subjects.submit(unit_path), body, msg_id=submission.submission_id)
        try:
            subject, data = await asyncio.wait_for(outcome, timeout)
        except TimeoutError:
            console.print(f"[yellow]published; no outcome within {timeout}s (intake may be busy or down)[/yellow]")
            return 3
        finally:
            for sub in subs:
                await sub.unsubscribe()
    finally:
        await nc.close()
    if subject.startswith("review.submissions.accepted."):
        when = "đúng hạn" if data["on_time"] else "muộn hạn"
        console.print(f"[green]accepted[/green] {data['submission_id']} version {data['version']} ({when})")
        return 0
    for err in data.get("errors", []):
        console.print(f"[red]{err['code']}[/red] {err.get('field') or ''}: {err['message']}")
    return 1


async def unit_path_of(nc: Any, unit_id: str) -> str:
    reply = await request(nc, subjects.QUERY_STATUS, {"scope": unit_id})
    if "error" in reply:
        raise CommandError(f"unit {unit_id}: {reply['error']['message']}")
    for row in reply.get("obligations", []):
        if row["unit_id"] == unit_id:
            return str(row["path"])
    raise CommandError(f"unit {unit_id} owes no report in the plan; nothing to submit")


async def status(url: str, scope: str | None, as_json: bool) -> int:
    nc = await connect(url)
    try:
        reply = await request(nc, subjects.QUERY_STATUS, {"scope": scope} if scope else {})
    finally:
        await nc.close()
    if "error" in reply:
        raise CommandError(reply["error"]["message"])
    if as_json:
        print(json.dumps(reply, ensure_ascii=False, indent=2))
        return 0
    table = Table(title=f"Tình hình nộp báo cáo — {scope or 'toàn tỉnh'} (đến {reply['as_of'][:16]})")
    for column in ("Đơn vị", "Báo cáo", "Hạn", "Trạng thái", "Phiên bản"):
        table.add_column(column)
    for row in sorted(reply["obligations"], key=lambda r: (r["path"], r["report_type"])):
        table.add_row(f"{row['unit_name']} ({row['unit_id']})", row["report_type"], row["due_at"][:10],
                      STATUS_LABELS.get(row["status"], row["status"]), str(row.get("version") or ""))
    console.print(table)
    return 0


async def draft(url: str, scope: str | None, fmt: str, output: Path | None) -> int:
    wire = {"json": "json", "md": "markdown", "markdown": "markdown", "docx": "docx"}[fmt]
    nc = await connect(url)
    try:
        reply = await request(nc, subjects.QUERY_DRAFT, {"scope": scope, "format": wire} if scope else {"format": wire})
    finally:
        await nc.close()
    if "error" in reply:
        raise CommandError(reply["error"]["message"])
    if wire == "docx":
        data = base64.b64decode(reply["docx_base64"])
        return write_bytes(output or Path(reply.get("filename") or f"draft-{scope or 'root'}.docx"), data)
    text = reply["markdown"] if wire == "markdown" else json.dumps(reply, ensure_ascii=False, indent=2)
    return write_text(output, text)


def write_bytes(target: Path, data: bytes) -> int:
    target.write_bytes(data)
    console.print(f"wrote {target} ({len(data)} bytes)")
    return 0


def write_text(output: Path | None, text: str) -> int:
    """To the file when one is named, else to standard output."""
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {output}")
    else:
        print(text)
    return 0


async def catalog(url: str, query: str, limit: int) -> int:
    nc = await connect(url)
    try:
        reply = await request(nc, subjects.QUERY_CATALOG, {"q": query, "limit": limit})
    finally:
        await nc.close()
    if "error" in reply:
        raise CommandError(reply["error"]["message"])
    table = Table(title=f"Danh mục văn bản: “{query}”")
    for column in ("Số", "Ngày", "Trích yếu", "Nơi ban hành"):
        table.add_column(column)
    for row in reply["results"]:
        table.add_row(row["number"], row.get("issued_on") or "", row["title"], row.get("issuer") or "")
    console.print(table)
    return 0


async def sweep(url: str) -> int:
    nc = await connect(url)
    try:
        reply = await request(nc, subjects.ADMIN_SWEEP, {}, timeout=120)
    finally:
        await nc.close()
    if "error" in reply:
        raise CommandError(reply["error"]["message"])
    console.print(f"reminders {reply['reminders']}, overdue {reply['overdue']}, escalations {reply['escalations']}")
    return 0


async def set_clock(url: str, now: str, services: tuple[str, ...]) -> int:
    nc = await connect(url)
    try:
        for service in services:
            reply = await request(nc, subjects.admin_clock(service), {"now": now}, timeout=10)
            if "error" in reply:
                raise CommandError(f"{service}: {reply['error']['message']}")
            console.print(f"{service}: {reply['now']}")
    finally:
        await nc.close()
    return 0


async def outline(url: str, report_type: str, fmt: str, output: Path | None) -> int:
    nc = await connect(url)
    try:
        reply = await request(nc, subjects.QUERY_OUTLINE, {"report_type": report_type})
    finally:
        await nc.close()
    if "error" in reply:
        raise CommandError(reply["error"]["message"])
    if fmt == "docx":
        from shared.partydoc import render_outline_docx

        return write_bytes(output or Path(f"outline-{report_type}.docx"), render_outline_docx(reply))
    if fmt == "json":
        text = json.dumps(reply, ensure_ascii=False, indent=2)
    else:
        parts = [f"# {reply['title']}", ""]
        for section in reply["sections"]:
            parts += [f"## {section['heading']}", "", f"_{section['guidance']}_" if section.get("guidance") else "", ""]
        text = "\n".join(parts)
    return write_text(output, text)


__all__ = ["BusError", "CommandError", "catalog", "draft", "outline", "set_clock", "status", "submit", "sweep"]
