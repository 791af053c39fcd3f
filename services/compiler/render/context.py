"""What a renderer needs beside the draft: the labels, the layout, the plan; and the header values
(issuer, parent body, place, number, date line) derived from the draft, shared by Markdown and Word."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from shared import partydoc
from shared.clock import aware, local_date
from shared.partydoc import long_date
from shared.plan import Plan

DATA = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class RenderContext:
    labels: dict[str, Any]
    layout: dict[str, Any]
    reference: str | None = None
    report_names: dict[str, str] = field(default_factory=dict)
    when: datetime | None = None  # the date line; default: the draft's `updated_at`


def load_context(plan: Plan | None = None, *, labels: Path | None = None, layout: Path | None = None,
                 when: datetime | None = None) -> RenderContext:
    return RenderContext(
        labels=partydoc.load_yaml(labels or DATA / "labels.yaml"),
        # the Party format (shared/data/partydoc.yaml), with the draft's own keys (data/layout.yaml) on top
        layout=partydoc.load_layout(overrides=partydoc.load_yaml(layout or DATA / "layout.yaml")),
        reference=plan.reference if plan else None,
        report_names={k.value if hasattr(k, "value") else str(k): v for k, v in (plan.report_names if plan else {}).items()},
        when=when,
    )


def body_and_place(name: str, bodies: list[dict[str, str]]) -> tuple[str, str]:
    """`Tỉnh ủy Lâm Giang` -> (`Đảng bộ tỉnh Lâm Giang`, `Lâm Giang`)."""
    for rule in bodies:
        prefix = rule["prefix"]
        if name.lower().startswith(prefix.lower()):
            place = name[len(prefix):].strip()
            return f"{rule['body']} {place}".strip(), place
    return name, name


def header(draft: dict[str, Any], ctx: RenderContext) -> dict[str, Any]:
    layout, labels = ctx.layout, ctx.labels
    level = draft.get("level") or "district"
    issuer = draft.get("scope_name") or draft.get("scope", "")
    root_name = draft.get("root_name") or issuer
    body, place = body_and_place(issuer, layout["bodies"])
    root_body, _ = body_and_place(root_name, layout["bodies"])
    parent_template = layout["root_parent_body"] if level == "province" else layout["district_parent_body"]
    when = aware(ctx.when) if ctx.when else as_datetime(draft.get("updated_at"))
    code = layout["codes"].get(level, "HU")
    sources = {s["unit_id"] for s in draft.get("sources", [])}
    return {
        "party": labels["party"],
        "parent_body": parent_template.format(root_body=root_body, parent=draft.get("parent_name") or "").upper(),
        "issuer": issuer.upper(),
        "issuer_name": issuer,
        "star": layout["header"]["star"],
        "number": layout["header"]["number"].format(code=code),
        "code": code,
        "date_line": layout["header"]["date"]["template"].format(place=place, **long_date(when.date())),
        "date": local_date(when),
        "year": when.year,
        "kind": labels["kind"],
        "summary": labels["summary"].format(body=body),
        "body": body,
        "draft_mark": labels["draft_mark"],
        "draft_note": labels["draft_note"].format(version=draft.get("version", ""), date=local_date(when),
                                                  sources=len(sources)),
        "opening": (labels["opening"].format(reference=ctx.reference, issuer=issuer)
                    if ctx.reference else labels["opening_no_reference"].format(issuer=issuer)),
        "closing": labels["closing"].format(body=body),
        "recipients": list(layout["recipients_by_level"].get(level, [])),
        "archive": layout["archive"].get(level, "Lưu"),
        "signature": layout["signature"],
    }


def as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return aware(value)
    if isinstance(value, str):
        return aware(datetime.fromisoformat(value))
    return aware(datetime(2023, 1, 1))


def unit_name(draft: dict[str, Any], unit_id: str) -> str:
    return (draft.get("unit_names") or {}).get(unit_id, unit_id)


def units_of(draft: dict[str, Any], item: dict[str, Any], labels: dict[str, Any], limit: int = 8) -> str:
    """`Đảng bộ xã Phú Lộc, Chi bộ … và 3 đơn vị khác` for an item grouped from several units."""
    ids = item.get("units") or [item.get("unit_id", "")]
    names = [unit_name(draft, u) for u in ids]
    if len(names) > limit:
        return ", ".join(names[:limit]) + " " + labels["unit_list_more"].format(n=len(names) - limit)
    return ", ".join(names)


def percent_of_goal(value: float | None, goal: float | None) -> float | None:
    if value is None or not goal:
        return None
    return round(value / goal * 100, 1)


def assessment(percent: float | None, labels: dict[str, Any]) -> str | None:
    if percent is None:
        return None
    if percent > 100:
        return str(labels["assessment_exceeded"])
    return str(labels["assessment_met"] if percent >= 100 else labels["assessment_not_met"])


def number(value: float | int | None) -> str:
    """Vietnamese number style: `1.234`, `85,5`."""
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
