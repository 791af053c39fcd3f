"""Where the time of one operation goes, for stats and logs."""

from __future__ import annotations

import time


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.laps: dict[str, float] = {}

    def add(self, name: str, started: float) -> float:
        """Add the time since `started` to the phase `name` (summed when the phase repeats); returns now."""
        now = time.perf_counter()
        self.laps[name] = round(self.laps.get(name, 0.0) + (now - started) * 1000, 1)
        return now

    def total_ms(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 2)
