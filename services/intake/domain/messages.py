"""Vietnamese messages for problems, from templates given as data (`{field}`, `{value}`, ...)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from services.intake.domain.problems import SCHEMA, Problem

MAX_VALUE = 120


class _Defaulting(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE] + "…"


class Messages:
    """`codes` maps an error code to its template; `schema` maps a pydantic error type to one."""

    def __init__(self, templates: Mapping[str, Any]) -> None:
        self.codes: Mapping[str, str] = templates.get("codes", {})
        self.schema: Mapping[str, str] = templates.get("schema", {})
        self.whole = templates.get("whole_payload", "(toàn bộ dữ liệu)")
        self.more = templates.get("more_errors", "Còn {count} lỗi khác không được liệt kê")
        self.names: Mapping[str, Mapping[str, str]] = templates.get("names", {})

    def name(self, group: str, key: str) -> str:
        """The Vietnamese word for a code of a group (`decision`: `return` -> `trả lại`); the code if none."""
        return self.names.get(group, {}).get(key, key)

    def text(self, problem: Problem) -> str:
        if problem.code == SCHEMA:
            template = self.schema.get(problem.kind or "", self.schema.get("default", "{field}"))
        else:
            template = self.codes.get(problem.code, problem.code)
        values = _Defaulting({k: _short(v) for k, v in problem.params.items()})
        values["field"] = problem.field or self.whole
        return template.format_map(values)

    def render(self, problems: Iterable[Problem], limit: int = 100) -> list[dict[str, Any]]:
        """The `errors` of a rejection: every problem, up to `limit`, then one line counting the rest."""
        problems = list(problems)
        items = [{"code": p.code, "field": p.field, "message": self.text(p)} for p in problems[:limit]]
        if len(problems) > limit:
            rest = len(problems) - limit
            items.append({"code": problems[limit].code, "field": None,
                          "message": self.more.format_map(_Defaulting(count=rest))})
        return items
