"""CONTRACT § 10 through the running notifier, real NATS and a real aiosmtpd relay: a report returned by the level
above is mailed once to each of the unit's contacts, with the comment and the new deadline, and never again."""

from __future__ import annotations

from tests.infra.client import publish
from tests.infra.wait import eventually
from tests.integration.notifier.helpers import by_recipient, contact, deadline, mails, register, unit

COMMENT = "Đề nghị bổ sung số liệu chỉ tiêu kết nạp đảng viên <mới> & đánh giá nguyên nhân."


def _decided(body: dict, token: str, decision: str = "return") -> dict:
    return {"decision_id": f"dec-{token}", "submission_id": f"sub-{token}", "unit_id": body["unit_id"],
            "report_type": "resolution_review", "decision": decision, "comment": COMMENT,
            "decided_at": "2023-05-18T09:00:00+07:00", "resubmit_by": "2023-05-25T00:00:00+07:00"}


async def test_a_returned_report_reaches_each_contact_once_with_the_comment_and_the_new_deadline(
        start_service, notifier_env, nc, smtp, token):
    await start_service("notifier", **notifier_env)
    body = unit(token, contacts=2)
    await register(nc, body)
    subject = f"review.submissions.decided.{body['path']}"
    decided = _decided(body, token)
    await publish(nc, subject, decided, msg_id=f"decided:{decided['decision_id']}")
    await eventually(lambda: len(mails(smtp, token)) == 2, what="one mail per contact")

    for m in mails(smtp, token):
        msg = m.message
        assert msg["X-Midterm-Event"] == f"returned:dec-{token}"
        assert "25/05/2023" in msg["Subject"] and "Đảng bộ xã Phú Lộc" in msg["Subject"]
        assert COMMENT in msg.get_body(("plain",)).get_content()
        assert "&lt;mới&gt; &amp; đánh giá" in msg.get_body(("html",)).get_content()

    # the same event again (a redelivery past the stream's duplicate window), then a marker event
    await publish(nc, subject, decided, msg_id=f"decided-again:{decided['decision_id']}")
    await deadline(nc, "overdue", body, f"overdue:{body['unit_id']}:resolution_review:2")
    await eventually(lambda: len(mails(smtp, token)) == 4, what="the marker mails")
    assert {r: sorted(m.message["X-Midterm-Event"] for m in ms) for r, ms in by_recipient(smtp, token).items()} == {
        contact(token, n): [f"overdue:{body['unit_id']}:resolution_review:2", f"returned:dec-{token}"]
        for n in range(2)}


async def test_an_accepted_report_mails_nobody(start_service, notifier_env, nc, smtp, token):
    await start_service("notifier", **notifier_env)
    body = unit(token, contacts=1)
    await register(nc, body)
    await publish(nc, f"review.submissions.decided.{body['path']}", _decided(body, token, "accept"),
                  msg_id=f"decided:accept-{token}")
    await deadline(nc, "overdue", body, f"overdue:{body['unit_id']}:resolution_review")
    await eventually(lambda: len(mails(smtp, token)) == 1, what="the marker mail")
    assert [m.message["X-Midterm-Event"] for m in mails(smtp, token)] == [
        f"overdue:{body['unit_id']}:resolution_review"]
