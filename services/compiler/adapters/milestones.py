"""The deadline service's `review.query.milestones`, asked at compile time with a short timeout. No answer
(the deadline service is down, slow, or does not serve it yet) is `None`: the draft leaves the list out
rather than wait or fail."""

from __future__ import annotations

import json
from typing import Any

from shared import subjects


class NatsMilestones:
    def __init__(self, broker: Any, timeout: float = 1.0, log: Any = None) -> None:
        self.broker = broker
        self.timeout = timeout
        self.log = log

    async def of_scope(self, scope: str) -> list[dict[str, Any]] | None:
        try:
            reply = await self.broker.connection.request(
                subjects.QUERY_MILESTONES, json.dumps({"scope": scope}).encode(), timeout=self.timeout)
            body = json.loads(reply.data)
        except Exception as exc:  # no responders, timeout, a reply that is not JSON
            self._skip(scope, f"{type(exc).__name__}: {exc}")
            return None
        rows = body.get("milestones") if isinstance(body, dict) else None
        if not isinstance(rows, list):
            self._skip(scope, "no milestones in the reply" if "error" not in body else str(body["error"])[:200])
            return None
        return [r for r in rows if isinstance(r, dict)]

    def _skip(self, scope: str, reason: str) -> None:
        if self.log is not None:
            self.log.info("milestones_unavailable", scope=scope, reason=reason[:300])
