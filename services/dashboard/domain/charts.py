"""Stacked bars as SVG geometry: each bar is 100 units wide, split by status in the order of the legend."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from services.dashboard.domain.rows import STATUSES

WIDTH = 100.0


@dataclass(frozen=True)
class Segment:
    status: str
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class Bar:
    key: str
    total: int
    segments: tuple[Segment, ...]


def stacked(key: str, counts: Mapping[str, int], order: Iterable[str] = STATUSES) -> Bar:
    """Segments proportional to the counts; empty statuses get no segment; the last one ends exactly at 100."""
    present = [(s, counts.get(s, 0)) for s in order if counts.get(s, 0) > 0]
    total = sum(n for _, n in present)
    segments: list[Segment] = []
    x = 0.0
    for i, (status, n) in enumerate(present):
        width = WIDTH - x if i == len(present) - 1 else round(WIDTH * n / total, 3)
        segments.append(Segment(status, n, round(x, 3), round(width, 3)))
        x += width
    return Bar(key, total, tuple(segments))
