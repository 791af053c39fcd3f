"""Word documents in the Party format (Hướng dẫn 36-HD/VPTW, 2018), the building blocks every document shares:
A4 page and margins, Times New Roman, the header block (`ĐẢNG CỘNG SẢN VIỆT NAM`, the parent body, the issuing
body and its `*`, the number placeholder, the place-and-date line), the title block, body paragraphs, tables,
the signature and `Nơi nhận` blocks. Every size, margin and text comes from `shared/data/partydoc.yaml` (the
Office adjusts it when the guidance changes); a caller may pass its own layout on top of it.

`render_outline_docx` writes an outline (đề cương, CONTRACT § 10) as a Word template a unit fills in.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from shared.text import nfc

DATA = Path(__file__).resolve().parent / "data"
LAYOUT = DATA / "partydoc.yaml"
OUTLINE_TEXTS = DATA / "outline_template.yaml"

CENTER, RIGHT, JUSTIFY, LEFT = (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT,
                                WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.LEFT)
# Word's heading styles, so the navigation pane shows the outline: part -> Heading 1, `I.` -> 2, `1.` -> 3
HEADING_STYLES = (("Heading 1", "part"), ("Heading 2", "roman"), ("Heading 3", "arabic"))


# --- configuration -------------------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _yaml(path: str) -> dict[str, Any]:
    loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return _nfc(loaded or {})


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {k: _nfc(v) for k, v in value.items()}
    return value


def load_layout(path: Path | None = None, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The Party-format layout (a fresh copy), with a caller's own keys on top."""
    return copy.deepcopy({**_yaml(str(path or LAYOUT)), **(overrides or {})})


def load_yaml(path: Path) -> dict[str, Any]:
    """A data file in NFC (a fresh copy of the cached one): the labels and layouts of the renderers."""
    return copy.deepcopy(_yaml(str(path)))


def long_date(day: date) -> dict[str, str]:
    """The date line's parts: days under 10 and the months January and February with a leading 0."""
    return {"day": f"{day.day:02d}", "month": f"{day.month:02d}" if day.month <= 2 else str(day.month),
            "year": str(day.year)}


# --- page and styles -----------------------------------------------------------------------------------------

def new_document(layout: Mapping[str, Any]) -> DocumentType:
    """An empty A4 document with the margins, page numbers and Times New Roman styles of the layout."""
    document = Document()
    page_setup(document, layout)
    styles(document, layout)
    return document


def page_setup(document: DocumentType, layout: Mapping[str, Any]) -> None:
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


