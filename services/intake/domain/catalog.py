"""The campaign's document catalogue (CONTRACT section 5): entries from accepted submissions and from
`review.catalog.register`, and a search that ignores case and Vietnamese diacritics (`dang` finds `Đảng`).

Search keys are built here with `shared.text.fold` (no `$text`: the stand-in database cannot fold).
Ranking: an exact number first, then the number of distinct query tokens found in number and title, then
tokens found in the number, then the newest document.
"""

from __future__ import annotations

import hashlib
import sys
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from shared.text import fold, interned, tokens


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
    """An inverted index over folded tokens of number and title (~50 000 entries at national scale).

    Entries are kept column by column (a list per field, an entry is a slot in each), their titles as UTF-8
    (Vietnamese text takes two bytes a character as `str`), the fields that repeat (number, date, issuer,
    kind) interned, and postings as arrays of slots: 42 740 entries took ~65 MB as `Entry` objects with
    their token tuples, this takes a third of it. Nothing per entry but its fields is kept: how many query
    words an entry has is counted from the postings, those of its number from postings of number tokens.
    """

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self._slot: dict[str, int] = {}  # entry id -> its slot in the columns
        self._free: list[int] = []  # slots of removed entries, reused first
        self._ids: list[str | None] = []
        self._numbers: list[str] = []
        self._titles: list[bytes] = []
        self._issued: list[str | None] = []
        self._issuers: list[str | None] = []
        self._kinds: list[str | None] = []
        self._urls: list[str | None] = []
        self._postings: dict[str, array[int]] = {}  # token of number or title -> slots
        self._number_postings: dict[str, array[int]] = {}  # token of number -> slots
        for entry in entries:
            self.add(entry)

    def __len__(self) -> int:
        return len(self._slot)

    def add(self, entry: Entry) -> None:
        if entry.id in self._slot:
            self.remove(entry.id)
        slot = self._free.pop() if self._free else len(self._ids)
        row = (entry.id, interned(entry.number), entry.title.encode(), interned(entry.issued_on), interned(entry.issuer),
               interned(entry.kind), entry.url)
        if slot == len(self._ids):
            for column, value in zip(self._columns(), row, strict=True):
                column.append(value)  # type: ignore[attr-defined]
        else:
            for column, value in zip(self._columns(), row, strict=True):
                column[slot] = value  # type: ignore[index]
        self._slot[entry.id] = slot
        number_tokens, all_tokens = _tokens(entry.number, entry.title)
        for token in number_tokens:
            self._number_postings.setdefault(token, array("I")).append(slot)
        for token in all_tokens:
            self._postings.setdefault(token, array("I")).append(slot)

    def _columns(self) -> tuple[list[Any], ...]:
        return self._ids, self._numbers, self._titles, self._issued, self._issuers, self._kinds, self._urls

    def remove(self, entry_id: str) -> None:
        slot = self._slot.pop(entry_id, None)
        if slot is None:
            return
        number_tokens, all_tokens = _tokens(self._numbers[slot], self._titles[slot].decode())
        for postings, found in ((self._number_postings, number_tokens), (self._postings, all_tokens)):
            for token in found:
                posting = postings.get(token)
                if posting is not None and slot in posting:
                    posting.remove(slot)
                    if not posting:
                        del postings[token]
        for column in self._columns():
            column[slot] = None
        self._free.append(slot)

    def entry(self, slot: int) -> Entry:
        return Entry(self._ids[slot] or "", self._numbers[slot], self._titles[slot].decode(), self._issued[slot],
                     self._issuers[slot], self._kinds[slot], self._urls[slot])

    def search(self, q: str, limit: int = 20) -> list[Entry]:
        wanted = list(dict.fromkeys(tokens(q)))
        if not wanted:
            return []
        folded_q = fold(q)
        found: dict[int, int] = {}  # slot -> how many query words its number and title have
        in_number: dict[int, int] = {}  # slot -> how many its number has
        for token in wanted:
            for slot in self._postings.get(token, ()):
                found[slot] = found.get(slot, 0) + 1
            for slot in self._number_postings.get(token, ()):
                in_number[slot] = in_number.get(slot, 0) + 1
        numbers, ids, issued = self._numbers, self._ids, self._issued
        scored = []
        for slot, count in found.items():
            number_count = in_number.get(slot, 0)
            # The number folds to the query only if it has every query word (then fold once to be sure).
            exact = number_count == len(wanted) and fold(numbers[slot]) == folded_q
            scored.append(((exact, count, number_count, issued[slot] or ""), numbers[slot], ids[slot], slot))
        scored.sort(reverse=True)
        results: list[Entry] = []
        seen: set[tuple[Any, ...]] = set()
        for *_, slot in scored:
            key = (numbers[slot], self._titles[slot], issued[slot], self._issuers[slot])
            if key not in seen:
                seen.add(key)
                results.append(self.entry(slot))
            if len(results) >= limit:
                break
        return results


def _tokens(number: str, title: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The distinct tokens of a number, and of number and title together."""
    number_tokens = tuple(dict.fromkeys(sys.intern(t) for t in tokens(number)))
    return number_tokens, tuple(dict.fromkeys((*number_tokens, *(sys.intern(t) for t in tokens(title)))))
