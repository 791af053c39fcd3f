"""A real nats-server with deploy/nats-server.conf's permission scheme: a district may publish only on its
own path; the registry only upserts."""

from __future__ import annotations

import os
from collections.abc import Iterator

import nats
import pytest
import pytest_asyncio
from nats.errors import Error as NatsError

from devstack.nats import NatsServer
from shared.streams import ensure_stream
from tests.conftest import ROOT

PASSWORDS = {name: f"test-{name.lower()}-secret" for name in (
    "INTAKE", "DEADLINE", "COMPILER", "NOTIFIER", "DASHBOARD", "REGISTRY", "OFFICE", "DISTRICT_TP", "DISTRICT_BM")}


@pytest.fixture(scope="module")
def secured_nats() -> Iterator[NatsServer]:
    saved = {k: os.environ.get(f"{k}_PASSWORD") for k in PASSWORDS}
    os.environ.update({f"{k}_PASSWORD": v for k, v in PASSWORDS.items()})
    server = NatsServer(config=ROOT / "deploy" / "nats-server.conf").start()
    yield server
    server.cleanup()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(f"{key}_PASSWORD", None)


async def _client(server: NatsServer, user: str, errors: list[Exception]) -> nats.NATS:
    async def on_error(exc: Exception) -> None:
        errors.append(exc)

    password = PASSWORDS[user.upper()]
    return await nats.connect(server.url, user=user, password=password, error_cb=on_error,
                              max_reconnect_attempts=1, connect_timeout=3)


@pytest_asyncio.fixture(scope="module")
async def stream_ready(secured_nats):
    nc = await _client(secured_nats, "intake", [])
    await ensure_stream(nc.jetstream())
    await nc.close()
    return secured_nats


async def test_a_district_may_publish_a_submission_on_its_own_path(stream_ready):
    nc = await _client(stream_ready, "district_TP", [])
    ack = await nc.jetstream().publish("review.submissions.submit.TP.TP-XPL", b"{}", timeout=5)
    assert ack.stream == "REVIEW"
    await nc.close()


async def test_a_district_publishing_on_another_districts_path_is_refused_by_the_server(stream_ready):
    errors: list[Exception] = []
    nc = await _client(stream_ready, "district_TP", errors)
    with pytest.raises((NatsError, TimeoutError)):
        await nc.jetstream().publish("review.submissions.submit.BM.BM-X01", b"{}", timeout=2)
    await nc.flush(timeout=2)
    assert any("permissions violation" in str(e).lower() for e in errors), errors
    await nc.close()


async def test_the_registry_may_upsert_units_but_not_submit_reports(stream_ready):
    errors: list[Exception] = []
    nc = await _client(stream_ready, "registry", errors)
    ack = await nc.jetstream().publish("review.units.upsert", b"{}", timeout=5)
    assert ack.stream == "REVIEW"
    with pytest.raises((NatsError, TimeoutError)):
        await nc.jetstream().publish("review.submissions.submit.TP.TP-XPL", b"{}", timeout=2)
    await nc.flush(timeout=2)
    assert any("permissions violation" in str(e).lower() for e in errors), errors
    await nc.close()


async def test_a_wrong_password_is_refused(stream_ready):
    with pytest.raises(Exception, match="(?i)authorization"):
        await nats.connect(stream_ready.url, user="district_TP", password="guess", max_reconnect_attempts=0,
                           allow_reconnect=False, connect_timeout=3)
