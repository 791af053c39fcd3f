"""One asyncio lock per key, forgotten once nobody holds or awaits it (a national burst touches 52 000 keys).

Handlers of one consumer run concurrently (a whole fetch at a time, shared/consumers.py); those that read,
decide and write the same record serialise on its key, and the others still overlap. In one process only:
replicas of a service rely on their stores' conditional writes (docs/SERVICES.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class KeyedLocks:
    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]

    def __len__(self) -> int:
        return len(self._locks)
