"""The pages: read through `Source`, build the view model in `domain/`, render a template.

A request with the header `X-Fragment: main` gets only the page's <main> content: live.js swaps it in.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from aiohttp import web

from services.dashboard.adapters.bus import QueryError, Unavailable
from services.dashboard.domain import district as district_view
from services.dashboard.domain import overview, unit
from services.dashboard.domain.charts import stacked
from services.dashboard.domain.rows import STATUSES, Row, UnitInfo, parse_rows, parse_time
from services.dashboard.render import Renderer
from services.dashboard.source import Answer, Source

SOURCE = web.AppKey("source", Source)
RENDERER = web.AppKey("renderer", Renderer)
CONNECTED = web.AppKey("connected", object)  # a callable telling whether NATS is up
DRAFT_COVERAGE = ("submitted", "late", "returned", "overdue", "pending", "exempt")


@dataclass(frozen=True)
class Freshness:
    """What the page tells about its data: current, last known (and when), or none."""

    stale: bool
    fetched_at: datetime | None
    reason: str | None


def freshness(*answers: Answer) -> Freshness:
    stale = [a for a in answers if a.stale]
    if not stale:
        return Freshness(False, None, None)
    known = [a.fetched_at for a in stale if a.fetched_at]
    return Freshness(True, min(known) if known else None, stale[0].reason)


def page(request: web.Request, template: str, context: dict[str, Any], status: int = 200) -> web.Response:
    renderer = request.app[RENDERER]
    base = {"connected": request.app[CONNECTED](), "path": request.path, "watch": "", "fresh": freshness()}
    base.update(context)
    fragment = request.headers.get("X-Fragment") == "main"
    body = renderer.page(template, base, fragment=fragment)
    return web.Response(text=body, content_type="text/html", charset="utf-8", status=status,
                        headers={"Cache-Control": "no-store"})


def not_found(request: web.Request, what: str) -> web.Response:
    return page(request, "error.html.j2", {"title": "Không tìm thấy", "message": what, "nav": ""}, status=404)


def _rows(answer: Answer) -> tuple[list[Row], datetime | None]:
    if not answer.ok:
        return [], None
    return parse_rows(answer.data.get("obligations") or []), parse_time(answer.data.get("as_of"))


async def overview_page(request: web.Request) -> web.Response:
    source = request.app[SOURCE]
    answer, units = await asyncio.gather(_province(source), source.units())
    rows, as_of = _rows(answer)
    groups = overview.counts_by_group(rows, units)
    now = as_of or datetime.now().astimezone()
    return page(request, "overview.html.j2", {
        "title": "Tổng quan", "nav": "overview", "watch": "obligations:*", "answer": answer,
        "fresh": freshness(answer), "as_of": as_of, "groups": groups,
        "bars": {g.key: stacked(g.key, g.counts) for g in groups},
        "totals": overview.totals(rows), "total": len(rows), "statuses": STATUSES,
        "deadlines": overview.next_deadlines(rows, now), "overdue": overview.overdue_list(rows, now, units, groups),
    })


async def district_page(request: web.Request) -> web.Response:
    source = request.app[SOURCE]
    district_id = request.match_info["unit_id"]
    try:
        answer = await source.status(district_id)
    except QueryError as exc:
        return not_found(request, exc.message or f"Không có đơn vị {district_id}.")
    rows, as_of = _rows(answer)
    own = [r for r in rows if r.unit_id == district_id]
    if own and own[0].depth != 1:
        raise web.HTTPFound(f"/units/{quote(district_id)}")
    path = own[0].path if own else district_id
    sort = request.query.get("sort", "status")
    descending = request.query.get("order") == "desc"
    units, draft, accepted = await asyncio.gather(
        source.units(), _draft_or_none(source, district_id),
        source.events([f"review.submissions.accepted.{path}", f"review.submissions.accepted.{path}.>"]))
    parsed = [r for e in (accepted.data or []) if (r := district_view.parse_received(e.data)) is not None]
    received, by_obligation = district_view.index(parsed)
    children = [r for r in rows if r.depth == 2]
    info = units.get(district_id)
    name = own[0].unit_name if own else (info.name if info else district_id)
    coverage = (draft.data or {}).get("coverage") if draft.ok else None
    return page(request, "district.html.j2", {
        "title": name, "nav": "overview", "watch": f"obligations:{path.split('.')[0]} drafts:{district_id}",
        "fresh": freshness(answer, accepted), "answer": answer, "as_of": as_of, "district_id": district_id,
        "name": name, "info": info, "in_charge": overview.in_charge(district_id, units)[0],
        "own": district_view.lines(own, received, by_obligation),
        "lines": district_view.sort_lines(district_view.lines(children, received, by_obligation), sort, descending),
        "sort": sort if sort in district_view.SORTS else "unit", "descending": descending,
        "counts": overview.totals(children), "bar": stacked("children", overview.totals(children)),
        "statuses": STATUSES, "draft": draft, "coverage": coverage,
        "draft_updated": parse_time((draft.data or {}).get("updated_at")) if draft.ok else None,
        "coverage_bar": stacked("coverage", coverage or {}, DRAFT_COVERAGE) if coverage else None,
        "targets": (draft.data or {}).get("targets") or [] if draft.ok else [],
    })


async def _province(source: Source) -> Answer:
    try:
        return await source.province()
    except QueryError as exc:
        return Answer(None, None, stale=False, reason=exc.code)


async def _draft_or_none(source: Source, scope: str | None) -> Answer:
    try:
        return await source.draft(scope, "json")
    except QueryError as exc:
        return Answer(None, None, stale=False, reason=exc.code)


async def unit_page(request: web.Request) -> web.Response:
    source = request.app[SOURCE]
    unit_id = request.match_info["unit_id"]
    try:
        answer = await source.status(unit_id)
    except QueryError as exc:
        return not_found(request, exc.message or f"Không có đơn vị {unit_id}.")
    units = await source.units()
    rows, as_of = _rows(answer)
    own = [r for r in rows if r.unit_id == unit_id]
    info = units.get(unit_id)
    path = own[0].path if own else (info.path if info else "")
    if not own and info is None and answer.ok:
        return not_found(request, f"Không có đơn vị {unit_id}.")
    filters = [f"{prefix}.{path}" for prefix in (
        "review.submissions.accepted", "review.deadlines.reminder", "review.deadlines.overdue",
        "review.deadlines.escalated", "review.submissions.decided", "review.deadlines.extended")] if path else []
    events, mails = await asyncio.gather(
        source.events(filters) if filters else _empty(), source.mails())
    stream = [*(events.data or []), *(mails.data or [])]
    parents = _parents(own[0] if own else None, info, units, rows)
    people, inherited = overview.in_charge(unit_id, units)
    return page(request, "unit.html.j2", {
        "title": own[0].unit_name if own else (info.name if info else unit_id), "nav": "overview",
        "watch": f"obligations:{path.split('.')[0] or 'root'}", "fresh": freshness(answer, events, mails),
        "answer": answer, "as_of": as_of, "unit_id": unit_id, "info": info, "path": path, "own": own,
        "parents": parents, "in_charge": people, "in_charge_of": inherited,
        "has_children": any(r.depth == 2 and r.top == unit_id for r in rows),
        "submissions": unit.submissions(unit_id, stream, own), "notices": unit.notices(unit_id, stream),
        "events_ok": events.ok and mails.ok,
    })


async def _empty() -> Answer:
    return Answer([], None)


def _parents(row: Row | None, info: UnitInfo | None, units: dict[str, UnitInfo], rows: list[Row]) -> list[tuple[str, str]]:
    """The breadcrumb above a unit: its district, when it has one."""
    path = row.path if row else (info.path if info else "")
    if path.count(".") < 1:
        return []
    top = path.split(".", 1)[0]
    name = units[top].name if top in units else next((r.unit_name for r in rows if r.unit_id == top), top)
    return [(top, name)]


async def drafts_page(request: web.Request) -> web.Response:
    source = request.app[SOURCE]
    status, units = await asyncio.gather(_province(source), source.units())
    rows, _ = _rows(status)
    groups = [g for g in overview.counts_by_group(rows, units) if g.kind == "district"]
    scopes: list[tuple[str | None, str]] = [(None, "")] + [(g.key, g.name) for g in groups]
    answers = await asyncio.gather(*(_draft_or_none(source, scope) for scope, _ in scopes))
    items = []
    for (scope, name), answer in zip(scopes, answers, strict=True):
        data = answer.data or {}
        scope_id = scope or data.get("scope") or next((u.unit_id for u in units.values() if u.level == "province"), "")
        if not name:
            name = units[scope_id].name if scope_id in units else "Tỉnh ủy"
        items.append({"scope": scope_id, "name": name, "answer": answer, "draft": data,
                      "updated_at": parse_time(data.get("updated_at")), "province": scope is None})
    return page(request, "drafts.html.j2", {
        "title": "Dự thảo báo cáo", "nav": "drafts", "watch": "drafts:*", "items": items,
        "fresh": freshness(status, *answers),
    })


async def draft_page(request: web.Request) -> web.Response:
    source = request.app[SOURCE]
    scope = request.match_info["scope"]
    try:
        data_answer, text_answer = await asyncio.gather(source.draft(scope, "json"), source.draft(scope, "markdown"))
    except QueryError as exc:
        return not_found(request, exc.message or f"Chưa có dự thảo cho {scope}.")
    units = await source.units()
    data = data_answer.data or {}
    name = units[scope].name if scope in units else scope
    return page(request, "draft.html.j2", {
        "title": f"Dự thảo — {name}", "nav": "drafts", "watch": f"drafts:{scope}", "scope": scope, "name": name,
        "fresh": freshness(data_answer, text_answer), "answer": text_answer, "draft": data,
        "updated_at": parse_time(data.get("updated_at")), "coverage": data.get("coverage"),
        "markdown": (text_answer.data or {}).get("markdown", "") if text_answer.ok else "",
    })


async def draft_docx(request: web.Request) -> web.Response:
    scope = request.match_info["scope"]
    try:
        content, filename = await request.app[SOURCE].docx(scope)
    except QueryError as exc:
        return not_found(request, exc.message or f"Chưa có dự thảo cho {scope}.")
    except Unavailable as exc:
        return page(request, "error.html.j2", {
            "title": "Chưa tải được tệp Word", "nav": "drafts",
            "message": "Chưa tải được tệp Word của dự thảo: " + request.app[RENDERER].labels["reasons"].get(
                exc.reason, exc.reason) + ". Đề nghị thử lại sau ít phút."}, status=503)
    ascii_name = filename.encode("ascii", "ignore").decode() or f"du-thao-{scope}.docx"
    return web.Response(body=content, headers={
        "Content-Type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "no-store",
    })


async def catalog_page(request: web.Request) -> web.Response:
    q = request.query.get("q", "").strip()[:500]
    answer: Answer | None = None
    error = None
    if q:
        try:
            answer = await request.app[SOURCE].catalog(q)
        except QueryError as exc:
            error = exc.message
    results = (answer.data or {}).get("results") or [] if answer and answer.ok else []
    return page(request, "catalog.html.j2", {
        "title": "Văn bản", "nav": "catalog", "q": q, "answer": answer, "results": results, "error": error,
        "fresh": freshness(answer) if answer else freshness(),
    })


async def health(request: web.Request) -> web.Response:
    up = request.app[CONNECTED]()
    return web.json_response({"service": "dashboard", "status": "ok", "nats": "connected" if up else "disconnected"})
