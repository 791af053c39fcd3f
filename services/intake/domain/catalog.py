"""The campaign's document catalogue (CONTRACT section 5): entries from accepted submissions and from
`review.catalog.register`, and a search that ignores case and Vietnamese diacritics (`dang` finds `Đảng`).

Search keys are built here with `shared.text.fold` (no `$text`: the stand-in database cannot fold).
Ranking: an exact number first, then the number of distinct query tokens found in number and title, then
tokens found in the number, then the newest document.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from shared.text import fold, tokens


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    number: str
    title: str
    issued_on: str | None = None
    issuer: str | None = None
    kind: str | None = None
    url: str | None = None

    def public(self) -> dict[str, Any]:
        return {"number": self.number, "title": self.title, "issued_on": self.issued_on,
                "issuer": self.issuer, "kind": self.kind}

    def doc(self, **extra: Any) -> dict[str, Any]:
        return {"_id": self.id, "number": self.number, "title": self.title, "issued_on": self.issued_on,
                "issuer": self.issuer, "kind": self.kind, "url": self.url, **extra}


def from_doc(doc: dict[str, Any]) -> Entry:
    return Entry(doc["_id"], doc["number"], doc["title"], doc.get("issued_on"), doc.get("issuer"),
                 doc.get("kind"), doc.get("url"))


def registered(body: dict[str, Any]) -> Entry:
    """A directive registered by number and issuer; registering it again replaces it."""
    key = hashlib.sha256(f"{fold(body['number'])}|{fold(body.get('issuer') or '')}".encode()).hexdigest()[:24]
    issued = body.get("issued_on")
    return Entry(f"reg:{key}", body["number"], body["title"], str(issued) if issued else None,
                 body.get("issuer"), body.get("kind"), body.get("url"))


def from_submission(submission: dict[str, Any], unit_name: str, report_name: str) -> list[Entry]:
    """The documents an accepted submission lists; a submission that lists none is catalogued itself."""
    sid, kind = submission["submission_id"], submission["report_type"]
    documents = submission.get("documents") or []
    if not documents:
        return [Entry(f"sub:{sid}", sid, f"{report_name} – {unit_name}", None, unit_name, kind)]
    return [Entry(f"sub:{sid}:{i}", d["number"], d["title"], d.get("issued_on"), unit_name, kind)
            for i, d in enumerate(documents)]


class CatalogIndex:
    """An inverted index over folded tokens of number and title. Each entry's tokens are kept as tuples of
    interned strings: a national campaign catalogues ~50 000 documents whose titles share most of their words
    (frozensets of fresh strings took 184 MB for 42 740 entries; this takes a fraction)."""

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self._entries: dict[str, Entry] = {}
        self._postings: dict[str, list[str]] = {}  # lists: a set of one id costs 216 bytes
        self._keys: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {}
        for entry in entries:
            self.add(entry)

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, entry: Entry) -> None:
        if entry.id in self._entries:
            self.remove(entry.id)
        number_tokens = tuple(dict.fromkeys(sys.intern(t) for t in tokens(entry.number)))
        all_tokens = tuple(dict.fromkeys((*number_tokens, *(sys.intern(t) for t in tokens(entry.title)))))
        self._entries[entry.id] = entry
        self._keys[entry.id] = (fold(entry.number), number_tokens, all_tokens)
        for token in all_tokens:
            self._postings.setdefault(token, []).append(entry.id)  # `add` removed any earlier copy

    def remove(self, entry_id: str) -> None:
        self._entries.pop(entry_id, None)
        _, _, all_tokens = self._keys.pop(entry_id, ("", (), ()))
        for token in all_tokens:
            posting = self._postings.get(token)
            if posting is not None and entry_id in posting:
                posting.remove(entry_id)
                if not posting:
                    del self._postings[token]

    def search(self, q: str, limit: int = 20) -> list[Entry]:
        wanted = list(dict.fromkeys(tokens(q)))
        if not wanted:
            return []
        folded_q = fold(q)
        candidates: set[str] = set()
        for token in wanted:
            candidates.update(self._postings.get(token, ()))
        scored = []
        for entry_id in candidates:
            number, number_tokens, all_tokens = self._keys[entry_id]
            entry = self._entries[entry_id]
            score = (number == folded_q, sum(t in all_tokens for t in wanted),
                     sum(t in number_tokens for t in wanted), entry.issued_on or "")
            scored.append((score, entry))
        scored.sort(key=lambda pair: (pair[0], pair[1].number, pair[1].id), reverse=True)
        results: list[Entry] = []
        seen: set[tuple[Any, ...]] = set()
        for _, entry in scored:
            key = (entry.number, entry.title, entry.issued_on, entry.issuer)
            if key not in seen:
                seen.add(key)
                results.append(entry)
            if len(results) >= limit:
                break
        return results
