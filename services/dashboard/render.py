"""Jinja2 pages (templates/), their filters, and the labels of data/labels.yaml."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markdown_it import MarkdownIt
from markupsafe import Markup

from shared.clock import aware, local_date

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
LABELS = HERE / "data" / "labels.yaml"
_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def load_labels(path: Path = LABELS) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def date_vn(value: datetime | date | str | None) -> str:
    """`15/05/2023`; also for a bare `2023-05-15` (a document's date)."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        return local_date(value)
    return value.strftime("%d/%m/%Y") if value else "—"


def datetime_vn(value: datetime | None) -> str:
    """`14:30 15/05/2023`, Vietnam time."""
    return f"{aware(value):%H:%M} {local_date(value)}" if value else "—"


def number_vn(value: Any) -> str:
    """`1.234`, `85,5`: the Vietnamese separators."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        whole, _, frac = f"{value:,.2f}".rstrip("0").partition(".")
        return whole.replace(",", ".") + ("," + frac if frac else "")
    return f"{int(value):,}".replace(",", ".")


def duration_vn(value: str, units: dict[str, str]) -> str:
    """`P7D` -> `7 ngày`, `PT12H` -> `12 giờ`."""
    match = _DURATION.match(value or "")
    if not match or not any(match.groups()):
        return value or ""
    keys = ("Y", "M", "W", "D", "H", "TM", "S")
    return " ".join(f"{n} {units[k]}" for k, n in zip(keys, match.groups(), strict=True) if n)


class Renderer:
    def __init__(self, labels: dict[str, Any] | None = None) -> None:
        self.labels = labels or load_labels()
        self.markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
        env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                          trim_blocks=True, lstrip_blocks=True)
        env.filters.update(
            d=date_vn, dt=datetime_vn, num=number_vn,
            duration=lambda v: duration_vn(v, self.labels["duration_units"]),
            status=lambda s: self.labels["statuses"].get(s, s),
            status_short=lambda s: self.labels["statuses_short"].get(s, s),
            report=lambda r: self.labels["report_types"].get(r, r),
            level=lambda lv: self.labels["levels"].get(lv, lv),
            reason=lambda r: self.labels["reasons"].get(r or "", r or ""),
            markdown=lambda text: Markup(self.markdown.render(text or "")),
        )
        env.globals["labels"] = self.labels
        self.env = env

    def page(self, name: str, context: dict[str, Any], fragment: bool = False) -> str:
        template = self.env.get_template(name)
        if not fragment:
            return template.render(context)
        # A live refresh asks for the <main> content only: the page swaps it in place, no reload.
        return "".join(template.blocks["main"](template.new_context(context)))
