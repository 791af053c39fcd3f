"""The deadline service on the session's real NATS and MongoDB, isolated per test.

The REVIEW stream lives for the whole session while each test has a fresh database. Each test therefore
gets its own durable consumers (`MIDTERM_CONSUMER_SUFFIX` = a fresh token), created here before the
service starts with `DeliverPolicy.NEW` (the service binds to an existing durable as it is), so a test never
replays another test's registry; and its own unit ids (suffixed with the token), so no event key of one
test meets another's inside JetStream's duplicate window.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import pytest_asyncio
from nats.js.api import DeliverPolicy

from services.deadline.app import (
    ACCEPTED_DURABLE,
    DECIDED_DURABLE,
    EXTEND_DURABLE,
    UNITS_DURABLE,
)
from shared import subjects
from shared.streams import STREAM_NAME, consumer_config, ensure_stream
from tests.infra.services import ServiceProcess
from tests.infra.wait import eventually
from tests.integration.deadline.scenario import Scenario

CONSUMERS = ((subjects.UNITS_CHANGED_ALL, UNITS_DURABLE), (subjects.ACCEPTED_ALL, ACCEPTED_DURABLE),
             (subjects.DECIDED_ALL, DECIDED_DURABLE), (subjects.EXTEND_ALL, EXTEND_DURABLE))


@pytest.fixture
def token() -> str:
    return uuid.uuid4().hex[:8]


@pytest_asyncio.fixture
async def scenario(nc, token: str) -> Scenario:
    return Scenario(nc, token)


@pytest_asyncio.fixture
async def deadline(nc, start_service, service_env, token) -> Callable[..., Awaitable[ServiceProcess]]:
    """`await deadline()` starts one more deadline process on this test's consumers and database."""
    js = nc.jetstream()
    await ensure_stream(js)
    for subject, durable in CONSUMERS:
        config = consumer_config(f"{durable}-{token}", subject,
                                 max_deliver=int(service_env["MIDTERM_MAX_DELIVER"]),
                                 ack_wait_seconds=float(service_env["MIDTERM_ACK_WAIT_SECONDS"]))
        config.deliver_policy = DeliverPolicy.NEW
        await js.add_consumer(STREAM_NAME, config=config)

    async def start(**extra: Any) -> ServiceProcess:
        proc = await start_service("deadline", MIDTERM_CONSUMER_SUFFIX=token, **extra)
        # A running instance answers the health query for every instance: wait for this one's own start.
        await eventually(lambda: '"service_started"' in proc.logs(), what="deadline started")
        return proc

    yield start
    for _, durable in CONSUMERS:
        try:
            await js.delete_consumer(STREAM_NAME, f"{durable}-{token}")
        except Exception:  # already gone: nothing to clean
            pass
