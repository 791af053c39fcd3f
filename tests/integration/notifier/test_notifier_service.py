"""The notifier as it runs (`python -m services.notifier`) against real NATS JetStream, the session's database and
a real aiosmtpd relay: who gets which mail, once, through redeliveries, a kill, an SMTP outage and 5xx replies."""

from __future__ import annotations

import json

from services.notifier.domain.mail import message_id
from tests.infra.client import capture, publish, request
from tests.infra.wait import eventually
from tests.integration.notifier.helpers import (
    by_recipient,
    contact,
    deadline,
    mails,
    register,
    supervisor,
    unit,
)


async def _notifier(start_service, notifier_env):
    return await start_service("notifier", **notifier_env)


async def test_each_event_kind_reaches_exactly_its_recipients_with_its_event_header(
        start_service, notifier_env, nc, smtp, token):
    proc = await _notifier(start_service, notifier_env)
    body = unit(token, contacts=2, supervisors=1)
    uid = body["unit_id"]
    office = notifier_env["MIDTERM_OFFICE_EMAIL"]
    editors = notifier_env["MIDTERM_EDITORIAL_EMAILS"].split(",")
    sent = await capture(nc, "review.notifications.sent")
    await register(nc, body)
    await deadline(nc, "reminder", body, f"reminder:{uid}:resolution_review:P7D")
    await deadline(nc, "overdue", body, f"overdue:{uid}:resolution_review")
    await deadline(nc, "escalated", body, f"escalated:{uid}:resolution_review:1")
    await publish(nc, "review.submissions.rejected", {
        "submission_id": f"sub-{token}", "unit_id": uid, "subject": f"review.submissions.submit.{body['path']}",
        "received_at": "2023-05-10T09:00:00+07:00", "submitted_by": {"name": "Lê Thị B", "email": contact(token, 0)},
        "errors": [{"code": "unknown_target", "field": "content.targets[0].code", "message": "Chỉ tiêu 'XYZ'"}]})
    await publish(nc, f"review.drafts.updated.SC-{token}",
                  {"scope": f"SC-{token}", "version": 4, "updated_at": "2023-05-18T08:59:00+07:00"})
    await eventually(lambda: len(mails(smtp, token)) >= 9, timeout=20, what="nine mails")

    got = {(m.message["X-Midterm-Event"], tuple(m.rcpt_tos)) for m in mails(smtp, token)}
    assert got == {
        (f"reminder:{uid}:resolution_review:P7D", (contact(token, 0),)),
        (f"reminder:{uid}:resolution_review:P7D", (contact(token, 1),)),
        (f"overdue:{uid}:resolution_review", (contact(token, 0),)),
        (f"overdue:{uid}:resolution_review", (contact(token, 1),)),
        (f"escalated:{uid}:resolution_review:1", (supervisor(token, 0),)),
        (f"escalated:{uid}:resolution_review:1", (office,)),
        (f"rejected:sub-{token}", (contact(token, 0),)),
        (f"digest:SC-{token}:4", (editors[0],)),
        (f"digest:SC-{token}:4", (editors[1],)),
    }
    assert len(mails(smtp, token)) == 9
    for m in mails(smtp, token):
        msg = m.message
        assert msg["Message-ID"] == message_id(msg["X-Midterm-Event"], m.rcpt_tos[0])
        assert m.mail_from == "so-ket@localhost"
        if msg["X-Midterm-Event"].startswith("escalated:"):
            assert supervisor(token, 0) in msg["To"] and office in msg["Cc"]
            assert "Chậm 3 ngày" in msg["Subject"]
        else:
            assert msg["To"].addresses[0].addr_spec == m.rcpt_tos[0] and msg["Cc"] is None
        if not msg["X-Midterm-Event"].startswith(("digest:", "rejected:")):
            assert "15/05/2023" in msg["Subject"] and "Đảng bộ xã Phú Lộc" in msg["Subject"]

    await eventually(lambda: len([b for b in sent.bodies if token in b["recipient"]]) == 9, what="sent events")
    assert {b["message_id"] for b in sent.bodies if token in b["recipient"]} == {
        m.message["Message-ID"] for m in mails(smtp, token)}
    lines = [json.loads(line) for line in proc.logs().splitlines() if line.startswith("{")]
    sent_lines = [line for line in lines if line["event"] == "mail_sent" and token in line["recipient"]]
    assert len(sent_lines) == 9 and all(line["event_key"] and line["service"] == "notifier" for line in sent_lines)
    assert not any("text" in line or "html" in line for line in lines)
    assert (await request(nc, "review.query.health.notifier"))["status"] == "ok"
    await sent.stop()


