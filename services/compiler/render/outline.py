"""The draft as the report outline of DOMAIN.md: header, Phần thứ nhất / hai / ba, annexes. One view model
for both renderers, so Markdown and Word always have the same headings in the same order."""

from __future__ import annotations

from typing import Any

from services.compiler.render.context import (
    RenderContext,
    as_datetime,
    assessment,
    header,
    number,
    percent_of_goal,
    unit_name,
    units_of,
)
from shared.clock import local_date

Block = dict[str, Any]


def para(text: str, *, italic: bool = False) -> Block:
    return {"kind": "para", "text": text, "italic": italic}


def bullets(items: list[str], empty: str) -> Block:
    return {"kind": "bullets", "items": items} if items else para(empty, italic=True)


def table(columns: list[str], rows: list[list[str]]) -> Block:
    return {"kind": "table", "columns": columns, "rows": rows}


def section(heading: str, level: int, *blocks: Block) -> dict[str, Any]:
    return {"heading": heading, "level": level, "blocks": list(blocks)}


def build(draft: dict[str, Any], ctx: RenderContext) -> dict[str, Any]:
    lb = ctx.labels
    sections = draft.get("sections") or {}
    empty = lb["nothing"]

    def sourced(items: list[dict[str, Any]], field: str = "text") -> list[str]:
        return [f"{i[field]} " + lb["from_units"].format(units=units_of(draft, i, lb)) for i in items]

    leadership = [f"{unit_name(draft, i['unit_id'])}: {i['text']}" for i in sections.get("leadership", [])]
    causes = [i for i in sections.get("shortcomings", []) if i.get("cause")]
    models = [
        f"{i['text']}" + (f": {i['description']}" if i.get("description") else "") + " "
        + lb["from_units"].format(units=units_of(draft, i, lb))
        for i in sections.get("models", [])
    ]
    hard = [
        lb["target_hard_line"].format(**t) for t in draft.get("targets", []) if t.get("at_risk") or t.get("not_achieved")
    ]
    insp = draft.get("inspection") or {}
    part1 = [
        section(lb["part1_leadership"], 1, bullets(leadership, empty)),
        section(lb["part1_results"], 1),
        section(lb["results_targets"], 2, para(lb["results_targets_note"], italic=True), target_summary(draft, ctx)),
        section(lb["results_tasks"], 2, bullets(sourced(sections.get("achievements", [])), empty)),
    ]
    if draft.get("level") == "province":
        part1.append(section(lb["results_inspection"], 2, para(lb["inspection_line"].format(
            **{k: number(insp.get(k, 0)) for k in ("inspections", "supervisions", "members_disciplined",
                                                  "organizations_disciplined", "reported_by")}))))
    part1 += [
        section(lb["part1_assessment"], 1),
        section(lb["assessment_strengths"], 2, para(lb["placeholder"], italic=True)),
        section(lb["assessment_shortcomings"], 2, bullets(sourced(sections.get("shortcomings", [])), empty)),
        section(lb["assessment_causes"], 2, bullets(sourced(causes, "cause"), empty)),
        section(lb["assessment_lessons"], 2, bullets(sourced(sections.get("lessons", [])), empty)),
        section(lb["assessment_models"], 2, bullets(models, empty)),
    ]
    part2 = [
        section(lb["part2_outlook"], 1, para(lb["placeholder"], italic=True)),
        section(lb["part2_targets"], 1,
                *( [para(lb["targets_hard"]), bullets(hard, empty)] if hard else []),
                para(lb["adjustments_intro"]),
                bullets(sourced(sections.get("adjustments", [])), empty)),
        section(lb["part2_tasks"], 1, bullets(sourced(sections.get("next_tasks", [])), empty)),
    ]
    proposals = sections.get("proposals") or {}
    part3 = []
    for n, to in enumerate([t for t in ("central", "province", "district")
                            if t != "district" or draft.get("level") == "district" or proposals.get(t)], 1):
        part3.append(section(f"{n}. {lb['proposals_' + to]}", 2, bullets(sourced(proposals.get(to, [])), empty)))
    return {
        "header": header(draft, ctx),
        "parts": [
            {"label": lb["part1"], "title": lb["part1_title"], "sections": part1},
            {"label": lb["part2"], "title": lb["part2_title"], "sections": part2},
            {"label": lb["part3"], "title": lb["part3_title"], "sections": part3},
        ],
        "annexes": annexes(draft, ctx),
        "sources": [
            lb["source_line"].format(unit=unit_name(draft, s["unit_id"]),
                                     report=ctx.report_names.get(s["report_type"], s["report_type"]),
                                     version=s["version"], submission_id=s["submission_id"])
            for s in draft.get("sources", [])
        ],
    }


