from datetime import UTC, datetime

from services.dashboard.render import Renderer, date_vn, datetime_vn, duration_vn, number_vn

UNITS = {"D": "ngày", "H": "giờ", "W": "tuần", "Y": "năm", "M": "tháng", "TM": "phút", "S": "giây"}


def test_dates_are_written_the_way_party_offices_write_them_in_vietnam_time():
    utc_evening = datetime(2023, 5, 14, 17, 30, tzinfo=UTC)
    assert date_vn(utc_evening) == "15/05/2023"
    assert datetime_vn(utc_evening) == "00:30 15/05/2023"
    assert date_vn("2018-04-03") == "03/04/2018"
    assert date_vn(None) == "—"


def test_numbers_use_vietnamese_separators():
    assert number_vn(1234) == "1.234"
    assert number_vn(87.5) == "87,5"
    assert number_vn(12.0) == "12"


def test_durations_read_as_words():
    assert duration_vn("P7D", UNITS) == "7 ngày"
    assert duration_vn("PT12H", UNITS) == "12 giờ"
    assert duration_vn("garbage", UNITS) == "garbage"


def test_markdown_from_reports_cannot_inject_html():
    html = Renderer().env.filters["markdown"]("Văn bản <script>alert(1)</script>\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<table>" in html
