"""What a clerk of the Provincial Office and a member of the Editorial Team see, in a real browser."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.e2e.dashboard.conftest import screenshot
from tests.integration.dashboard.campaign import EXPECTED

STATUSES = ("submitted", "late", "returned", "overdue", "pending", "exempt")


async def _expect_counts(page: Page, group: str, counts: dict[str, int]) -> None:
    row = page.locator(f'#groups-table tr[data-group="{group}"]')
    for status in STATUSES:
        await expect(row.locator(f'td[data-status="{status}"]')).to_have_text(str(counts[status]))


async def test_the_overview_shows_the_right_counts_per_district(page, dashboard, fake):
    await page.goto(dashboard.url + "/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Tổng quan toàn tỉnh")
    for group, counts in EXPECTED.items():
        await _expect_counts(page, group, counts)
    await expect(page.locator("#overdue-table tbody tr")).to_have_count(3)
    await expect(page.locator("#conn-banner")).to_be_hidden()
    await screenshot(page, "overview")


async def test_a_submission_accepted_while_the_page_is_open_changes_the_numbers_without_a_reload(
        page, dashboard, fake):
    await page.goto(dashboard.url + "/")
    await _expect_counts(page, "TP", EXPECTED["TP"])
    await page.evaluate("window.__stillTheSamePage = true")
    await expect(page.locator("body")).to_have_attribute("data-watch", "obligations:*")

    await fake.submit("TP-TT", "resolution_review", "2023-05-20T10:00:00+07:00")

    await _expect_counts(page, "TP", {**EXPECTED["TP"], "overdue": 0, "late": 2})
    await expect(page.locator("#overdue-table tbody tr")).to_have_count(2)
    assert await page.evaluate("window.__stillTheSamePage === true")
    await screenshot(page, "overview-after-submission")


async def test_the_district_page_sorts_its_grassroots_units_from_the_keyboard(page, dashboard, fake):
    await page.goto(dashboard.url + "/districts/TP")
    rows = page.locator("#children-table tbody tr")
    await expect(rows.first).to_have_attribute("data-unit", "TP-TT")  # by status: overdue first
    await page.locator("#children-table thead a", has_text="Đơn vị").focus()
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(dashboard.url + "/districts/TP?sort=unit")
    await expect(rows.first).to_have_attribute("data-unit", "TP-CTX")
    await expect(page.locator('#children-table th[aria-sort="ascending"]')).to_contain_text("Đơn vị")
    await expect(page.locator('#children-table tr[data-unit="TP-XPT"]')).to_contain_text("18/05/2023")
    await screenshot(page, "district")


async def test_the_unit_page_lists_its_notices(page, dashboard, fake):
    await page.goto(dashboard.url + "/units/TP-TT")
    notices = page.locator("#notices-table tbody tr")
    await expect(notices).to_have_count(4)
    await expect(notices.nth(2)).to_contain_text("Thông báo quá hạn")
    await expect(notices.nth(3)).to_contain_text("lvson@tinhuy.example.vn")
    await expect(page.locator(".facts")).to_contain_text("Lê Văn Sơn")
    await screenshot(page, "unit")


async def test_the_editorial_team_reads_a_draft_and_downloads_its_word_file(page, dashboard, fake):
    await page.goto(dashboard.url + "/drafts")
    await expect(page.locator("#drafts-table tbody tr")).to_have_count(4)
    await screenshot(page, "drafts")
    await page.get_by_role("link", name="Đọc dự thảo của Huyện ủy Tân Phú").click()
    await expect(page.locator("article.document h1")).to_have_text("BÁO CÁO")
    await screenshot(page, "draft")
    async with page.expect_download() as download:
        await page.get_by_role("link", name="Tải tệp Word (.docx)").click()
    assert (await download.value).suggested_filename == "du-thao-TP-v3.docx"


async def test_the_catalogue_search_finds_dang_from_dang(page, dashboard, fake):
    await page.goto(dashboard.url + "/catalog")
    await page.get_by_label("Số hiệu, trích yếu hoặc cơ quan ban hành").fill("dang")
    await page.keyboard.press("Enter")
    await expect(page.locator("#result-count")).to_contain_text("4")
    await expect(page.locator("#catalog-table")).to_contain_text("Đảng")
    await screenshot(page, "catalog")


async def test_on_a_phone_the_overview_fits_the_screen_width(browser, dashboard, fake):
    context = await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone = await context.new_page()
    try:
        await phone.goto(dashboard.url + "/")
        await expect(phone.locator('#groups-table tr[data-group="TP"]')).to_be_visible()
        assert await phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        await screenshot(phone, "overview-phone")
    finally:
        await context.close()
