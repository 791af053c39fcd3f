"""`review.query.draft`: the latest draft of a scope as JSON, Markdown or a Word file (an addition)."""

from __future__ import annotations

import asyncio
import base64
from typing import Any, Literal

from pydantic import ValidationError

from services.compiler.adapters.store import Store
from services.compiler.handlers import Compiler
from services.compiler.render.context import RenderContext
from services.compiler.render.docx import render_docx
from services.compiler.render.markdown import render_markdown
from shared.contract.common import Strict, UnitId
from shared.messaging import error_reply


class DraftRequest(Strict):
    scope: UnitId | None = None
    format: Literal["json", "markdown", "docx"] = "json"


class DraftQueries:
    def __init__(self, compiler: Compiler, store: Store, context: RenderContext) -> None:
        self.compiler = compiler
        self.store = store
        self.context = context

    async def draft(self, body: Any = None) -> dict[str, Any]:
        try:
            request = DraftRequest.model_validate(body or {})
        except ValidationError as exc:
            err = exc.errors()[0]
            return error_reply("schema", f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}")
        tree = self.compiler.tree()
        root = tree.root()
        scope = request.scope or (root.unit_id if root else None)
        if scope is None or not tree.is_scope(scope):
            return error_reply("unknown_scope", f"Không có dự thảo cho đơn vị '{scope or ''}' (chỉ tỉnh và cấp huyện).")
        latest = await self.store.latest(scope)
        if latest is None:
            return error_reply("no_draft", f"Chưa có dự thảo của '{scope}'; vui lòng thử lại sau ít giây.")
        draft: dict[str, Any] = latest["draft"]
        if request.format == "markdown":
            return {"markdown": render_markdown(draft, self.context)}
        if request.format == "docx":
            data = await asyncio.to_thread(render_docx, draft, self.context)
            return {"docx_base64": base64.b64encode(data).decode(), "filename": filename(draft)}
        return draft

    async def stats(self, _: Any = None) -> dict[str, Any]:
        return {"service": "compiler", **self.compiler.stats()}


def filename(draft: dict[str, Any]) -> str:
    return f"du-thao-bao-cao-so-ket-{draft['scope']}-v{draft['version']}.docx"
