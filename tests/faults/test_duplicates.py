"""10% of the burst's submissions published twice: half again at once (inside JetStream's duplicate window:
the stream itself drops the copy), half again beyond the window (the stream stores the copy and intake must
treat it as the no-op of CONTRACT § 2: no new version, no new event).

The window is two minutes; waiting that long would double this suite's time, so this test alone narrows the
stream's duplicate window to 1 s while it republishes, then restores it. The copy's publish ack says whether
the stream took it (`duplicate` false), so the copies are proven to have gone past the window.
"""

from __future__ import annotations

import math
import time

from cli.campaign import Outgoing
from shared.streams import STREAM_NAME, stream_config
from tests.faults.platform import Platform
from tests.faults.scenario import Publish, Run, new_run, play, send, verify
from tests.infra.wait import eventually

NARROW_WINDOW = 1.0


def publish_twice(copies: list[Outgoing], late: list[Outgoing]):
    async def arm(p: Platform, run: Run):
        async def strike(publish_late: Publish) -> None:
            acks = await send(p, copies)  # at once, inside the window (or first, if the original is behind)
            assert all(a.stream == STREAM_NAME for a in acks)
            await p.wait_accepted({o.body["submission_id"] for o in copies + late})
            js = p.client.jetstream()
            narrow = stream_config()
            narrow.duplicate_window = NARROW_WINDOW
            await js.update_stream(narrow)
            since = time.monotonic()
            await eventually(lambda: time.monotonic() - since > 2 * NARROW_WINDOW, timeout=10, what="the window")
            acks = await send(p, late)
            await js.update_stream(stream_config())
            assert not any(a.duplicate for a in acks), "copies beyond the window were stored"
            await publish_late()

        return strike

    return arm


async def test_submissions_published_twice_inside_and_beyond_the_duplicate_window_are_stored_once(platform):
    p, run = platform(), new_run()
    good = [o for o in run.burst.good if o not in run.burst.all[-8:]]
    tenth = max(2, math.ceil(len(run.burst.good) / 10))
    at_once, beyond = good[: tenth // 2], good[tenth // 2: tenth]
    await play(p, run, burst_fault=publish_twice(at_once, beyond))
    submits = await p.msg_ids("review.submissions.submit.>")
    assert all(submits[o.msg_id] == 1 for o in at_once), "copies inside the window dropped by the stream"
    assert all(submits[o.msg_id] == 2 for o in beyond), "copies beyond the window reached intake"
    await verify(p, run)
