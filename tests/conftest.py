"""Session fixtures: real nats-server (JetStream), a real MongoDB or the nx-27017 wire server, aiosmtpd,
and services as subprocesses. Each server binds to 127.0.0.1 on a free port and is stopped here."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import pytest
import pytest_asyncio

from tests.infra.mongo import MongoServer
from tests.infra.nats import NatsServer
from tests.infra.services import ServiceProcess
from tests.infra.smtp import SmtpServer

ROOT = Path(__file__).resolve().parents[1]
SHARED_DOCS = ROOT.parent / "shared"
EXAMPLES = SHARED_DOCS / "examples"


@pytest.fixture(scope="session")
def nats_server() -> Iterator[NatsServer]:
    server = NatsServer().start()
    yield server
    server.cleanup()


@pytest.fixture(scope="session")
def mongo_server() -> Iterator[MongoServer]:
    server = MongoServer().start()
    print(f"\n[midterm tests] MongoDB through {server.kind}: {server.base_uri}")
    yield server
    server.cleanup()


@pytest.fixture
def mongo_uri(mongo_server: MongoServer) -> str:
    """A fresh database for each test."""
    return mongo_server.database_uri()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server: SmtpServer) -> SmtpServer:
    smtp_server.clear()
    if smtp_server.controller is None:
        smtp_server.start()
    return smtp_server


@pytest_asyncio.fixture
async def nc(nats_server: NatsServer) -> AsyncIterator[nats.NATS]:
    client = await nats.connect(nats_server.url, connect_timeout=5, max_reconnect_attempts=5)
    yield client
    await client.close()


@pytest.fixture
def service_env(nats_server: NatsServer, mongo_uri: str, smtp_server: SmtpServer) -> dict[str, str]:
    return {
        "NATS_URL": nats_server.url,
        "MONGODB_URI": mongo_uri,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_server.port),
        "MIDTERM_CLOCK": "manual",
        "MIDTERM_NOW": "2023-01-01T08:00:00+07:00",
        "MIDTERM_SWEEP_SECONDS": "3600",
        "MIDTERM_RETRY_SECONDS": "0.5",
        "MIDTERM_MAX_DELIVER": "4",
        "MIDTERM_ACK_WAIT_SECONDS": "10",
        "LOG_LEVEL": "INFO",
    }


@pytest_asyncio.fixture
async def start_service(service_env: dict[str, str]) -> AsyncIterator:
    """`await start_service("intake", EXTRA="1")` starts a service and stops it after the test."""
    started: list[ServiceProcess] = []

    async def start(name: str, **extra: str) -> ServiceProcess:
        proc = ServiceProcess(name, {**service_env, **extra})
        started.append(proc)
        return await proc.start()

    yield start
    for proc in reversed(started):
        proc.stop()
