"""Fixtures of the dashboard tests: a nats-server of their own (so the stream holds only this campaign), the
fake services answering the queries, and the dashboard, in process or as `python -m services.dashboard`."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from services.dashboard.app import build_app
from shared import logging as slog
from shared.settings import Settings
from tests.infra.nats import NatsServer
from tests.infra.ports import free_port, wait_port
from tests.infra.wait import eventually
from tests.integration.dashboard.campaign import Campaign, FakeServices

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def dash_nats() -> Iterator[NatsServer]:
    server = NatsServer().start()
    yield server
    server.cleanup()


@pytest_asyncio.fixture(scope="module")
async def services(dash_nats: NatsServer) -> AsyncIterator[FakeServices]:
    fake = await FakeServices(dash_nats.url, Campaign.small()).start()
    await fake.history()
    yield fake
    await fake.stop()


@pytest.fixture
def fake(services: FakeServices) -> FakeServices:
    """The fake services with the campaign as it starts (a test that plays a submission does not leak it)."""
    services.campaign = Campaign.small()
    return services


@pytest_asyncio.fixture
async def client(dash_nats: NatsServer, services: FakeServices) -> AsyncIterator[TestClient]:
    settings = Settings(nats_url=dash_nats.url, log_format="console", log_level="WARNING")
    app = build_app(settings, slog.configure("dashboard", "console", "WARNING"))
    test_client = TestClient(TestServer(app))
    await test_client.start_server()
    await eventually(lambda: _healthy(test_client), timeout=10, what="dashboard connected to NATS")
    yield test_client
    await test_client.close()


async def _healthy(test_client: TestClient) -> bool:
    response = await test_client.get("/healthz")
    return (await response.json())["nats"] == "connected"


class DashboardProcess:
    """`python -m services.dashboard` on a free port, as `make run` and the deployment start it."""

    def __init__(self, nats_url: str, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(tempfile.mkdtemp(prefix="midterm-dashboard-")) / "dashboard.log"
        self.env = {**os.environ, "NATS_URL": nats_url, "MIDTERM_DASHBOARD_PORT": str(self.port),
                    "LOG_FORMAT": "json", **env}
        self.proc: subprocess.Popen[bytes] | None = None

    async def start(self) -> DashboardProcess:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "services.dashboard"], cwd=ROOT, env=self.env,
                                         stdout=log, stderr=subprocess.STDOUT)
        wait_port(self.port, timeout=20)
        await eventually(self.connected, timeout=15, what="dashboard connected to NATS")
        return self

    async def connected(self) -> bool:
        async with aiohttp.ClientSession() as session, session.get(self.url + "/healthz") as response:
            return (await response.json())["nats"] == "connected"

    def logs(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.terminate()
        try:
            return self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(5)
