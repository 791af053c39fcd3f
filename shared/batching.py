"""Gathers the writes (or reads) of concurrent handlers for a few milliseconds, or until `max_items`, and hands
them to one `flush` call: one `bulk_write` instead of one round trip per message. Each caller awaits its own
result, so a handler still acks only after its own write is in the database; a failed flush fails every caller
in it, and each of their messages is retried by the consumer policy.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

Flush = Callable[[list[T]], Awaitable[Sequence[R | BaseException]]]


class MicroBatcher(Generic[T, R]):
    def __init__(self, flush: Flush[T, R], max_items: int = 256, max_wait: float = 0.002,
                 concurrency: int = 2) -> None:
        self._flush = flush
        self._max_items = max_items
        self._max_wait = max_wait
        self._pending: list[tuple[T, asyncio.Future[Any]]] = []
        self._wake = asyncio.Event()
        self._full = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self._slots = asyncio.Semaphore(concurrency)  # flushes in flight at once
        self._flushing: set[asyncio.Task[None]] = set()

    async def submit(self, item: T) -> R:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if len(self._pending) >= self._max_items:
            self._full.set()
        self._wake.set()
        if self._worker is None or self._worker.done():
            self._worker = asyncio.ensure_future(self._run())
        result: R = await future
        return result

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            if not self._full.is_set():
                try:
                    await asyncio.wait_for(self._full.wait(), self._max_wait)
                except TimeoutError:
                    pass
            await self._slots.acquire()  # while a flush runs, more items gather for the next one
            batch, self._pending = self._pending[: self._max_items], self._pending[self._max_items:]
            if len(self._pending) < self._max_items:
                self._full.clear()
            if not self._pending:
                self._wake.clear()
            if not batch:
                self._slots.release()
                continue
            task = asyncio.ensure_future(self._settle(batch))
            self._flushing.add(task)
            task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._flushing.discard(task)
        self._slots.release()

    async def _settle(self, batch: list[tuple[T, asyncio.Future[Any]]]) -> None:
        try:
            results: Sequence[Any] = await self._flush([item for item, _ in batch])
        except Exception as exc:  # the whole batch failed (database down): every caller retries its message
            results = [exc] * len(batch)
        for (_, future), result in zip(batch, results, strict=True):
            if future.done():
                continue
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)

    async def close(self) -> None:
        await asyncio.gather(*self._flushing, return_exceptions=True)
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
