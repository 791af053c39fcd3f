"""Loads the Vietnamese message templates (data/messages.vi.yaml)."""

from __future__ import annotations

from pathlib import Path

import yaml

from services.intake.domain.messages import Messages
from shared.text import nfc

MESSAGES = Path(__file__).resolve().parent.parent / "data" / "messages.vi.yaml"


def load_messages(path: Path = MESSAGES) -> Messages:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    templates = {k: {kk: nfc(vv) for kk, vv in v.items()} if isinstance(v, dict) else nfc(v)
                 for k, v in data.items()}
    return Messages(templates)
