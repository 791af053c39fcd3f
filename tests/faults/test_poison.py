"""Poison messages: valid JSON, valid against the contract's models, that makes a handler raise every time.

- the compiler gets an `accepted` event for a submission intake never stored (`SubmissionNotYetStored`,
  a passing failure to the compiler, which retries it);
- the notifier gets an overdue notice for a unit nobody registered (`UnknownUnit`, retried likewise).

Each must end on `review.dlq.<service>` after MIDTERM_MAX_DELIVER deliveries (4 here, from a 0.3 s back-off:
quick, since no outage happens in this test), with a `message_dead_lettered` log line, and the consumers they
sit in must carry on: the burst and the storm behind them meet every oracle.
"""

from __future__ import annotations

import base64
import uuid

from tests.faults.platform import Platform
from tests.faults.province import T1
from tests.faults.scenario import Publish, Run, new_run, play, verify
from tests.infra.wait import eventually

MAX_DELIVER = 4
GHOST = "FGHOST"
FORGED_ACCEPTED = f"poison-accepted-{uuid.uuid4().hex[:8]}"
FORGED_OVERDUE = f"overdue:{GHOST}:resolution_review"


def poison_before(subject: str, body: dict, msg_id: str):
    """Publish the poison first, then let the phase's good messages queue up behind it."""

    async def arm(p: Platform, run: Run):
        run.forged.add(msg_id)
        run.forged.add(body.get("submission_id", msg_id))
        await p.publish(subject, body, msg_id)

        async def strike(publish_late: Publish) -> None:
            await publish_late()

        return strike

    return arm


async def test_poison_messages_are_dead_lettered_after_max_deliver_without_blocking_their_consumer(platform):
    p, run = platform(MIDTERM_MAX_DELIVER=str(MAX_DELIVER), MIDTERM_RETRY_SECONDS="0.3"), new_run()
    accepted = {"submission_id": str(uuid.uuid4()), "unit_id": GHOST, "report_type": "resolution_review",
                "version": 1, "received_at": T1, "due_at": "2023-05-15T00:00:00+07:00", "on_time": True}
    overdue = {"unit_id": GHOST, "report_type": "resolution_review", "due_at": "2023-05-15T00:00:00+07:00"}
    await play(p, run,
               burst_fault=poison_before(f"review.submissions.accepted.FD1.{GHOST}", accepted, FORGED_ACCEPTED),
               storm_fault=poison_before(f"review.deadlines.overdue.FD1.{GHOST}", overdue, FORGED_OVERDUE))
    letters = {f"dlq:compiler:{FORGED_ACCEPTED}", f"dlq:notifier:{FORGED_OVERDUE}"}

    async def dead_lettered() -> bool:
        return letters <= set(await p.msg_ids("review.dlq.>"))

    await eventually(dead_lettered, timeout=60, interval=0.5, what="both poison messages dead-lettered")
    await verify(p, run, dead_letters=letters)
    for _, body, _ in await p.stream("review.dlq.>"):
        assert body is not None
        assert body["delivered"] == MAX_DELIVER, body
        assert body["msg_id"] in (FORGED_ACCEPTED, FORGED_OVERDUE)
        assert base64.b64decode(body["data_b64"])
    for service, msg_id in (("compiler", FORGED_ACCEPTED), ("notifier", FORGED_OVERDUE)):
        lines = [e for e in p.logs(service) if e.get("event") == "message_dead_lettered" and e.get("msg_id") == msg_id]
        assert len(lines) == 1, f"{service}: one message_dead_lettered line for {msg_id}"
