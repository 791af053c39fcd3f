"""nats-server restarted in the middle of the burst (same store, same port): every client reconnects, and the
services answer and consume again within 10 s of the server being back."""

from __future__ import annotations

import time

from tests.faults.platform import SERVICES, Platform
from tests.faults.scenario import Publish, Run, new_run, play, rng, verify
from tests.infra.client import request
from tests.infra.wait import eventually

RESUME_SECONDS = 10  # the bound: consumers resume within 10 s


def restart_broker(k: int):
    async def arm(p: Platform, run: Run):
        seen = [0]

        async def on(_msg) -> None:
            seen[0] += 1

        sub = await p.client.subscribe("review.submissions.accepted.>", cb=on)

        async def strike(publish_late: Publish) -> None:
            await eventually(lambda: seen[0] >= k, timeout=60, interval=0.01, what=f"{k} accepted")
            drafts = len(await p.stream("review.drafts.updated.>"))
            p.nats.restart()
            back = time.monotonic()
            late = {o.msg_id for o in run.late}
            await eventually(lambda: p.client.is_connected, timeout=RESUME_SECONDS, what="the test client back")
            await publish_late()  # the burst's last messages, after the restart
            left = RESUME_SECONDS - (time.monotonic() - back)
            for name in SERVICES:
                await eventually(lambda n=name: _healthy(p, n), timeout=max(left, 0.1), what=f"{name} answers")
            # intake's, the deadline service's, the compiler's and the notifier's consumers all run again
            left = RESUME_SECONDS - (time.monotonic() - back)
            await eventually(lambda: _consumed_after_restart(p, late, drafts), timeout=max(left, 0.1),
                             what="accepted, obligation change, draft and mail after the restart")
            await sub.unsubscribe()

        return strike

    return arm


async def _healthy(p: Platform, name: str) -> bool:
    try:
        return (await request(p.client, f"review.query.health.{name}", {}, timeout=0.5)).get("status") == "ok"
    except Exception:
        return False


class Progress(dict):
    def __bool__(self) -> bool:
        return all(self.values())


async def _consumed_after_restart(p: Platform, late: set[str], drafts_before: int) -> Progress:
    accepted = {b["submission_id"] for _, b, _ in await p.stream("review.submissions.accepted.>") if b}
    changed = {b.get("submission_id") for _, b, _ in await p.stream("review.obligations.changed.>") if b}
    return Progress({
        "intake: a late submission accepted": bool(late & accepted),
        "deadline: its obligation changed": bool(late & accepted & changed),
        "compiler: a draft updated": len(await p.stream("review.drafts.updated.>")) > drafts_before,
        "notifier: a rejection mailed": any(str(m.message["X-Midterm-Event"]).startswith("rejected:")
                                            for m in p.smtp.messages),
    })


async def test_a_nats_server_restart_mid_burst_is_survived_by_every_service(platform):
    p, run = platform(), new_run()
    k = rng().randint(1, len(run.burst.good) - 8)
    await play(p, run, burst_fault=restart_broker(k))
    await verify(p, run)
