"""Each fault test gets a platform of its own (nats-server, nx-27017, SMTP server, the four services), stopped
after it: the scenarios replay the same unit ids, whose deterministic event ids would otherwise meet in one
stream's duplicate window, and an outage of one must not touch another."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest_asyncio

from tests.faults.platform import Platform


@pytest_asyncio.fixture
async def platform() -> AsyncIterator[Callable[..., Platform]]:
    """`p = platform(MIDTERM_RETRY_SECONDS="1")`: the servers start now, the services in `play`."""
    made: list[Platform] = []

    def make(**settings: str) -> Platform:
        made.append(Platform(**settings))
        return made[-1]

    yield make
    for p in made:
        await p.close()
