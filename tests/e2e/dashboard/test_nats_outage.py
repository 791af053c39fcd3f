"""NATS restarts under an open page: the dashboard keeps serving, says it lost the connection, and recovers."""

from __future__ import annotations

from playwright.async_api import expect

from tests.e2e.dashboard.conftest import screenshot
from tests.infra.nats import NatsServer
from tests.integration.dashboard.campaign import Campaign, FakeServices
from tests.integration.dashboard.stack import DashboardProcess


async def test_the_dashboard_keeps_serving_with_a_disconnected_banner_while_nats_restarts(page):
    server = NatsServer().start()  # its own server: the restart must not disturb the other tests
    fake = await FakeServices(server.url, Campaign.small()).start()
    await fake.history()
    dashboard = await DashboardProcess(server.url).start()
    try:
        await page.goto(dashboard.url + "/units/TP-TT")
        await expect(page.locator("#notices-table tbody tr")).to_have_count(4)
        await page.goto(dashboard.url + "/")
        banner = page.locator("#conn-banner")
        await expect(page.locator('#groups-table tr[data-group="TP"] td[data-status="overdue"]')).to_have_text("1")
        await expect(banner).to_be_hidden()

        server.stop()
        await expect(banner).to_be_visible()
        await expect(banner).to_contain_text("Đang mất kết nối")

        await page.reload()  # a fresh page during the outage still shows the last known numbers
        await expect(banner).to_be_visible()
        await expect(page.locator(".stale")).to_contain_text("Số liệu lần cập nhật cuối lúc")
        await expect(page.locator('#groups-table tr[data-group="TP"] td[data-status="overdue"]')).to_have_text("1")
        await page.goto(dashboard.url + "/units/TP-TT")  # read before the outage: its last known notices
        await expect(page.locator("#notices-table tbody tr")).to_have_count(4)
        await screenshot(page, "unit-during-nats-outage")
        await page.goto(dashboard.url + "/districts/BM")  # never read: an error panel, not an error page
        await expect(page.locator(".panel-error")).to_contain_text("Chưa có số liệu")
        await page.goto(dashboard.url + "/")
        await screenshot(page, "overview-during-nats-outage")

        server.start()
        await expect(banner).to_be_hidden(timeout=20_000)
        await expect(page.locator(".stale")).to_have_count(0, timeout=20_000)
        await expect(page.locator('#groups-table tr[data-group="TP"] td[data-status="overdue"]')).to_have_text("1")
    finally:
        code = dashboard.stop()
        await fake.stop()
        server.cleanup()
    assert code == 0, dashboard.logs()[-2000:]