async def test_a_redelivered_event_sends_nothing_twice(start_service, notifier_env, nc, smtp, token):
    await _notifier(start_service, notifier_env)
    body = unit(token, contacts=2)
    await register(nc, body)
    await deadline(nc, "overdue", body, f"overdue:{body['unit_id']}:resolution_review")
    await eventually(lambda: len(mails(smtp, token)) == 2, what="first two mails")
    await deadline(nc, "overdue", body, None)  # no header: the key is built from the payload, the same key
    await deadline(nc, "escalated", body, f"escalated:{body['unit_id']}:resolution_review:1")
    await eventually(lambda: len(mails(smtp, token)) == 4, what="the escalation, as a marker")
    assert {r: len(ms) for r, ms in by_recipient(smtp, token).items()} == {
        contact(token, 0): 1, contact(token, 1): 1, supervisor(token, 0): 1,
        notifier_env["MIDTERM_OFFICE_EMAIL"]: 1}


async def test_a_notifier_killed_mid_fan_out_and_restarted_sends_each_mail_once(
        start_service, notifier_env, nc, smtp, token, database):
    body = unit(token, contacts=6)
    held = [contact(token, n) for n in (1, 3, 5)]
    for address in held:
        smtp.handler.reply_for_rcpt[address] = "451 4.3.0 try again later"
    first = await _notifier(start_service, notifier_env)
    await register(nc, body)
    key = f"overdue:{body['unit_id']}:resolution_review"
    await deadline(nc, "overdue", body, key)
    await eventually(lambda: len(mails(smtp, token)) == 3, what="the three accepted mails")

    async def held_were_tried() -> bool:
        docs = await database["outbox"].find({"event_key": key, "state": "pending"}).to_list(None)
        return len(docs) == 3 and all(d["attempts"] >= 1 for d in docs)

    await eventually(held_were_tried, what="the held mails to be tried and rescheduled")
    # and the accepted ones recorded: killed between a 250 and its record, a mail is sent once more (the one
    # window CONTRACT section 8 admits), which this test is not about
    await eventually(lambda: _all_sent(database, key, 3), what="the accepted mails to be recorded")
    first.kill9()
    smtp.handler.reply_for_rcpt.clear()
    await _notifier(start_service, notifier_env)
    await deadline(nc, "overdue", body, None)  # and the event again, for good measure
    await eventually(lambda: len(mails(smtp, token)) >= 6, what="all six mails")
    await eventually(lambda: _all_sent(database, key, 6), what="the outbox to settle")
    assert {r: len(ms) for r, ms in by_recipient(smtp, token).items()} == {contact(token, n): 1 for n in range(6)}


async def _all_sent(database, key: str, n: int) -> bool:
    return await database["outbox"].count_documents({"event_key": key, "state": "sent"}) == n


async def test_an_smtp_outage_delays_the_mail_and_every_message_arrives_once_when_it_is_back(
        start_service, notifier_env, nc, smtp, token, database):
    await _notifier(start_service, notifier_env)
    body = unit(token, contacts=3)
    await register(nc, body)
    smtp.stop()
    try:
        key = f"overdue:{body['unit_id']}:resolution_review"
        await deadline(nc, "overdue", body, key)

        async def retried() -> bool:
            docs = await database["outbox"].find({"event_key": key}).to_list(None)
            return len(docs) == 3 and all(d["attempts"] >= 2 and d["state"] == "pending" for d in docs)

        await eventually(retried, timeout=60, what="each mail to be retried during the outage")
        info = await nc.jetstream().consumer_info("REVIEW", f"notifier-overdue-{token}")
        assert info.num_ack_pending == 0 and info.num_redelivered == 0  # the relay being down holds no ack
    finally:
        smtp.start()
    await eventually(lambda: _all_sent(database, key, 3), timeout=60, what="every mail sent after the outage")
    assert {r: len(ms) for r, ms in by_recipient(smtp, token).items()} == {contact(token, n): 1 for n in range(3)}


