"""The draft as a Word document in the Party's format (Hướng dẫn 36-HD/VPTW): header block, number
placeholder, place and date, `BÁO CÁO`, the three parts, signature and `Nơi nhận`, annexes. The Party-format
building blocks live in shared/partydoc.py (layout: shared/data/partydoc.yaml); what is a draft's own (the
`DỰ THẢO` mark and note, the parts, the annexes, the sources) is here, its texts in data/labels.yaml. Headings
use Word's Heading 1-3 styles (restyled in Times New Roman) so the navigation pane shows the outline."""

from __future__ import annotations

from typing import Any

from docx.document import Document as DocumentType
from docx.enum.text import WD_BREAK

from services.compiler.render import outline
from services.compiler.render.context import RenderContext
from shared import partydoc
from shared.partydoc import CENTER, RIGHT


def render_docx(draft: dict[str, Any], context: RenderContext) -> bytes:
    doc_model = outline.build(draft, context)
    layout = context.layout
    document = partydoc.new_document(layout)
    h = doc_model["header"]
    _header_block(document, h, layout)
    partydoc.title_block(document, h["kind"], h["summary"], layout)
    partydoc.body_paragraph(document, h["opening"], layout)
    for part in doc_model["parts"]:
        for text in (part["label"], part["title"]):
            p = document.add_paragraph(text, style="Heading 1")
            p.alignment = CENTER
        for sec in part["sections"]:
            document.add_paragraph(sec["heading"], style="Heading 2" if sec["level"] == 1 else "Heading 3")
            _blocks(document, sec["blocks"], layout)
    partydoc.body_paragraph(document, h["closing"], layout)
    partydoc.signature_block(document, layout, label=context.labels["recipients_label"], recipients=h["recipients"],
                             archive=h["archive"], signature=h["signature"])
    for annex in doc_model["annexes"]:
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        p = document.add_paragraph(annex["title"], style="Heading 1")
        p.alignment = CENTER
        note = document.add_paragraph()
        note.alignment = CENTER
        partydoc.run(note, context.labels["annex_of"].format(code=h["code"], year=h["year"], issuer=h["issuer_name"]),
                     size=layout["draft_note"]["size"], italic=True)
        _blocks(document, annex["blocks"], layout)
    if doc_model["sources"]:
        document.add_paragraph(context.labels["sources_title"], style="Heading 2")
        _blocks(document, [outline.bullets(doc_model["sources"], "")], layout, size=layout["table"]["size"])
    return partydoc.save(document)


def _header_block(document: DocumentType, h: dict[str, Any], layout: dict[str, Any]) -> None:
    """The Party header, then what marks a draft: `DỰ THẢO` on the right and the note on how it was made."""
    partydoc.header_block(document, h, layout)
    mark = document.add_paragraph()
    mark.alignment = RIGHT
    partydoc.run(mark, h["draft_mark"], size=layout["draft_mark"]["size"], bold=layout["draft_mark"]["bold"])
    note = document.add_paragraph()
    note.alignment = CENTER
    partydoc.run(note, h["draft_note"], size=layout["draft_note"]["size"], italic=True)


def _blocks(document: DocumentType, blocks: list[dict[str, Any]], layout: dict[str, Any],
            size: float | None = None) -> None:
    for block in blocks:
        if block["kind"] == "para":
            partydoc.body_paragraph(document, block["text"], layout, italic=block.get("italic", False), size=size)
        elif block["kind"] == "bullets":
            for item in block["items"]:
                partydoc.body_paragraph(document, layout["bullet"] + item, layout, size=size)
        elif block["kind"] == "table":
            partydoc.table(document, block["columns"], block["rows"], layout)
