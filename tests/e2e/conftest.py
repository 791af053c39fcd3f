"""End-to-end tests get a nats-server of their own per test: they replay the examples' fixed unit ids, whose
deterministic event ids would otherwise fall inside the shared stream's duplicate window of an earlier test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devstack.nats import NatsServer


@pytest.fixture
def nats_server() -> Iterator[NatsServer]:
    server = NatsServer().start()
    yield server
    server.cleanup()
