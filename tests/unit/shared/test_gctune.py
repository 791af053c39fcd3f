"""The collector's settings after start-up and the pauses it still takes (shared.gctune)."""

from __future__ import annotations

import gc

from shared import gctune


def test_pauses_count_each_collection_and_its_time_by_generation():
    pauses = gctune.Pauses.install()
    assert gctune.Pauses.install() is pauses  # one callback per process
    before = list(pauses.count)
    gc.collect()
    gc.collect(0)
    assert pauses.count[2] == before[2] + 1 and pauses.count[0] >= before[0] + 1
    stats = pauses.stats()
    assert stats["collections"] == pauses.count and stats["ms"][2] >= 0 and stats["longest_ms"] >= 0


def test_settle_freezes_what_is_loaded_and_raises_the_thresholds():
    threshold = gc.get_threshold()
    loaded = [[n] for n in range(1000)]  # state that lives as long as the process
    try:
        gctune.settle((40_000, 15, 90))
        assert gc.get_threshold() == (40_000, 15, 90)
        assert gc.get_freeze_count() >= len(loaded)
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
