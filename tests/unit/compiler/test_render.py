"""The draft rendered as Markdown and as a Word document in the Party format."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import docx
import pytest

from services.compiler.domain.draft import compile_draft
from services.compiler.domain.model import ObligationRow, ReportRow, TargetSpec, UnitInfo
from services.compiler.domain.tree import Tree
from services.compiler.render.context import body_and_place, load_context, long_date
from services.compiler.render.docx import render_docx
from services.compiler.render.markdown import render_markdown
from shared.plan import load_plan
from shared.settings import BUNDLED_PLAN
from tests.infra.data import example_submission

UNITS = [UnitInfo("TU", "Tỉnh ủy Lâm Giang", "province"), UnitInfo("TP", "Huyện ủy Tân Phú", "district", "TU", "TP"),
         UnitInfo("BTG", "Ban Tuyên giáo Tỉnh ủy", "agency", "TU", "BTG"),
         UnitInfo("X1", "Đảng bộ xã Phú Lộc", "grassroots", "TP", "TP.X1")]


def draft_of(scope: str) -> dict:
    plan = load_plan(BUNDLED_PLAN)
    content = example_submission()["content"]
    inspection = example_submission("submission-inspection.json")["content"]
    reports = {"X1:resolution_review": ReportRow("X1", "resolution_review", "s1", 1, content),
               "TP:resolution_review": ReportRow("TP", "resolution_review", "s2", 2, content),
               "TP:inspection_review": ReportRow("TP", "inspection_review", "s3", 1, inspection),
               "BTG:agency_review": ReportRow("BTG", "agency_review", "s4", 1, content)}
    rows = [ObligationRow("X1", "resolution_review", "late", due_at="2023-05-15T00:00:00+07:00"),
            ObligationRow("TP", "resolution_review", "submitted"), ObligationRow("BTG", "agency_review", "overdue")]
    specs = [TargetSpec(t.code, t.name, t.unit, t.aggregate, 40.0 if t.code == "NEW_MEMBERS" else None)
             for t in plan.targets]
    body = compile_draft(Tree(UNITS), scope, reports, rows, specs)
    return {"scope": scope, "version": 3, "updated_at": "2023-05-15T09:00:00+07:00", **body}


def context():
    return load_context(load_plan(BUNDLED_PLAN))


def test_the_date_line_pads_days_under_ten_and_january_and_february():
    assert long_date(date(2023, 5, 15)) == {"day": "15", "month": "5", "year": "2023"}
    assert long_date(date(2023, 2, 3)) == {"day": "03", "month": "02", "year": "2023"}


def test_a_committee_name_gives_its_party_body_and_place():
    bodies = context().layout["bodies"]
    assert body_and_place("Tỉnh ủy Lâm Giang", bodies) == ("Đảng bộ tỉnh Lâm Giang", "Lâm Giang")
    assert body_and_place("Huyện ủy Tân Phú", bodies) == ("Đảng bộ huyện Tân Phú", "Tân Phú")


def test_the_markdown_draft_follows_the_outline():
    text = render_markdown(draft_of("TU"), context())
    order = ["TỈNH ỦY LÂM GIANG", "ĐẢNG CỘNG SẢN VIỆT NAM", "Lâm Giang, ngày 15 tháng 5 năm 2023", "# BÁO CÁO",
             "Phần thứ nhất", "Phần thứ hai", "Phần thứ ba", "T/M BAN THƯỜNG VỤ", "Nơi nhận:", "## Phụ lục 1",
             "## Phụ lục 2", "## Phụ lục 3"]
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "Số      -BC/TU" in text
    assert "(Ban Tuyên giáo Tỉnh ủy)" in text or "Ban Tuyên giáo Tỉnh ủy" in text


def test_the_markdown_draft_names_the_unit_behind_each_item():
    text = render_markdown(draft_of("TP"), context())
    assert "Đảng bộ xã Phú Lộc: Ngay sau Đại hội" in text
    assert "Đối với cấp huyện" in text
    assert "Đơn vị gửi báo cáo muộn (1)" in text and "hạn 15/05/2023" in text


def read_back(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def test_the_word_draft_opens_and_its_headings_follow_the_outline():
    document = read_back(render_docx(draft_of("TU"), context()))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    expected = ["Phần thứ nhất", "Phần thứ hai", "Phần thứ ba", "Phụ lục 1", "Phụ lục 2", "Phụ lục 3"]
    found = [next(i for i, h in enumerate(headings) if h.startswith(e)) for e in expected]
    assert found == sorted(found)
    assert "I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO TRIỂN KHAI THỰC HIỆN NGHỊ QUYẾT" in headings
    assert "3. Công tác kiểm tra, giám sát và thi hành kỷ luật đảng" in headings


def test_the_word_draft_has_the_party_header_block_and_title():
    document = read_back(render_docx(draft_of("TU"), context()))
    header = document.tables[0]
    left, right = (c.text for c in header.rows[0].cells)
    assert "TỈNH ỦY LÂM GIANG" in left and "Số      -BC/TU" in left and "*" in left
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in right and "Lâm Giang, ngày 15 tháng 5 năm 2023" in right
    title = next(p for p in document.paragraphs if p.text == "BÁO CÁO")
    assert title.runs[0].bold and title.runs[0].font.size.pt == 16
    assert document.styles["Normal"].font.name == "Times New Roman"
    section = document.sections[0]
    assert round(section.left_margin.mm) == 30 and round(section.right_margin.mm) == 15


def test_the_word_target_annex_shows_the_percent_achieved_against_the_plan_goal():
    document = read_back(render_docx(draft_of("TU"), context()))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "STT" and "Tỷ lệ đạt (%)" in
                 [c.text for c in t.rows[0].cells])
    row = next(r for r in table.rows if r.cells[1].text == "Kết nạp đảng viên mới")
    assert row.cells[4].text == "36" and row.cells[5].text == "90" and row.cells[6].text == "chưa đạt"
    other = next(r for r in table.rows if r.cells[1].text == "Tỷ lệ hộ nghèo")
    assert other.cells[5].text == "…"


def test_the_word_draft_ends_the_body_with_the_signature_and_recipients():
    document = read_back(render_docx(draft_of("TP"), context()))
    signature = next(t for t in document.tables if "Nơi nhận:" in t.rows[0].cells[0].text)
    assert "- Lưu VP." in signature.rows[0].cells[0].text
    assert "T/M BAN THƯỜNG VỤ" in signature.rows[0].cells[1].text and "BÍ THƯ" in signature.rows[0].cells[1].text


def test_the_word_draft_converts_to_pdf_where_libreoffice_is_installed(tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    source = tmp_path / "draft.docx"
    source.write_bytes(render_docx(draft_of("TU"), context()))
    assert read_back(source.read_bytes()).paragraphs
    if soffice is None:
        return  # python-docx reading it back is the check here; LibreOffice is not installed
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=120)
    assert (tmp_path / "draft.pdf").stat().st_size > 0


@pytest.mark.parametrize("scope", ["TU", "TP"])
def test_an_empty_draft_renders_with_placeholders(scope):
    body = compile_draft(Tree(UNITS), scope, {}, [], [])
    draft = {"scope": scope, "version": 1, "updated_at": "2023-01-01T08:00:00+07:00", **body}
    assert "Chưa có nội dung" in render_markdown(draft, context())
    assert read_back(render_docx(draft, context())).paragraphs