def _page_field(paragraph: Paragraph, layout: Mapping[str, Any]) -> None:
    run = paragraph.add_run()
    font(run, layout["page_numbers"]["size"])
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def styles(document: DocumentType, layout: Mapping[str, Any]) -> None:
    name = layout["font"]
    normal = document.styles["Normal"]
    _font_element(normal.element, name)
    normal.font.size = Pt(layout["body"]["size"])
    normal.paragraph_format.space_after = Pt(layout["body"]["space_after_pt"])
    normal.paragraph_format.line_spacing = layout["body"]["line_spacing"]
    for style_name, key in HEADING_STYLES:
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
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def font(run: Any, size: float, *, bold: bool | None = None, italic: bool | None = None,
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


def run(paragraph: Paragraph, text: str, *, size: float, bold: bool | None = None, italic: bool | None = None,
        underline: bool | None = None) -> Any:
    return font(paragraph.add_run(text), size, bold=bold, italic=italic, underline=underline)


# --- blocks --------------------------------------------------------------------------------------------------

def header_block(document: DocumentType, h: Mapping[str, str], layout: Mapping[str, Any]) -> None:
    """Top left: the parent body, the issuing body in bold, `*`, the number; top right: `ĐẢNG CỘNG SẢN VIỆT NAM`
    underlined, then the place-and-date line in italics. `h` has `parent_body`, `issuer`, `star`, `number`,
    `party` and `date_line`."""
    hd = layout["header"]
    grid = document.add_table(rows=1, cols=2)
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = grid.rows[0].cells
    usable = layout["page"]["width_mm"] - layout["page"]["left_mm"] - layout["page"]["right_mm"]
    left.width, right.width = Mm(hd["left_column_mm"]), Mm(usable - hd["left_column_mm"])
    cell_line(left, h["parent_body"], hd["parent_body"], first=True)
    cell_line(left, h["issuer"], hd["issuer"])
    cell_line(left, h["star"], {"size": hd["issuer"]["size"]})
    cell_line(left, h["number"], {"size": hd["number_size"]})
    cell_line(right, h["party"], hd["party"], first=True)
    cell_line(right, "", {"size": hd["date"]["size"]})
    date_line = cell_line(right, h["date_line"], hd["date"])
    date_line.alignment = CENTER


def cell_line(cell: _Cell, text: str, spec: Mapping[str, Any], first: bool = False) -> Paragraph:
    p = cell.paragraphs[0] if first else cell.add_paragraph()
    p.alignment = CENTER
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.first_line_indent = None
    if text:
        run(p, text, size=spec["size"], bold=spec.get("bold"), italic=spec.get("italic"),
            underline=spec.get("underline"))
    return p


def title_block(document: DocumentType, kind: str, summary: str, layout: Mapping[str, Any]) -> None:
    """Centred: the kind (`BÁO CÁO`) in bold caps, the summary line in bold, `-----`, then a blank line."""
    for text, spec in ((kind, layout["title"]), (summary, layout["summary"]),
                       (layout["separator"], layout["summary"])):
        p = document.add_paragraph()
        p.alignment = CENTER
        p.paragraph_format.space_after = Pt(0)
        run(p, text, size=spec["size"], bold=spec.get("bold"))
    document.add_paragraph()


def body_paragraph(document: DocumentType, text: str, layout: Mapping[str, Any], *, italic: bool = False,
                   size: float | None = None) -> Paragraph:
    body = layout["body"]
    p = document.add_paragraph()
    p.alignment = JUSTIFY if body["justify"] else LEFT
    p.paragraph_format.first_line_indent = Mm(body["first_line_indent_mm"])
    run(p, text, size=size or body["size"], italic=italic or None)
    return p


def table(document: DocumentType, columns: list[str], rows: list[list[str]], layout: Mapping[str, Any]) -> None:
    """A bordered table, the header row bold; the second column (a name) left-aligned, the others centred."""
    spec = layout["table"]
    grid = document.add_table(rows=1, cols=len(columns))
    grid.style = document.styles[spec["style"]]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(grid.rows[0].cells, columns, strict=True):
        _table_text(cell, text, spec["size"], bold=spec["header_bold"], align=CENTER)
    for row in rows:
        cells = grid.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, row, strict=True)):
            _table_text(cell, text, spec["size"], align=LEFT if i == 1 else CENTER)
    document.add_paragraph()


def _table_text(cell: _Cell, text: str, size: float, *, bold: bool | None = None, align: Any = CENTER) -> None:
    p = cell.paragraphs[0]
    p.alignment = align
    p.paragraph_format.first_line_indent = None
    p.paragraph_format.space_after = Pt(0)
    run(p, text, size=size, bold=bold)


def signature_block(document: DocumentType, layout: Mapping[str, Any], *, label: str, recipients: list[str],
                    archive: str, signature: Mapping[str, Any]) -> None:
    """Left: `Nơi nhận:` and `- …;` per recipient, the last `- Lưu ….`; right: `T/M BAN THƯỜNG VỤ` in bold, the
    title, blank lines to sign in, the name in bold."""
    rec = layout["recipients"]
    grid = document.add_table(rows=1, cols=2)
    left, right = grid.rows[0].cells
    head = left.paragraphs[0]
    head.paragraph_format.first_line_indent = None
    run(head, label, size=rec["label_size"], bold=rec.get("label_bold"), italic=rec.get("label_italic"),
        underline=rec.get("label_underline"))
    for line in [f"- {r};" for r in recipients] + [f"- {archive}."]:
        p = left.add_paragraph()
        p.paragraph_format.first_line_indent = None
        p.paragraph_format.space_after = Pt(0)
        run(p, line, size=rec["size"])
    size = layout["body"]["size"]
    cell_line(right, signature["on_behalf"], {"size": size, "bold": True}, first=True)
    cell_line(right, signature["title"], {"size": size})
    for _ in range(int(signature.get("space_lines", 3))):
        cell_line(right, "", {"size": size})
    cell_line(right, signature["name"], {"size": size, "bold": True})


