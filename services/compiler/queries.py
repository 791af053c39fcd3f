"""`review.query.draft`: the latest draft of a scope as JSON, Markdown or a Word file (an addition)."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any, Literal

from pydantic import ValidationError

from services.compiler.adapters.store import Store
from services.compiler.handlers import Compiler
from services.compiler.render.context import RenderContext
from services.compiler.render.docx import render_docx
from services.compiler.render.markdown import render_markdown
from shared.contract.common import Strict, UnitId
from shared.gctune import Pauses
from shared.messaging import error_reply

HEADER = ("scope", "version", "updated_at")


class DraftRequest(Strict):
    scope: UnitId | None = None
    format: Literal["json", "markdown", "docx"] = "json"
    # An addition: only these top-level parts of a `json` draft (with its header). A national root draft (700
    # districts' sections and coverage) is larger than one NATS message; it is fetched a part at a time.
    parts: list[str] | None = None


class DraftQueries:
    def __init__(self, compiler: Compiler, store: Store, context: RenderContext, max_bytes: int | None = None,
                 gc: Pauses | None = None) -> None:
        self.compiler = compiler
        self.gc = gc
        self.store = store
        self.context = context
        self.max_bytes = max_bytes  # the connection's max_payload: a larger reply could not be sent

    async def draft(self, body: Any = None) -> bytes | dict[str, Any]:
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
        reply: dict[str, Any]
        if request.format == "markdown":
            reply = {"markdown": render_markdown(draft, self.context)}
        elif request.format == "docx":
            data = await asyncio.to_thread(render_docx, draft, self.context)
            reply = {"docx_base64": base64.b64encode(data).decode(), "filename": filename(draft)}
        elif request.parts is not None:
            unknown = sorted(set(request.parts) - set(draft))
            if unknown:
                return error_reply("schema", f"parts: không có phần {', '.join(unknown)} trong dự thảo.")
            reply = {k: v for k, v in draft.items() if k in HEADER or k in request.parts}
        else:
            reply = draft
        # Encoded here, UTF-8 as it is (FastStream's encoder escapes every Vietnamese letter to six bytes).
        data = json.dumps(reply, ensure_ascii=False).encode()
        if self.max_bytes and len(data) > self.max_bytes:
            return error_reply("too_large", f"Dự thảo của '{scope}' ({len(data) // 1024} KiB) quá lớn cho một trả "
                                            "lời: hãy hỏi từng phần (parts), ví dụ [\"coverage\"], [\"sections\"].")
        return data

    async def stats(self, _: Any = None) -> dict[str, Any]:
        return {"service": "compiler", **self.compiler.stats(), **({"gc": self.gc.stats()} if self.gc else {})}


def filename(draft: dict[str, Any]) -> str:
    return f"du-thao-bao-cao-so-ket-{draft['scope']}-v{draft['version']}.docx"
