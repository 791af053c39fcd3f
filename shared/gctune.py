"""Python's cyclic collector in a long-running service: what start-up loaded is frozen (never walked again) and
the thresholds raised from Python's default (700, 10, 10). A service's messages live a few milliseconds, and with
the default every few hundred allocations walked the young objects, and every so often the whole heap behind
them: a national registry, the compiler's coverage and report cache (intake measured 0.50 ms of CPU per message
with the default, 0.30 ms with these). `Pauses` counts what the collector still costs, for the stats queries."""

from __future__ import annotations

import gc
import time
from typing import Any

THRESHOLDS = (50_000, 20, 100)


def settle(thresholds: tuple[int, int, int] = THRESHOLDS) -> None:
    """After start-up: freeze what is loaded and raise the thresholds."""
    gc.freeze()
    gc.set_threshold(*thresholds)


class Pauses:
    """Collections by generation and the time they took (one `gc.callbacks` entry per process)."""

    _installed: Pauses | None = None

    def __init__(self) -> None:
        self.count = [0, 0, 0]
        self.ms = [0.0, 0.0, 0.0]
        self.longest_ms = 0.0
        self._started = 0.0

    @classmethod
    def install(cls) -> Pauses:
        if cls._installed is None:
            cls._installed = cls()
            gc.callbacks.append(cls._installed._callback)
        return cls._installed

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        took = (time.perf_counter() - self._started) * 1000
        generation = int(info.get("generation", 0))
        self.count[generation] += 1
        self.ms[generation] += took
        self.longest_ms = max(self.longest_ms, took)

    def stats(self) -> dict[str, Any]:
        return {"collections": list(self.count), "ms": [round(m, 1) for m in self.ms],
                "longest_ms": round(self.longest_ms, 1), "frozen": gc.get_freeze_count(),
                "thresholds": list(gc.get_threshold())}