async def test_a_5xx_goes_to_the_dead_letter_subject_without_a_retry(start_service, notifier_env, nc, smtp, token,
                                                                     database):
    await _notifier(start_service, notifier_env)
    body = unit(token, contacts=2)
    smtp.handler.reply_for_rcpt[contact(token, 1)] = "550 5.1.1 mailbox unavailable"
    failed = await capture(nc, "review.notifications.failed")
    dlq = await capture(nc, "review.dlq.notifier")
    await register(nc, body)
    key = f"overdue:{body['unit_id']}:resolution_review"
    await deadline(nc, "overdue", body, key)
    [event] = await eventually(lambda: [b for b in failed.bodies if b["recipient"] == contact(token, 1)],
                               what="the failed event")
    assert event["event_key"] == key and event["reason"].startswith("550") and event["attempts"] == 1
    [dead] = await eventually(lambda: [b for b in dlq.bodies if b.get("recipient") == contact(token, 1)],
                              what="the dead letter")
    assert dead["service"] == "notifier" and dead["msg_id"] == key and "550" in dead["reason"]
    doc = await database["outbox"].find_one({"_id": f"{key}|{contact(token, 1)}"})
    assert doc["state"] == "failed" and doc["attempts"] == 1
    assert [tuple(m.rcpt_tos) for m in mails(smtp, token)] == [(contact(token, 0),)]
    await failed.stop()
    await dlq.stop()


async def test_report_text_with_a_script_tag_arrives_escaped_in_the_html_part(
        start_service, notifier_env, nc, smtp, token):
    await _notifier(start_service, notifier_env)
    await publish(nc, "review.submissions.rejected", {
        "submission_id": f"sub-{token}", "unit_id": None, "subject": "review.submissions.submit.X",
        "received_at": "2023-05-10T09:00:00+07:00",
        "submitted_by": {"name": "Lê Thị B", "email": f"lethib-{token}@xa.example.vn"},
        "errors": [{"code": "unknown_target", "field": "content.targets[0].code",
                    "message": "Chỉ tiêu '<script>alert(1)</script>' không có trong kế hoạch"}]})
    [received] = await eventually(lambda: mails(smtp, token), what="the rejection mail")
    html = received.message.get_body(("html",)).get_content()
    text = received.message.get_body(("plain",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" in text


async def test_draft_updates_give_one_digest_per_scope_per_hour_by_the_service_clock(
        start_service, notifier_env, nc, smtp, token):
    await _notifier(start_service, notifier_env)
    editors = notifier_env["MIDTERM_EDITORIAL_EMAILS"].split(",")
    scope = f"SC-{token}"
    for version in (1, 2, 3):
        await publish(nc, f"review.drafts.updated.{scope}",
                      {"scope": scope, "version": version, "updated_at": "2023-05-18T09:00:00+07:00"})
    await eventually(lambda: len(mails(smtp, token)) == 2, what="the first digest")
    await request(nc, "review.admin.notifier.clock", {"now": "2023-05-18T10:00:00+07:00"})
    await eventually(lambda: len(mails(smtp, token)) == 4, what="the digest of the latest version")
    events = sorted((m.message["X-Midterm-Event"], m.rcpt_tos[0]) for m in mails(smtp, token))
    assert events == sorted([(f"digest:{scope}:1", e) for e in editors] + [(f"digest:{scope}:3", e) for e in editors])
    assert "phiên bản 3" in [m for m in mails(smtp, token) if m.message["X-Midterm-Event"].endswith(":3")][0].message[
        "Subject"]
