"""Section items with the unit they came from; the same text from several units becomes one item."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from services.compiler.domain.model import ReportRow
from shared.text import fold as _fold_text

# Every recompute regroups the same report texts; folding them was most of a recompute's time.
fold = lru_cache(maxsize=1 << 16)(_fold_text)

LISTS = ("achievements", "lessons", "adjustments", "next_tasks")
ADDRESSEES = ("central", "province", "district")


class Grouper:
    """Items keyed by their folded text (case, diacritics and punctuation ignored); first wording wins,
    every source unit is kept in `units`, extra fields (a cause, a description) are merged distinct."""

    def __init__(self) -> None:
        self._items: dict[str, dict[str, Any]] = {}

    def add(self, unit_id: str, text: str, **extra: str | None) -> None:
        text = (text or "").strip()
        if not text:
            return
        key = fold(text) or text
        item = self._items.get(key)
        if item is None:
            item = self._items[key] = {"unit_id": unit_id, "text": text, "units": []}
        if unit_id not in item["units"]:
            item["units"].append(unit_id)
        for name, value in extra.items():
            value = (value or "").strip()
            if not value:
                continue
            known = item.setdefault(f"_{name}", [])
            if fold(value) not in {fold(v) for v in known}:
                known.append(value)

    def items(self) -> list[dict[str, Any]]:
        out = []
        for item in self._items.values():
            row = {k: v for k, v in item.items() if not k.startswith("_")}
            for k, v in item.items():
                if k.startswith("_"):
                    row[k[1:]] = "; ".join(v)
            out.append(row)
        return out


def build_sections(reports: Iterable[ReportRow]) -> dict[str, Any]:
    leadership: list[dict[str, Any]] = []
    lists = {name: Grouper() for name in LISTS}
    shortcomings, models = Grouper(), Grouper()
    proposals = {to: Grouper() for to in ADDRESSEES}
    for report in reports:
        content, uid = report.content, report.unit_id
        if (content.get("leadership") or "").strip():
            leadership.append({"unit_id": uid, "text": content["leadership"].strip()})
        for name in LISTS:
            for text in content.get(name) or []:
                lists[name].add(uid, text)
        for item in content.get("shortcomings") or []:
            shortcomings.add(uid, item.get("text", ""), cause=item.get("cause"))
        for item in content.get("models") or []:
            models.add(uid, item.get("title", ""), description=item.get("description"))
        for item in content.get("proposals") or []:
            if item.get("to") in proposals:
                proposals[item["to"]].add(uid, item.get("text", ""))
    return {
        "leadership": leadership,
        "achievements": lists["achievements"].items(),
        "shortcomings": shortcomings.items(),
        "lessons": lists["lessons"].items(),
        "models": models.items(),
        "adjustments": lists["adjustments"].items(),
        "next_tasks": lists["next_tasks"].items(),
        "proposals": {to: g.items() for to, g in proposals.items()},
    }
