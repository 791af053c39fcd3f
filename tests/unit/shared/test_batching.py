"""The micro-batcher gathers concurrent callers into one flush, gives each caller its own result, and fails
only the callers of a failed flush."""

from __future__ import annotations

import asyncio

import pytest

from shared.batching import MicroBatcher


async def test_concurrent_callers_share_one_flush_and_each_gets_its_own_result():
    flushes: list[list[int]] = []

    async def flush(items: list[int]) -> list[int]:
        flushes.append(items)
        return [i * 10 for i in items]

    batcher: MicroBatcher[int, int] = MicroBatcher(flush, max_items=100, max_wait=0.01)
    results = await asyncio.gather(*(batcher.submit(i) for i in range(20)))
    await batcher.close()
    assert results == [i * 10 for i in range(20)]
    assert len(flushes) == 1 and sorted(flushes[0]) == list(range(20))


async def test_a_full_batch_is_flushed_without_waiting_and_the_rest_follows():
    flushes: list[list[int]] = []

    async def flush(items: list[int]) -> list[int]:
        flushes.append(items)
        return items

    batcher: MicroBatcher[int, int] = MicroBatcher(flush, max_items=5, max_wait=5.0)
    results = await asyncio.wait_for(asyncio.gather(*(batcher.submit(i) for i in range(10))), timeout=2)
    await batcher.close()
    assert results == list(range(10))
    assert [len(f) for f in flushes] == [5, 5]


async def test_a_failed_flush_fails_its_callers_and_a_per_item_error_fails_only_that_caller():
    async def flush(items: list[int]) -> list[object]:
        if 99 in items:
            raise ConnectionError("database down")
        return [ValueError("bad") if i == 3 else i for i in items]

    batcher: MicroBatcher[int, object] = MicroBatcher(flush, max_items=100, max_wait=0.01)
    good, bad = await asyncio.gather(batcher.submit(1), batcher.submit(3), return_exceptions=True)
    assert good == 1 and isinstance(bad, ValueError)
    with pytest.raises(ConnectionError):
        await batcher.submit(99)
    await batcher.close()
