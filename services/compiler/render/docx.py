"""The draft as a Word document in the Party's format (Hướng dẫn 36-HD/VPTW): header block, number
placeholder, place and date, `BÁO CÁO`, the three parts, signature and `Nơi nhận`, annexes. Every size,
margin and text comes from data/layout.yaml and data/labels.yaml; headings use Word's Heading 1-3 styles
(restyled in Times New Roman) so the navigation pane shows the outline."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from services.compiler.render import outline
from services.compiler.render.context import RenderContext

CENTER, RIGHT, JUSTIFY, LEFT = (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT,
                                WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.LEFT)


def render_docx(draft: dict[str, Any], context: RenderContext) -> bytes:
    doc_model = outline.build(draft, context)
    layout = context.layout
    document = Document()
    _page(document, layout)
    _styles(document, layout)
    h = doc_model["header"]
    _header_block(document, h, layout)
    _title(document, h, layout)
    _body_paragraph(document, h["opening"], layout)
    for part in doc_model["parts"]:
        for text in (part["label"], part["title"]):
            p = document.add_paragraph(text, style="Heading 1")
            p.alignment = CENTER
        for sec in part["sections"]:
            document.add_paragraph(sec["heading"], style="Heading 2" if sec["level"] == 1 else "Heading 3")
            _blocks(document, sec["blocks"], layout)
    _body_paragraph(document, h["closing"], layout)
    _signature(document, h, context)
    for annex in doc_model["annexes"]:
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        p = document.add_paragraph(annex["title"], style="Heading 1")
        p.alignment = CENTER
        note = document.add_paragraph()
        note.alignment = CENTER
        _run(note, context.labels["annex_of"].format(code=h["code"], year=h["year"], issuer=h["issuer_name"]),
             size=layout["draft_note"]["size"], italic=True)
        _blocks(document, annex["blocks"], layout)
    if doc_model["sources"]:
        document.add_paragraph(context.labels["sources_title"], style="Heading 2")
        _blocks(document, [outline.bullets(doc_model["sources"], "")], layout, size=layout["table"]["size"])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- page and styles ---------------------------------------------------------------------------------------

def _page(document: DocumentType, layout: dict[str, Any]) -> None:
    page = layout["page"]
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(page["width_mm"]), Mm(page["height_mm"])
    section.top_margin, section.bottom_margin = Mm(page["top_mm"]), Mm(page["bottom_mm"])
    section.left_margin, section.right_margin = Mm(page["left_mm"]), Mm(page["right_mm"])
    # page numbers top centre from page 2: the first page gets its own, empty header
    section.different_first_page_header_footer = layout["page_numbers"]["from_page"] >= 2
    p = section.header.paragraphs[0]
    p.alignment = CENTER
    _page_field(p, layout)


def _page_field(paragraph: Paragraph, layout: dict[str, Any]) -> None:
    run = paragraph.add_run()
    _font(run, layout["page_numbers"]["size"])
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _styles(document: DocumentType, layout: dict[str, Any]) -> None:
    name = layout["font"]
    normal = document.styles["Normal"]
    _font_element(normal.element, name)
    normal.font.size = Pt(layout["body"]["size"])
    normal.paragraph_format.space_after = Pt(layout["body"]["space_after_pt"])
    normal.paragraph_format.line_spacing = layout["body"]["line_spacing"]
    for style_name, key in (("Heading 1", "part"), ("Heading 2", "roman"), ("Heading 3", "arabic")):
        spec = layout["headings"][key]
        style = document.styles[style_name]
        _font_element(style.element, name)
        style.font.size = Pt(spec["size"])
        style.font.bold = spec.get("bold", True)
        style.font.italic = spec.get("italic", False)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(6)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.first_line_indent = Mm(layout["body"]["first_line_indent_mm"]) if key != "part" else None


def _font_element(style_element: Any, name: str) -> None:
    rpr = style_element.get_or_add_rPr()
    _rfonts(rpr, name)


def _rfonts(rpr: Any, name: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _font(run: Any, size: float, *, bold: bool | None = None, italic: bool | None = None,
          underline: bool | None = None) -> Any:
    """Size and emphasis; the font itself comes from the Normal style every paragraph inherits."""
    run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if italic is not None:
        run.font.italic = italic
    if underline is not None:
        run.font.underline = underline
    return run


def _run(paragraph: Paragraph, text: str, *, size: float, bold: bool | None = None, italic: bool | None = None,
         underline: bool | None = None) -> Any:
    return _font(paragraph.add_run(text), size, bold=bold, italic=italic, underline=underline)


# --- blocks ------------------------------------------------------------------------------------------------

def _header_block(document: DocumentType, h: dict[str, Any], layout: dict[str, Any]) -> None:
    hd = layout["header"]
    grid = document.add_table(rows=1, cols=2)
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = grid.rows[0].cells
    usable = layout["page"]["width_mm"] - layout["page"]["left_mm"] - layout["page"]["right_mm"]
    left.width, right.width = Mm(hd["left_column_mm"]), Mm(usable - hd["left_column_mm"])
    _cell_line(left, h["parent_body"], hd["parent_body"], first=True)
    _cell_line(left, h["issuer"], hd["issuer"])
    _cell_line(left, h["star"], {"size": hd["issuer"]["size"]})
    _cell_line(left, h["number"], {"size": hd["number_size"]})
    _cell_line(right, h["party"], hd["party"], first=True)
    _cell_line(right, "", {"size": hd["date"]["size"]})
    date_line = _cell_line(right, h["date_line"], hd["date"])
    date_line.alignment = CENTER
    mark = document.add_paragraph()
    mark.alignment = RIGHT
    _run(mark, h["draft_mark"], size=layout["draft_mark"]["size"], bold=layout["draft_mark"]["bold"])
    note = document.add_paragraph()
    note.alignment = CENTER
    _run(note, h["draft_note"], size=layout["draft_note"]["size"], italic=True)


def _cell_line(cell: _Cell, text: str, spec: dict[str, Any], first: bool = False) -> Paragraph:
    p = cell.paragraphs[0] if first else cell.add_paragraph()
    p.alignment = CENTER
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.first_line_indent = None
    if text:
        _run(p, text, size=spec["size"], bold=spec.get("bold"), italic=spec.get("italic"),
             underline=spec.get("underline"))
    return p


def _title(document: DocumentType, h: dict[str, Any], layout: dict[str, Any]) -> None:
    for text, spec in ((h["kind"], layout["title"]), (h["summary"], layout["summary"]),
                       (layout["separator"], layout["summary"])):
        p = document.add_paragraph()
        p.alignment = CENTER
        p.paragraph_format.space_after = Pt(0)
        _run(p, text, size=spec["size"], bold=spec.get("bold"))
    document.add_paragraph()


def _body_paragraph(document: DocumentType, text: str, layout: dict[str, Any], *, italic: bool = False,
                    size: float | None = None) -> Paragraph:
    body = layout["body"]
    p = document.add_paragraph()
    p.alignment = JUSTIFY if body["justify"] else LEFT
    p.paragraph_format.first_line_indent = Mm(body["first_line_indent_mm"])
    _run(p, text, size=size or body["size"], italic=italic or None)
    return p


def _blocks(document: DocumentType, blocks: list[dict[str, Any]], layout: dict[str, Any],
            size: float | None = None) -> None:
    for block in blocks:
        if block["kind"] == "para":
            _body_paragraph(document, block["text"], layout, italic=block.get("italic", False), size=size)
        elif block["kind"] == "bullets":
            for item in block["items"]:
                _body_paragraph(document, layout["bullet"] + item, layout, size=size)
        elif block["kind"] == "table":
            _table(document, block, layout)


def _table(document: DocumentType, block: dict[str, Any], layout: dict[str, Any]) -> None:
    spec = layout["table"]
    grid = document.add_table(rows=1, cols=len(block["columns"]))
    grid.style = document.styles[spec["style"]]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(grid.rows[0].cells, block["columns"], strict=True):
        _table_text(cell, text, spec["size"], bold=spec["header_bold"], align=CENTER)
    for row in block["rows"]:
        cells = grid.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, row, strict=True)):
            _table_text(cell, text, spec["size"], align=LEFT if i == 1 else CENTER)
    document.add_paragraph()


def _table_text(cell: _Cell, text: str, size: float, *, bold: bool | None = None,
                align: Any = CENTER) -> None:
    p = cell.paragraphs[0]
    p.alignment = align
    p.paragraph_format.first_line_indent = None
    p.paragraph_format.space_after = Pt(0)
    _run(p, text, size=size, bold=bold)


def _signature(document: DocumentType, h: dict[str, Any], context: RenderContext) -> None:
    layout, labels = context.layout, context.labels
    rec, sig = layout["recipients"], h["signature"]
    grid = document.add_table(rows=1, cols=2)
    left, right = grid.rows[0].cells
    label = left.paragraphs[0]
    label.paragraph_format.first_line_indent = None
    _run(label, labels["recipients_label"], size=rec["label_size"], bold=rec.get("label_bold"),
         italic=rec.get("label_italic"), underline=rec.get("label_underline"))
    for line in [f"- {r};" for r in h["recipients"]] + [f"- {h['archive']}."]:
        p = left.add_paragraph()
        p.paragraph_format.first_line_indent = None
        p.paragraph_format.space_after = Pt(0)
        _run(p, line, size=rec["size"])
    _cell_line(right, sig["on_behalf"], {"size": layout["body"]["size"], "bold": True}, first=True)
    _cell_line(right, sig["title"], {"size": layout["body"]["size"]})
    for _ in range(int(sig.get("space_lines", 3))):
        _cell_line(right, "", {"size": layout["body"]["size"]})
    _cell_line(right, sig["name"], {"size": layout["body"]["size"], "bold": True})
