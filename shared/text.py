"""Vietnamese text: NFC normalisation and a diacritic-free search key."""

from __future__ import annotations

import re
import sys
import unicodedata

_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})
_NON_WORD = re.compile(r"[^0-9a-z]+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower case, no diacritics, `đ` as `d`, words separated by one space: `Đảng bộ` -> `dang bo`."""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_EXTRA))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return _NON_WORD.sub(" ", bare).strip()


def tokens(text: str) -> list[str]:
    return fold(text).split()


def interned(text: str | None) -> str | None:
    """`sys.intern`, None kept: fields repeated across tens of thousands of records share one string."""
    return sys.intern(text) if text is not None else None
