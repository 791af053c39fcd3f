"""The draft as Markdown, through the Jinja2 template in data/ (the outline comes from `outline.build`)."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from services.compiler.render import outline
from services.compiler.render.context import DATA, RenderContext

_ENV = Environment(loader=FileSystemLoader(str(DATA)), undefined=StrictUndefined, autoescape=False,
                   keep_trailing_newline=True)


def render_markdown(draft: dict[str, Any], context: RenderContext) -> str:
    doc = outline.build(draft, context)
    return _ENV.get_template("draft.md.j2").render(doc=doc, h=doc["header"], labels=context.labels)
