"""Catalogue search: case and diacritics ignored, ranked, limited."""

from __future__ import annotations

from services.intake.domain.catalog import CatalogIndex, Entry, from_submission, registered


def index() -> CatalogIndex:
    return CatalogIndex([
        Entry("a", "05-BC/HU", "Báo cáo sơ kết Nghị quyết Đại hội Đảng bộ huyện", "2023-06-25", "Huyện ủy"),
        Entry("b", "14-CTr/TU", "Chương trình hành động", "2021-01-15", "Tỉnh ủy"),
        Entry("c", "68-CT/TU", "Chỉ thị về phát triển đảng viên", "2021-06-01", "Tỉnh ủy"),
        Entry("d", "05-BC/HU", "Báo cáo sơ kết Nghị quyết Đại hội Đảng bộ huyện", "2023-06-25", "Huyện ủy"),
    ])


def test_dang_finds_dang_with_diacritics_and_stroked_d():
    found = [e.id for e in index().search("dang")]
    assert len(found) == 2 and "c" in found and ({"a", "d"} & set(found))


def test_the_entry_with_more_query_words_ranks_first():
    assert index().search("nghi quyet dang")[0].id in {"a", "d"}
    assert index().search("phat trien dang vien")[0].id == "c"


def test_an_exact_number_ranks_above_title_matches():
    idx = index()
    idx.add(Entry("e", "X", "Về chương trình 14 tu", None))
    assert idx.search("14-ctr/tu")[0].id == "b"


def test_identical_documents_are_listed_once_and_the_limit_is_kept():
    assert len(index().search("05-BC/HU")) == 1
    assert len(index().search("tu", limit=1)) == 1


def test_a_replaced_entry_is_found_by_its_new_title_only():
    idx = index()
    idx.add(Entry("b", "14-CTr/TU", "Kế hoạch mới", None))
    assert idx.search("chuong trinh") == [] and idx.search("ke hoach")[0].id == "b"


def test_a_registered_directive_is_keyed_by_number_and_issuer():
    one = registered({"number": "14-CTr/TU", "title": "A", "issuer": "Tỉnh ủy"})
    assert one.id == registered({"number": "14-ctr/tu", "title": "B", "issuer": "TỈNH ỦY"}).id


def test_a_report_without_documents_is_catalogued_itself():
    [entry] = from_submission({"submission_id": "s1", "report_type": "self_criticism"}, "Huyện ủy Tân Phú",
                              "Báo cáo kiểm điểm")
    assert entry.number == "s1" and entry.title == "Báo cáo kiểm điểm – Huyện ủy Tân Phú"
