"""Loads the Vietnamese text of intake: rejection messages (data/messages.vi.yaml), audit lines (data/audit.vi.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from services.intake.domain.messages import Messages
from shared.text import nfc

DATA = Path(__file__).resolve().parent.parent / "data"
MESSAGES = DATA / "messages.vi.yaml"
AUDIT = DATA / "audit.vi.yaml"


def nfc_tree(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, dict):
        return {k: nfc_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfc_tree(v) for v in value]
    return value


def load_messages(path: Path = MESSAGES) -> Messages:
    return Messages(nfc_tree(yaml.safe_load(path.read_text(encoding="utf-8"))))


def load_audit_lines(path: Path = AUDIT) -> dict[str, Any]:
    lines: dict[str, Any] = nfc_tree(yaml.safe_load(path.read_text(encoding="utf-8")))
    return lines
