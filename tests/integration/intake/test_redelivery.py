"""A crash between the write and the ack (CONTRACT section 2, DESIGN reliability rules): the redelivered
message creates nothing twice, and the event the crash swallowed is published once. Its own module: no other
intake may run beside it, or that one would answer the same subjects."""

from __future__ import annotations

from tests.infra.client import publish, request
from tests.infra.wait import eventually
from tests.integration.intake.conftest import Province


async def test_a_message_redelivered_after_a_crash_between_write_and_ack_is_stored_and_announced_once(launch):
    p = Province()
    first = await launch(MIDTERM_INTAKE_FAULT="exit_after_write", MIDTERM_ACK_WAIT_SECONDS="2")
    await first.seed(p.units)
    body = p.submission("TP-XPL")
    await first.submit(body, p.path("TP-XPL"))
    await eventually(lambda: first.proc.proc.poll() is not None, what="the injected crash")
    assert (await first.stored(body["submission_id"]))["published"] is False
    assert first.accepted.where(submission_id=body["submission_id"]) == []

    env = first.proc.env
    second = await launch(MONGODB_URI=env["MONGODB_URI"], MIDTERM_CONSUMER_SUFFIX=env["MIDTERM_CONSUMER_SUFFIX"],
                          MIDTERM_ACK_WAIT_SECONDS="2")
    kind, event = await first.outcome(body["submission_id"])
    assert kind == "accepted" and event["version"] == 1
    marker = p.submission("TP-XPL")
    ack = await publish(second.nc, f"review.submissions.submit.{p.path('TP-XPL')}", marker,
                        msg_id=marker["submission_id"])
    await second.handled(ack.seq)
    assert len(first.accepted.where(submission_id=body["submission_id"])) == 1
    assert await second.db["submissions"].count_documents({"_id": body["submission_id"]}) == 1
    announced = [i for doc in await second.db["intake_announced"].find({}).to_list(None) for i in doc["ids"]]
    assert announced.count(body["submission_id"]) == 1
    stored = await second.stored(body["submission_id"])
    assert [e["number"] for e in stored["catalog"]] == [body["documents"][0]["number"]]
    assert await second.db["catalog"].count_documents({}) == 0  # the entries live in the submission only
    found = await request(second.nc, "review.query.catalog", {"q": body["documents"][0]["number"]})
    assert len(found["results"]) == 1
