"""Keyed locks: one holder per key at a time, other keys overlap, nothing kept once released."""

from __future__ import annotations

import asyncio

from shared.locks import KeyedLocks


async def test_holders_of_one_key_take_turns_and_other_keys_overlap():
    locks, inside, most, log = KeyedLocks(), {"a": 0, "b": 0}, {"a": 0, "b": 0}, []

    async def work(key: str, n: int) -> None:
        async with locks.hold(key):
            inside[key] += 1
            most[key] = max(most[key], inside[key])
            log.append((key, n))
            await asyncio.sleep(0.001)
            inside[key] -= 1

    await asyncio.gather(*(work(k, n) for n in range(5) for k in ("a", "b")))
    assert most == {"a": 1, "b": 1}
    assert [n for k, n in log if k == "a"] == list(range(5))  # in the order they asked
    assert log[:2] == [("a", 0), ("b", 0)]  # b did not wait for a
    assert len(locks) == 0


async def test_a_key_is_released_when_its_holder_raises():
    locks = KeyedLocks()
    try:
        async with locks.hold("k"):
            raise ValueError("handler failed")
    except ValueError:
        pass
    assert len(locks) == 0
    async with locks.hold("k"):
        assert len(locks) == 1


async def test_a_waiter_cancelled_before_its_turn_leaves_nothing_behind():
    locks, entered = KeyedLocks(), asyncio.Event()

    async def first() -> None:
        async with locks.hold("k"):
            entered.set()
            await asyncio.sleep(0.01)

    holder = asyncio.ensure_future(first())
    await entered.wait()
    waiter = asyncio.ensure_future(locks.hold("k").__aenter__())
    await asyncio.sleep(0)
    waiter.cancel()
    await asyncio.gather(holder, waiter, return_exceptions=True)
    assert waiter.cancelled() and len(locks) == 0
    async with locks.hold("k"):
        assert len(locks) == 1
