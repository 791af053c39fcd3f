"""`kill -9` of each service at a random moment of the work it is doing, then a restart: intake and the
compiler during the burst of submissions, the deadline service and the notifier during the deadline storm.

The moment is random but reproducible (MIDTERM_FAULT_SEED): after the k-th event of the service's own work
(accepted events, due events, mails at the SMTP server), k drawn below the size of that work. While the
service is down, the burst's last messages are published and wait in the stream.
"""

from __future__ import annotations

import pytest

from tests.faults.platform import Platform
from tests.faults.scenario import Publish, Run, new_run, play, rng, verify
from tests.infra.wait import eventually

WATCH = {  # what shows the service at work, and the phase it is killed in
    "intake": ("review.submissions.accepted.>", "burst"),
    "compiler": ("review.submissions.accepted.>", "burst"),
    "deadline": ("review.deadlines.>", "storm"),
    "notifier": ("smtp", "storm"),
}


def killer(service: str, k: int):
    async def arm(p: Platform, run: Run):
        subject, _ = WATCH[service]
        seen = [0]
        if subject == "smtp":
            base = len(p.smtp.messages)
            count = lambda: len(p.smtp.messages) - base  # noqa: E731
        else:
            async def on(_msg) -> None:
                seen[0] += 1

            sub = await p.client.subscribe(subject, cb=on)
            count = lambda: seen[0]  # noqa: E731

        async def strike(publish_late: Publish) -> None:
            await eventually(lambda: count() >= k, timeout=60, interval=0.01, what=f"{k} events of {service}")
            p.procs[service].kill9()
            await publish_late()
            await p.restart(service)
            if subject != "smtp":
                await sub.unsubscribe()

        return strike

    return arm


@pytest.mark.parametrize("service", ["intake", "compiler", "deadline", "notifier"])
async def test_a_service_killed_with_sigkill_at_a_random_moment_loses_nothing_and_doubles_nothing(platform, service):
    p, run = platform(), new_run()
    random = rng()
    phase = WATCH[service][1]
    size = len(run.burst.good) - 8 if phase == "burst" else 40  # the storm: 24 overdue + 24 escalations, 72 mails
    fault = killer(service, random.randint(1, size))
    await play(p, run, **{f"{phase}_fault": fault})
    await verify(p, run, resend_window=service == "notifier")