def target_summary(draft: dict[str, Any], ctx: RenderContext) -> Block:
    lb = ctx.labels
    items = []
    for t in draft.get("targets", []):
        value = number(t.get("value")) or "…"
        items.append(f"{t['name']} ({lb['aggregates'].get(t['aggregate'], t['aggregate'])}): {value} {t['unit']}; "
                     + lb["target_status_counts"].format(**t))
    return bullets(items, lb["nothing"])


def annexes(draft: dict[str, Any], ctx: RenderContext) -> list[dict[str, Any]]:
    lb = ctx.labels
    rows = []
    for n, t in enumerate(draft.get("targets", []), 1):
        pct = percent_of_goal(t.get("value"), t.get("goal"))
        rows.append([str(n), t["name"], t["unit"], number(t.get("goal")) or "…", number(t.get("value")) or "…",
                     number(pct) if pct is not None else "…", assessment(pct, lb) or "…",
                     lb["target_status_counts"].format(**t)])
    insp = draft.get("inspection") or {}
    insp_rows = [[str(n), label, number(insp.get(key, 0))] for n, (key, label)
                 in enumerate(lb["inspection_rows"].items(), 1)]
    out = [{"title": lb["annex1"], "blocks": [table(lb["target_columns"], rows)]}]
    if draft.get("level") == "province":
        out.append({"title": lb["annex2"], "blocks": [
            table(lb["inspection_columns"], insp_rows),
            para(lb["inspection_reported"].format(n=insp.get("reported_by", 0)), italic=True)]})
    out.append({"title": lb["annex3"], "blocks": coverage_blocks(draft, ctx)})
    if "milestones" in draft:  # absent when the deadline service did not answer at compile time
        out.append({"title": lb["annex4"], "blocks": milestone_blocks(draft, ctx)})
    return out


def milestone_blocks(draft: dict[str, Any], ctx: RenderContext) -> list[Block]:
    lb = ctx.labels
    rows = [[str(n), m.get("unit_name") or m["unit_id"], m.get("name") or m["milestone"],
             local_date(as_datetime(m["due_at"])) if m.get("due_at") else "…",
             _day(m.get("met_on")) or lb["milestone_not_met"],
             lb["milestone_status"].get(m["status"], m["status"])]
            for n, m in enumerate(draft.get("milestones") or [], 1)]
    if not rows:
        return [para(lb["milestones_none"], italic=True)]
    return [para(lb["milestones_intro"]), table(lb["milestone_columns"], rows)]


def _day(value: Any) -> str:
    """`met_on` is a date (`2023-06-20`) or an instant; shown as `20/06/2023`."""
    if not value:
        return ""
    try:
        return local_date(as_datetime(str(value) if "T" in str(value) else f"{value}T12:00:00+07:00"))
    except ValueError:
        return str(value)


def coverage_blocks(draft: dict[str, Any], ctx: RenderContext) -> list[Block]:
    lb = ctx.labels
    cov = draft.get("coverage") or {}
    keys = ("expected", "submitted", "late", "returned", "overdue", "pending", "exempt")
    rows = [[str(n), b["name"], *(number(b.get(k, 0)) for k in keys)]
            for n, b in enumerate(cov.get("breakdown", []), 1)]
    rows.append(["", lb["coverage_total"], *(number(cov.get(k, 0)) for k in keys)])
    blocks: list[Block] = [table(lb["coverage_columns"], rows)]
    for status, title in lb["coverage_lists"].items():
        entries = [u for u in cov.get("units", []) if u["status"] == status]
        if not entries:
            continue
        blocks.append(para(f"{title} ({len(entries)}):"))
        blocks.append(bullets([_coverage_line(u, ctx) for u in entries], lb["nothing"]))
    return blocks


def _coverage_line(row: dict[str, Any], ctx: RenderContext) -> str:
    report = ctx.report_names.get(row["report_type"], row["report_type"])
    due = ""
    if row.get("due_at"):
        due = " (" + ctx.labels["coverage_due"].format(date=local_date(as_datetime(row["due_at"]))) + ")"
    return f"{row.get('unit_name') or row['unit_id']}: {report}{due}"
