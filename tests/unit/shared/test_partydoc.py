"""The Party-format Word building blocks and the outline template a unit fills in."""

from __future__ import annotations

import io
from datetime import date

import docx

from shared import partydoc

OUTLINE = {
    "report_type": "resolution_review",
    "title": "Báo cáo sơ kết giữa nhiệm kỳ thực hiện Nghị quyết Đại hội đảng bộ",
    "sections": [
        {"key": "part1", "heading": "Phần thứ nhất. Kết quả nửa đầu nhiệm kỳ", "guidance": ""},
        {"key": "leadership", "heading": "I. Công tác lãnh đạo, chỉ đạo",
         "guidance": "Vai trò lãnh đạo của cấp ủy trên các lĩnh vực kinh tế, xã hội, quốc phòng, an ninh."},
        {"key": "targets", "heading": "1. Kết quả thực hiện các chỉ tiêu chủ yếu",
         "guidance": "Chỉ tiêu đạt, vượt, chưa đạt; chỉ tiêu khó đạt và nguyên nhân.\nKèm phụ lục số liệu."},
        {"key": "proposals", "heading": "Phần thứ ba. Đề xuất, kiến nghị", "guidance": "Theo từng cấp."},
    ],
}


def _read(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def _texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def test_an_outline_becomes_a_word_template_with_its_headings_in_order():
    document = _read(partydoc.render_outline_docx(OUTLINE))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [s["heading"] for s in OUTLINE["sections"]]
    styles = {p.text: p.style.name for p in document.paragraphs if p.style.name.startswith("Heading")}
    assert styles["Phần thứ nhất. Kết quả nửa đầu nhiệm kỳ"] == "Heading 1"
    assert styles["I. Công tác lãnh đạo, chỉ đạo"] == "Heading 2"
    assert styles["1. Kết quả thực hiện các chỉ tiêu chủ yếu"] == "Heading 3"


def test_the_guidance_sits_in_italics_under_its_heading_followed_by_blank_lines_to_write_in():
    document = _read(partydoc.render_outline_docx(OUTLINE))
    paragraphs = document.paragraphs
    at = next(i for i, p in enumerate(paragraphs) if p.text == "1. Kết quả thực hiện các chỉ tiêu chủ yếu")
    guidance = paragraphs[at + 1: at + 3]
    assert [p.text for p in guidance] == ["Chỉ tiêu đạt, vượt, chưa đạt; chỉ tiêu khó đạt và nguyên nhân.",
                                          "Kèm phụ lục số liệu."]
    assert all(run.italic for p in guidance for run in p.runs)
    assert paragraphs[at + 3].text.startswith("……") and not paragraphs[at + 3].runs[0].italic


def test_the_template_has_the_party_header_title_and_a_signature_placeholder():
    document = _read(partydoc.render_outline_docx(OUTLINE))
    header, signature = document.tables[0], document.tables[-1]
    cells = [c.text for c in header.rows[0].cells]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in cells[1] and "*" in cells[0] and "Số " in cells[0]
    texts = _texts(document)
    assert "BÁO CÁO" in texts
    assert "sơ kết giữa nhiệm kỳ thực hiện Nghị quyết Đại hội đảng bộ" in texts
    left, right = (c.text for c in signature.rows[0].cells)
    assert left.startswith("Nơi nhận:") and "T/M BAN THƯỜNG VỤ" in right and "[Họ và tên]" in right


def test_an_issuer_fills_the_header_with_its_names_and_the_date_line():
    issuer = {"parent_body": "Đảng bộ tỉnh Lâm Giang", "name": "Huyện ủy Tân Phú", "code": "HU",
              "place": "Tân Phú", "date": date(2023, 2, 3)}
    document = _read(partydoc.render_outline_docx(OUTLINE, issuer))
    left, right = (c.text for c in document.tables[0].rows[0].cells)
    assert "ĐẢNG BỘ TỈNH LÂM GIANG" in left and "HUYỆN ỦY TÂN PHÚ" in left and "-BC/HU" in left
    assert "Tân Phú, ngày 03 tháng 02 năm 2023" in right


def test_the_page_is_a4_with_the_layouts_margins_and_times_new_roman():
    layout = partydoc.load_layout()
    document = _read(partydoc.render_outline_docx(OUTLINE))
    section = document.sections[0]
    assert round(section.page_width.mm) == layout["page"]["width_mm"] == 210
    assert round(section.left_margin.mm) == layout["page"]["left_mm"]
    assert document.styles["Normal"].font.name == "Times New Roman"


def test_a_callers_layout_keys_override_the_shared_ones():
    layout = partydoc.load_layout(overrides={"font": "Arial"})
    assert layout["font"] == "Arial" and partydoc.load_layout()["font"] == "Times New Roman"
