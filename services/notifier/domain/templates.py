"""Vietnamese wording lives in `data/templates/<kind>.{subject,txt,html}.j2`; the HTML part is autoescaped,
so text that came from a report or a unit can never become markup."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from shared.text import nfc

DATA = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


class Templates:
    def __init__(self, folder: Path = DATA / "templates") -> None:
        self.env = Environment(
            loader=FileSystemLoader(str(folder)),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,  # read once: checking each file's mtime per mail was ~2 % of a storm's CPU
        )
        self.env.filters["midsentence"] = midsentence

    def render(self, kind: str, context: Mapping[str, Any]) -> Rendered:
        subject = self.env.get_template(f"{kind}.subject.j2").render(context)
        return Rendered(
            subject=nfc(" ".join(subject.split())),
            text=nfc(self.env.get_template(f"{kind}.txt.j2").render(context)),
            html=nfc(self.env.get_template(f"{kind}.html.j2").render(context)),
        )


def midsentence(text: str) -> str:
    """`Báo cáo sơ kết …` inside a sentence reads `báo cáo sơ kết …`."""
    return text[:1].lower() + text[1:] if text else text


def letterhead(path: Path = DATA / "letterhead.yaml") -> dict[str, Any]:
    """Names and the sign-off the Office uses; data, so the Office can change them without code."""
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {k: (nfc(v) if isinstance(v, str) else v) for k, v in loaded.items()}