def save(document: DocumentType) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- the outline as a template a unit fills in ------------------------------------------------------------------

def render_outline_docx(outline: Mapping[str, Any], issuer: Mapping[str, Any] | None = None) -> bytes:
    """An outline (`{"report_type", "title", "sections": [{"key", "heading", "guidance"}]}`) as a Word template:
    the Party header (the issuer's names, or blanks to fill in), the title, each heading in the Party format
    with its guidance in italics beneath and blank lines to write in, then a signature block placeholder.

    `issuer` (optional): `parent_body` (`ĐẢNG BỘ TỈNH LÂM GIANG`), `name` (`Huyện ủy Tân Phú`), `code` (`HU`),
    `place` (`Tân Phú`), `date` (a `datetime.date` for the date line), `recipients`, `archive`, `on_behalf`,
    `title`, `signer`.
    """
    layout = load_layout()
    texts = load_yaml(OUTLINE_TEXTS)
    issuer = dict(issuer or {})
    document = new_document(layout)
    header_block(document, _outline_header(issuer, layout, texts), layout)
    note = document.add_paragraph()
    note.alignment = CENTER
    run(note, texts["template_note"], size=layout["table"]["size"], italic=True)
    kind, summary = _kind_and_summary(nfc(str(outline.get("title") or "")), texts["kind"])
    title_block(document, kind, summary, layout)
    for section in outline.get("sections") or []:
        heading = nfc(str(section.get("heading") or section.get("key") or ""))
        document.add_paragraph(heading, style=_heading_style(heading))
        guidance = nfc(str(section.get("guidance") or "")).strip()
        for line in [g for g in guidance.splitlines() if g.strip()]:
            body_paragraph(document, line.strip(), layout, italic=True)
        for _ in range(int(texts["blank_lines"])):
            body_paragraph(document, texts["blank_line"], layout)
    signature = {**layout["signature"]}
    for key, field in (("on_behalf", "on_behalf"), ("title", "title"), ("name", "signer")):
        if issuer.get(field):
            signature[key] = nfc(str(issuer[field]))
    if not issuer.get("signer"):
        signature["name"] = texts["signature_name"]
    signature_block(document, layout, label=texts["recipients_label"],
                    recipients=[nfc(str(r)) for r in issuer.get("recipients") or texts["recipients"]],
                    archive=nfc(str(issuer.get("archive") or texts["archive"])), signature=signature)
    return save(document)


def _outline_header(issuer: Mapping[str, Any], layout: Mapping[str, Any], texts: Mapping[str, Any]) -> dict[str, str]:
    code = str(issuer.get("code") or texts["code"])
    when = issuer.get("date")
    place = nfc(str(issuer.get("place") or texts["place"]))
    if isinstance(when, date):
        date_line = layout["header"]["date"]["template"].format(place=place, **long_date(when))
    else:
        date_line = texts["date_blank"]
    return {
        "parent_body": nfc(str(issuer.get("parent_body") or texts["parent_body"])).upper(),
        "issuer": nfc(str(issuer.get("name") or texts["issuer"])).upper(),
        "star": layout["header"]["star"],
        "number": layout["header"]["number"].format(code=code),
        "party": texts["party"],
        "date_line": date_line,
    }


def _kind_and_summary(title: str, default_kind: str) -> tuple[str, str]:
    """`Báo cáo sơ kết giữa nhiệm kỳ …` -> (`BÁO CÁO`, `sơ kết giữa nhiệm kỳ …`): the kind in caps, the summary
    starting in lower case, the way the Party format writes the title. Other titles keep the default kind."""
    for kind in ("Báo cáo", "Kế hoạch", "Đề cương", "Chương trình"):
        if title.lower().startswith(kind.lower()):
            rest = title[len(kind):].strip(" :–-")
            return kind.upper(), rest[:1].lower() + rest[1:]
    return default_kind, title


def _heading_style(heading: str) -> str:
    """`Phần thứ …` -> Heading 1; `I.`, `II.` … -> Heading 2; anything else (`1.`, `a)`) -> Heading 3."""
    first = heading.split(" ", 1)[0].rstrip(".")
    if heading.lower().startswith("phần"):
        return "Heading 1"
    if first and all(ch in "IVXLC" for ch in first) and heading.split(" ", 1)[0].endswith("."):
        return "Heading 2"
    return "Heading 3"
