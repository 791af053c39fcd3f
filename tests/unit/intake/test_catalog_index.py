"""Catalogue search: case and diacritics ignored, ranked, limited."""

from __future__ import annotations

import random

from services.intake.domain.catalog import CatalogIndex, Entry, from_submission, registered
from shared.text import fold, tokens


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


def reference_search(entries: dict[str, Entry], q: str, limit: int) -> list[Entry]:
    """The ranking as CONTRACT section 5 and the module describe it, computed the plain way."""
    wanted = list(dict.fromkeys(tokens(q)))
    scored = []
    for e in entries.values():
        number_tokens, all_tokens = set(tokens(e.number)), set(tokens(e.number)) | set(tokens(e.title))
        if not any(t in all_tokens for t in wanted):
            continue
        score = (fold(e.number) == fold(q), sum(t in all_tokens for t in wanted),
                 sum(t in number_tokens for t in wanted), e.issued_on or "")
        scored.append((score, e))
    scored.sort(key=lambda pair: (pair[0], pair[1].number, pair[1].id), reverse=True)
    results, seen = [], set()
    for _, e in scored:
        if (e.number, e.title, e.issued_on, e.issuer) not in seen:
            seen.add((e.number, e.title, e.issued_on, e.issuer))
            results.append(e)
        if len(results) >= limit:
            break
    return results


def test_the_compact_index_answers_as_the_plain_ranking_after_adds_replacements_and_removals():
    rng = random.Random(8)
    words = ["Nghị quyết", "Đại hội", "Đảng bộ", "sơ kết", "chương trình", "huyện", "xã", "14", "tu", "bc"]
    numbers = ["14-CTr/TU", "05-BC/HU", "68-CT/TU", "14 tu", "BC-14", "33-BC/ĐU"]
    idx, plain = CatalogIndex(), {}
    for n in range(600):
        entry_id = f"e{rng.randrange(300)}"  # ids come again: the entry is replaced
        entry = Entry(entry_id, rng.choice(numbers), " ".join(rng.sample(words, rng.randint(1, 5))),
                      rng.choice([None, "2023-01-02", "2023-04-25"]), rng.choice([None, "Huyện ủy", "Tỉnh ủy"]),
                      rng.choice([None, "resolution_review"]))
        idx.add(entry)
        plain[entry_id] = entry
        if n % 7 == 0:
            gone = f"e{rng.randrange(300)}"
            idx.remove(gone)
            plain.pop(gone, None)
    assert len(idx) == len(plain)
    for q in ["dang", "14-ctr/tu", "14 TU", "nghi quyet dai hoi", "bc", "so ket xa", "huyen", "nothing", "33-bc/đu"]:
        for limit in (1, 5, 50):
            assert idx.search(q, limit) == reference_search(plain, q, limit), (q, limit)


def test_the_same_document_from_two_issuers_is_listed_for_each():
    idx = index()
    idx.add(Entry("f", "05-BC/HU", "Báo cáo sơ kết Nghị quyết Đại hội Đảng bộ huyện", "2023-06-25", "Tỉnh ủy"))
    assert sorted(e.issuer for e in idx.search("05-BC/HU")) == ["Huyện ủy", "Tỉnh ủy"]
