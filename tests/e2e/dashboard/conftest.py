"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium, never a downloaded browser) against
`python -m services.dashboard`, with the other services played by the fake on a real nats-server."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright

from tests.infra.nats import NatsServer
from tests.integration.dashboard.campaign import FakeServices
from tests.integration.dashboard.stack import DashboardProcess, dash_nats, fake, services  # noqa: F401

ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = ROOT / "var" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1366, "height": 768}


@pytest_asyncio.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("Chromium is missing: `apt-get install -y chromium` (.ci/run installs it)")
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest_asyncio.fixture(scope="module")
async def dashboard(dash_nats: NatsServer, services: FakeServices) -> AsyncIterator[DashboardProcess]:  # noqa: F811
    process = await DashboardProcess(dash_nats.url).start()
    yield process
    assert process.stop() == 0, process.logs()[-2000:]


@pytest_asyncio.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport=DESKTOP, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(10_000)
    tab = await context.new_page()
    yield tab
    await context.close()


async def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
