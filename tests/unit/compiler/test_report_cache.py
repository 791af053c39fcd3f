"""The compiler's report cache: newest version wins, the budget admits, pinned entries pass it."""

from __future__ import annotations

from services.compiler.adapters.report_cache import ReportCache
from services.compiler.domain.model import ReportRow


def row(version: int, text: str = "Nghị quyết") -> ReportRow:
    return ReportRow("X1", "resolution_review", f"s{version}", version, {"lessons": [text * 20]})


def test_an_older_version_read_after_a_newer_write_does_not_replace_it():
    cache = ReportCache(1 << 20)
    assert cache.put("k", row(2))
    assert not cache.put("k", row(1))  # a database read that raced the write of version 2
    got = cache.get("k")
    assert got is not None and got.version == 2 and got.submission_id == "s2"
    assert cache.put("k", row(2, "Đảng bộ")) and cache.get("k").content == row(2, "Đảng bộ").content


def test_past_the_budget_new_entries_are_not_admitted_but_kept_ones_are_replaced():
    cache = ReportCache(0)
    assert not cache.put("a", row(1))
    assert cache.get("a") is None and cache.stats()["misses"] == 1
    assert cache.put("b", row(1), always=True)
    used = cache.stats()["bytes"]
    assert cache.put("b", row(2))  # kept already: a newer version replaces it, budget or not
    assert cache.get("b").version == 2 and cache.stats()["bytes"] >= used - 50
    assert cache.stats()["entries"] == 1


def test_content_round_trips_and_is_compressed():
    cache = ReportCache(1 << 20)
    original = row(1)
    cache.put("k", original)
    assert cache.get("k") == original
    assert cache.stats()["bytes"] < len(str(original.content).encode())


def test_it_tells_beforehand_whether_a_new_version_would_be_kept_and_drops_an_entry_with_its_bytes():
    cache = ReportCache(0)
    assert not cache.would_keep("a") and cache.would_keep("a", always=True)
    assert cache.put("b", row(1), always=True) and cache.would_keep("b")
    cache.drop("b")
    assert cache.get("b") is None and cache.stats()["bytes"] == 0 and not cache.would_keep("b")
    cache.drop("never there")
    assert ReportCache(1 << 20).would_keep("a")
