"""`review.query.status`: every obligation of a scope's subtree, with its status now.

A reply is one core NATS message, at most the connection's `max_payload` (1 MiB by default). The root of
a national registry (~53 000 obligations, ~11 MB) does not fit: a request may then page with the optional
additions `limit` and `after` (the `next` cursor of the previous page); an unpaged request too large to
answer gets the error `too_large`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationError

from services.deadline.domain.messages import status_row
from services.deadline.domain.obligations import Obligation
from services.deadline.ports import ObligationStore, UnitStore
from shared.clock import ManualClock, SystemClock
from shared.contract import StatusQuery, StatusReply
from shared.messaging import error_reply


class PagedStatusQuery(StatusQuery):
    """CONTRACT section 5's query with optional additions for paging."""

    limit: int | None = Field(None, ge=1, le=5000)
    after: str | None = Field(None, max_length=400)


class PagedStatusReply(StatusReply):
    next: str | None = None


class Status:
    def __init__(self, clock: SystemClock | ManualClock, obligations: ObligationStore, units: UnitStore,
                 max_bytes: int | None = None) -> None:
        self.clock, self.obligations, self.units, self.max_bytes = clock, obligations, units, max_bytes

    async def reply(self, body: Any) -> bytes | dict[str, Any]:
        try:
            query = PagedStatusQuery.model_validate(body or {})
        except ValidationError as exc:
            return error_reply("schema", f"Yêu cầu không hợp lệ: {exc.errors()[0]['msg']}")
        path = ""
        if query.scope is not None:
            unit = await self.units.get(query.scope)
            if unit is None:
                return error_reply("unknown_scope", f"Không có đơn vị '{query.scope}' trong danh sách.")
            path = unit.path
        now = self.clock.now()
        found = sorted(await self.subtree(path), key=_cursor)
        if query.after is not None:
            found = [ob for ob in found if _cursor(ob) > query.after]
        page, rest = (found[:query.limit], found[query.limit:]) if query.limit else (found, [])
        rows = [status_row(ob, now) for ob in page]
        if query.limit is None:
            data = StatusReply(as_of=now, obligations=rows).model_dump_json().encode()
        else:
            cursor = _cursor(page[-1]) if rest and page else None
            data = PagedStatusReply(as_of=now, obligations=rows, next=cursor).model_dump_json().encode()
        if self.max_bytes and len(data) > self.max_bytes:
            return error_reply("too_large", f"Phạm vi có {len(found)} nghĩa vụ, quá lớn cho một trả lời: "
                                            "hãy hỏi theo trang (limit, after) hoặc theo từng đơn vị.")
        return data

    async def subtree(self, path: str) -> list[Obligation]:
        """The scope unit and every unit below it; removed obligations and unknown units are left out."""
        if path:
            found = await self.obligations.in_district(path.split(".", 1)[0])
            found = [ob for ob in found if ob.path == path or ob.path.startswith(path + ".")]
        else:
            found = await self.obligations.everything()
        return [ob for ob in found if ob.known and not ob.removed]


def _cursor(ob: Obligation) -> str:
    """Rows go in path order, then report type: `path report_type` (a path never holds a space, which
    sorts before every path character, so a unit comes before its children)."""
    return f"{ob.path} {ob.report_type}"
