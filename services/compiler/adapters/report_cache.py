"""The latest report contents, kept in memory compressed, so a recompute does not read them back.

A district draft is recomputed many times while its reports arrive: without this, each recompute read all of its
reports from the database again (a national burst: ~7 000 recomputes × ~60 reports of ~3 KB). The cache is written
through by the store (after the database write succeeded) and filled by its reads; an entry is replaced only by a
version at least as new, so a read that raced a newer write cannot put the older version back.

Contents are stored as zlib-compressed BSON (~1.6 KB a grassroots report instead of ~9 KB as Python objects) within
a byte budget. Past the budget, new entries are not admitted (a recompute reads those from the database): no
eviction, since recomputes sweep every district in turn and a least-recently-used policy would then keep nothing.
Entries marked `always` (the reports the provincial draft is compiled from, a few hundred) are admitted past it.
Its entries are contents of stored submissions, which never change: nothing can go stale behind its back.
"""

from __future__ import annotations

import zlib
from typing import NamedTuple

import bson
from bson.raw_bson import RawBSONDocument

from services.compiler.domain.model import ReportRow

ENTRY_OVERHEAD = 200  # bytes an entry costs beside its compressed content (tuple, key, ids)


class _Entry(NamedTuple):
    version: int
    submission_id: str
    unit_id: str
    report_type: str
    packed: bytes


class ReportCache:
    def __init__(self, budget_bytes: int) -> None:
        self.budget = budget_bytes
        self.used = 0
        self.hits = 0
        self.misses = 0
        self._entries: dict[str, _Entry] = {}

    def put(self, key: str, row: ReportRow, always: bool = False) -> bool:
        """Keep `row` unless a newer version is kept; False when it was not admitted."""
        old = self._entries.get(key)
        if old is not None and old.version > row.version:
            return False
        if old is None and not always and self.used >= self.budget:
            return False  # full: not compressed only to be turned away (most puts of a national burst)
        content = row.content
        # BSON as read (a submission read raw is never decoded here), else encoded from the dict
        packed = zlib.compress(content.raw if isinstance(content, RawBSONDocument) else bson.encode(content), 1)
        size = len(packed) + ENTRY_OVERHEAD
        freed = len(old.packed) + ENTRY_OVERHEAD if old is not None else 0
        if old is None and not always and self.used + size > self.budget:
            return False
        self._entries[key] = _Entry(row.version, row.submission_id, row.unit_id, row.report_type, packed)
        self.used += size - freed
        return True

    def would_keep(self, key: str, always: bool = False) -> bool:
        """Whether `put` would admit a new version of `key` (short of its size): a new key is turned away once
        the budget is used."""
        return always or key in self._entries or self.used < self.budget

    def drop(self, key: str) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self.used -= len(old.packed) + ENTRY_OVERHEAD

    def get(self, key: str) -> ReportRow | None:
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self.hits += 1
        return ReportRow(entry.unit_id, entry.report_type, entry.submission_id, entry.version,
                         bson.decode(zlib.decompress(entry.packed)))

    def stats(self) -> dict[str, int]:
        return {"entries": len(self._entries), "bytes": self.used, "budget": self.budget, "hits": self.hits,
                "misses": self.misses}
