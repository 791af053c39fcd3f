"""`midterm units import FILE.csv|.yaml`: load a whole registry and publish it on `review.units.upsert`,
parents first, a bounded number of publishes in flight. Importable: the CLI only calls these two functions.

CSV columns: unit_id, name, level, parent_id, founded_on, roles, contacts, supervisors, active.
`roles` is `;`-separated; `contacts` and `supervisors` are `;`-separated `Name <email> [role]` entries.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from shared import subjects
from shared.contract.units import Unit
from shared.streams import STREAM_NAME

_PERSON = re.compile(r"^\s*(?P<name>[^<]+?)\s*<(?P<email>[^>]+)>\s*(?:\[(?P<role>[^\]]+)\])?\s*$")
TIERS = ("province", "district", "agency", "grassroots")


class RegistryError(ValueError):
    """A registry file that cannot be imported; the message names the row and the field."""


def load_registry(path: str | Path) -> list[dict[str, Any]]:
    """Upsert payloads (CONTRACT section 1), checked against the contract model, in file order."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".csv":
        rows = [_from_csv(row, i + 2) for i, row in enumerate(csv.DictReader(text.splitlines()))]
    elif path.suffix.lower() in (".yaml", ".yml"):
        rows = yaml.safe_load(text) or []
        if not isinstance(rows, list):
            raise RegistryError(f"{path}: a registry is a YAML list of units")
    else:
        raise RegistryError(f"{path}: use a .csv or .yaml file")
    units = []
    for i, row in enumerate(rows, start=1):
        try:
            units.append(Unit.model_validate(row).model_dump(mode="json"))
        except ValidationError as exc:
            where = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise RegistryError(f"{path}: unit {i} ({row.get('unit_id') if isinstance(row, dict) else row}): "
                                f"{where}") from None
    return units


def _from_csv(row: dict[str, str], line: int) -> dict[str, Any]:
    def people(cell: str | None) -> list[dict[str, Any]]:
        found = []
        for part in filter(None, (p.strip() for p in (cell or "").split(";"))):
            match = _PERSON.match(part)
            if not match:
                raise RegistryError(f"line {line}: '{part}' is not `Name <email> [role]`")
            found.append({k: v for k, v in match.groupdict().items() if v})
        return found

    return {
        "unit_id": row.get("unit_id", "").strip(), "name": row.get("name", "").strip(),
        "level": row.get("level", "").strip(), "parent_id": (row.get("parent_id") or "").strip() or None,
        "founded_on": (row.get("founded_on") or "").strip() or None,
        "roles": [r.strip() for r in (row.get("roles") or "").split(";") if r.strip()],
        "contacts": people(row.get("contacts")), "supervisors": people(row.get("supervisors")),
        "active": (row.get("active") or "true").strip().lower() not in ("false", "0", "no"),
    }


def tiers(units: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Parents before children: the root, then districts and agencies, then grassroots units."""
    order = {"province": 0, "district": 1, "agency": 1, "grassroots": 2}
    grouped: list[list[dict[str, Any]]] = [[], [], []]
    for unit in units:
        grouped[order.get(unit["level"], 2)].append(unit)
    return [g for g in grouped if g]


def upsert_id(unit: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(unit, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:20]
    return f"upsert:{unit['unit_id']}:{digest}"


async def publish_registry(js: Any, units: list[dict[str, Any]], in_flight: int = 64) -> int:
    """Publish every unit through JetStream (a `nats.js.JetStreamContext`); a tier's acks before the next tier."""
    gate = asyncio.Semaphore(in_flight)

    async def one(unit: dict[str, Any]) -> None:
        async with gate:
            data = json.dumps(unit, ensure_ascii=False).encode()
            await js.publish(subjects.UNITS_UPSERT, data, stream=STREAM_NAME, timeout=10,
                             headers={"Nats-Msg-Id": upsert_id(unit)})

    for tier in tiers(units):
        await asyncio.gather(*(one(u) for u in tier))
    return len(units)
