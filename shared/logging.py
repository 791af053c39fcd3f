"""structlog as CONTRACT section 9 binds it: JSON lines with timestamp, level, service, event."""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

_configured_for: str | None = None


def configure(service: str, fmt: str = "json", level: str = "INFO") -> structlog.stdlib.BoundLogger:
    global _configured_for
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping().get(level.upper(), 20)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stdout),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.clear_contextvars()
    _configured_for = service
    return structlog.get_logger().bind(service=service)


def get(service: str | None = None) -> Any:
    return structlog.get_logger().bind(service=service or _configured_for or "midterm")
