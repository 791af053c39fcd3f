import email
import email.policy
from datetime import datetime
from email.message import EmailMessage

from services.notifier.domain import message
from services.notifier.domain.compose import DeadlineNotice, DigestNotice, ErrorLine, Origin, RejectionNotice
from services.notifier.domain.mail import Person, message_id
from shared.clock import VIETNAM
from tests.unit.notifier.fakes import EDITORS, OFFICE, PHU_LOC, composer

DUE = datetime(2023, 5, 15, tzinfo=VIETNAM)
ORIGIN = Origin("review.deadlines.overdue.TP.TP-XPL", "corr-1")


def _parsed(mail) -> EmailMessage:
    parsed = email.message_from_bytes(message.build(mail, "so-ket@localhost").as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_a_long_vietnamese_subject_and_names_survive_header_folding_word_for_word():
    mails = composer().deadline(_notice("escalated", "escalated:TP-XPL:resolution_review:1", level=1, after="P3D"),
                                PHU_LOC, datetime(2023, 5, 18, 9, tzinfo=VIETNAM), ORIGIN)
    parsed = _parsed(mails[0])
    assert parsed["Subject"] == mails[0].subject
    assert parsed["To"].addresses[0].display_name == "Phạm Thị Lan, Ủy viên Ban Thường vụ Huyện ủy"


def _notice(kind: str, key: str, **extra) -> DeadlineNotice:
    return DeadlineNotice(kind, key, "TP-XPL", "resolution_review", DUE, **extra)


def test_a_reminder_names_the_unit_the_report_and_the_deadline_the_way_the_office_writes():
    [mail, _] = composer().deadline(_notice("reminder", "reminder:TP-XPL:resolution_review:P7D", before="P7D"),
                                    PHU_LOC, datetime(2023, 5, 8, 9, tzinfo=VIETNAM), ORIGIN)
    assert mail.subject.startswith("[Nhắc hạn] Báo cáo sơ kết giữa nhiệm kỳ")
    assert "hạn ngày 15/05/2023" in mail.subject and "Đảng bộ xã Phú Lộc" in mail.subject
    for part in (mail.text, mail.html):
        assert "Kính gửi:" in part and "Đảng bộ xã Phú Lộc" in part
        assert "Thực hiện Kế hoạch" in part and "chưa nhận được" in part
        assert "đề nghị các đồng chí quan tâm chỉ đạo" in part and "trước ngày" in part
        assert "T/L BAN THƯỜNG VỤ" in part and "CHÁNH VĂN PHÒNG" in part
    assert "còn 7 ngày" in mail.text


def test_an_escalation_says_how_late_by_the_clock_and_addresses_the_supervisor():
    mails = composer().deadline(_notice("escalated", "escalated:TP-XPL:resolution_review:1", level=1, after="P3D"),
                                PHU_LOC, datetime(2023, 5, 18, 9, tzinfo=VIETNAM), ORIGIN)
    assert [m.recipient for m in mails] == ["ptlan@tanphu.example.vn", OFFICE]
    assert "Chậm 3 ngày" in mails[0].subject
    assert "quá hạn 3 ngày" in mails[0].text
    assert "Kính gửi: đồng chí Phạm Thị Lan" in mails[0].text


def test_every_message_carries_the_event_key_and_a_message_id_derived_from_key_and_recipient():
    [mail, _] = composer().deadline(_notice("overdue", "overdue:TP-XPL:resolution_review"), PHU_LOC,
                                    datetime(2023, 5, 15, 8, tzinfo=VIETNAM), ORIGIN)
    built = _parsed(mail)
    assert built["X-Midterm-Event"] == "overdue:TP-XPL:resolution_review"
    assert built["Message-ID"] == message_id("overdue:TP-XPL:resolution_review", "vanphong.xaphuloc@example.vn")
    assert built["X-Correlation-Id"] == "corr-1"
    assert built.get_body(("plain",)) is not None and built.get_body(("html",)) is not None


def test_the_same_event_and_recipient_always_give_the_same_message_id_and_others_differ():
    key = "overdue:TP-XPL:resolution_review"
    assert message_id(key, "A@x.vn") == message_id(key, "a@x.vn")
    assert message_id(key, "a@x.vn") != message_id(key, "b@x.vn")
    assert message_id(key, "a@x.vn") != message_id(key + ":2", "a@x.vn")


def test_an_escalation_copy_shows_the_supervisors_in_to_and_the_office_in_cc():
    mails = composer().deadline(_notice("escalated", "escalated:TP-XPL:resolution_review:1", level=1, after="P3D"),
                                PHU_LOC, datetime(2023, 5, 18, 9, tzinfo=VIETNAM), ORIGIN)
    built = _parsed(mails[1])
    assert "ptlan@tanphu.example.vn" in built["To"] and OFFICE in built["Cc"]


def test_report_text_in_a_rejection_is_escaped_in_the_html_part_and_kept_in_the_text_part():
    notice = RejectionNotice(
        "rejected:s-1", "s-1", "TP-XPL", "review.submissions.submit.TP.TP-XPL",
        datetime(2023, 5, 10, 9, tzinfo=VIETNAM),
        (ErrorLine("unknown_target", "content.targets[0].code", "Chỉ tiêu '<script>alert(1)</script>' không có"),
         ErrorLine("schema", "content.leadership", "Thiếu mục lãnh đạo")),
        Person("Lê Thị <b>B</b>", "lethib@example.vn"),
    )
    [mail] = composer().rejection(notice, "Đảng bộ xã Phú Lộc", datetime(2023, 5, 10, 9, tzinfo=VIETNAM), ORIGIN)
    assert "<script>" not in mail.html and "&lt;script&gt;alert(1)&lt;/script&gt;" in mail.html
    assert "<b>B</b>" not in mail.html
    assert "<script>alert(1)</script>" in mail.text
    assert "Thiếu mục lãnh đạo" in mail.text and "content.leadership" in mail.text


def test_a_digest_goes_to_each_editor_and_names_the_scope_and_the_new_version():
    notice = DigestNotice("digest:TP:7", "TP", 7, datetime(2023, 7, 20, 9, 30, tzinfo=VIETNAM))
    mails = composer().digest(notice, "Huyện ủy Tân Phú", datetime(2023, 7, 20, 9, 31, tzinfo=VIETNAM), ORIGIN)
    assert [m.recipient for m in mails] == EDITORS
    assert "Huyện ủy Tân Phú" in mails[0].subject and "phiên bản 7" in mails[0].subject
    assert "Kính gửi: Tổ Biên tập" in mails[0].text


def test_without_an_office_address_an_escalation_goes_to_the_supervisors_only():
    mails = composer(office=None).deadline(
        _notice("escalated", "escalated:TP-XPL:resolution_review:1", level=1, after="P3D"), PHU_LOC,
        datetime(2023, 5, 18, 9, tzinfo=VIETNAM), ORIGIN)
    assert [m.recipient for m in mails] == ["ptlan@tanphu.example.vn"] and mails[0].cc == ()


def _returned(comment: str):
    from services.notifier.domain.compose import ReturnNotice
    notice = ReturnNotice("returned:d-1", "d-1", "s-1", "TP-XPL", "resolution_review", comment,
                          datetime(2023, 5, 18, 9, tzinfo=VIETNAM), datetime(2023, 5, 25, tzinfo=VIETNAM))
    return composer().returned(notice, PHU_LOC, datetime(2023, 5, 18, 9, tzinfo=VIETNAM), ORIGIN)


def test_a_return_quotes_the_reviewers_comment_and_the_new_deadline_in_the_offices_words():
    [mail, _] = _returned("Đề nghị bổ sung số liệu chỉ tiêu kết nạp đảng viên.")
    assert mail.subject.startswith("[Trả lại] Báo cáo sơ kết giữa nhiệm kỳ")
    assert "trước ngày 25/05/2023" in mail.subject and "Đảng bộ xã Phú Lộc" in mail.subject
    for part in (mail.text, mail.html):
        assert "Kính gửi:" in part and "Đề nghị bổ sung số liệu chỉ tiêu kết nạp đảng viên." in part
        assert "gửi lại báo cáo" in part and "25/05/2023" in part and "T/L BAN THƯỜNG VỤ" in part
    assert _parsed(mail)["X-Midterm-Event"] == "returned:d-1"


def test_a_returns_comment_cannot_become_markup_in_the_html_part():
    [mail, _] = _returned('Thiếu số liệu <script>alert("x")</script> & <b>chỉ tiêu</b>')
    assert "<script>" not in mail.html and "&lt;script&gt;" in mail.html and "&amp;" in mail.html
    assert '<script>alert("x")</script>' in mail.text


def test_the_relay_bytes_are_the_flattened_message_and_the_same_on_every_build():
    from aiosmtplib.email import flatten_message
    at = datetime(2023, 5, 18, 9, tzinfo=VIETNAM)
    mails = [
        *composer().deadline(_notice("overdue", "overdue:TP-XPL:resolution_review"), PHU_LOC, at, ORIGIN),
        *composer().deadline(_notice("escalated", "escalated:TP-XPL:resolution_review:1", level=1, after="P3D"),
                             PHU_LOC, at, ORIGIN),  # a long folded To and a Cc
        *_returned('Thiếu số liệu <b>chỉ tiêu</b>\n' * 40),
    ]
    for mail in mails:
        data = message.render(mail, "so-ket@localhost")
        assert data == flatten_message(message.build(mail, "so-ket@localhost"))
        assert data == message.render(mail, "so-ket@localhost")
        parsed = email.message_from_bytes(data, policy=email.policy.default)
        assert parsed["Subject"] == mail.subject and parsed["X-Midterm-Event"] == mail.event_key
        assert parsed.get_body(("plain",)).get_content() == mail.text
