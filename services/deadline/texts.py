"""The Vietnamese messages of the service's refusals (data/messages.yaml), filled with their details."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from shared.text import nfc

MESSAGES = Path(__file__).resolve().parent / "data" / "messages.yaml"


@cache
def _messages() -> dict[str, str]:
    return {code: nfc(text) for code, text in yaml.safe_load(MESSAGES.read_text(encoding="utf-8")).items()}


def message(code: str, **details: Any) -> str:
    template = _messages().get(code, code)
    try:
        return template.format(**details)
    except (KeyError, IndexError):
        return template
