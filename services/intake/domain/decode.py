"""From raw bytes to a validated model, in CONTRACT order: size, JSON, schema. Every schema error is kept."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from services.intake.domain.problems import INVALID_JSON, SCHEMA, TOO_LARGE, Problem

MAX_BYTES = 256 * 1024
M = TypeVar("M", bound=BaseModel)
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


class Undecodable(Exception):
    """The payload is too large or not JSON: nothing of it can be trusted."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.code)
        self.problem = problem


def parse(data: bytes, max_bytes: int = MAX_BYTES) -> Any:
    """The JSON value of `data`, or `Undecodable` with `too_large` / `invalid_json`."""
    if len(data) > max_bytes:
        raise Undecodable(Problem(TOO_LARGE, None, {"value": len(data), "limit": max_bytes}))
    try:
        value = json.loads(data)
    except RecursionError:
        raise Undecodable(Problem(INVALID_JSON, None, {"reason": "nesting"})) from None
    except ValueError as exc:  # also UnicodeDecodeError and over-long integers
        raise Undecodable(Problem(INVALID_JSON, None, {"reason": _reason(exc)})) from None
    if _ESCAPED_SURROGATE.search(data) and not _encodable(value):
        raise Undecodable(Problem(INVALID_JSON, None, {"reason": "surrogate"}))
    return value


def _reason(exc: ValueError) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "utf8"
    if isinstance(exc, json.JSONDecodeError):
        return f"line {exc.lineno}, column {exc.colno}"
    return "number"


def _encodable(value: Any) -> bool:
    """Lone surrogates (`"\\ud800"`) are valid JSON but not UTF-8: they could be neither stored nor sent."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError):
        return False
    return True


def field_path(loc: Sequence[int | str]) -> str | None:
    """`('content', 'targets', 0, 'code')` -> `content.targets[0].code`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or None


def schema_problems(exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False, include_input=False, include_context=True):
        params = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, str | int | float)}
        problems.append(Problem(SCHEMA, field_path(err["loc"]), params, kind=err["type"]))
    return problems


def quick(model: type[M], data: bytes, max_bytes: int = MAX_BYTES) -> M | None:
    """The model straight from the bytes (pydantic's own JSON parser, no Python dict in between) when they
    are valid in every respect; None otherwise, and `parse` + `validate` then say exactly what is wrong."""
    if len(data) > max_bytes or _ESCAPED_SURROGATE.search(data):
        return None
    try:
        return model.model_validate_json(data)
    except (ValidationError, ValueError, RecursionError):
        return None


def validate(model: type[M], value: Any) -> tuple[M | None, list[Problem]]:
    if not isinstance(value, dict):
        return None, [Problem(SCHEMA, None, {}, kind="model_type")]
    try:
        return model.model_validate(value), []
    except ValidationError as exc:
        return None, schema_problems(exc)
    except RecursionError:
        return None, [Problem(SCHEMA, None, {}, kind="too_deep")]
