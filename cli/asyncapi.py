"""`make asyncapi`: each service's AsyncAPI document, generated from its FastStream app without connecting."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from cli.stack import SERVICES
from shared.service import build_runtime
from shared.settings import Settings


def spec(service: str) -> dict[str, Any]:
    wire = importlib.import_module(f"services.{service}.app").wire
    app = wire(build_runtime(service, Settings(LOG_LEVEL="WARNING")))
    document: dict[str, Any] = app.schema.to_specification().to_jsonable()
    return document


def channel_addresses(document: dict[str, Any]) -> set[str]:
    return {str(channel.get("address", name)) for name, channel in document.get("channels", {}).items()}


def write_all(folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    for service in SERVICES:
        document = spec(service)
        (folder / f"{service}.json").write_text(json.dumps(document, ensure_ascii=False, indent=2), "utf-8")
        print(f"{folder / (service + '.json')}: {len(document.get('channels', {}))} channels")
    return 0
