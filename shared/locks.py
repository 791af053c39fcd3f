"""One asyncio lock per key, forgotten once nobody holds or awaits it (a national burst touches 52 000 keys).

Handlers of one consumer run concurrently (a whole fetch at a time, shared/consumers.py); those that read,
decide and write the same record serialise on its key, and the others still overlap. In one process only:
replicas of a service rely on their stores' conditional writes (docs/SERVICES.md).
"""

from __future__ import annotations

import asyncio
from types import TracebackType


class KeyedLocks:
    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    def hold(self, key: str) -> _Hold:
        """`async with locks.hold(key):` (a class, not a generator-based context manager: every message of a
        burst takes one, and the generator machinery was ~8% of the compiler's time)."""
        return _Hold(self, key)

    def _leave(self, key: str) -> None:
        self._users[key] -= 1
        if not self._users[key]:
            del self._users[key], self._locks[key]

    def __len__(self) -> int:
        return len(self._locks)


class _Hold:
    __slots__ = ("_key", "_lock", "_owner")

    def __init__(self, owner: KeyedLocks, key: str) -> None:
        self._owner, self._key = owner, key

    async def __aenter__(self) -> None:
        owner, key = self._owner, self._key
        lock = owner._locks.get(key)
        if lock is None:
            lock = owner._locks[key] = asyncio.Lock()
        owner._users[key] = owner._users.get(key, 0) + 1
        self._lock = lock
        try:
            await lock.acquire()
        except BaseException:  # cancelled while waiting: no longer a user
            owner._leave(key)
            raise

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self._lock.release()
        self._owner._leave(self._key)
