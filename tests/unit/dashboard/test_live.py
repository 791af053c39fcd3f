import asyncio
import json

from services.dashboard.live import Hub
from tests.infra.wait import eventually


async def test_a_burst_of_changes_reaches_the_pages_as_one_notice_naming_the_districts():
    hub = Hub(flush_after=0.05)
    queue: asyncio.Queue = asyncio.Queue()
    hub.clients.add(queue)
    for subject in ("review.obligations.changed.TP.TP-XPL", "review.obligations.changed.TP",
                    "review.obligations.changed.BM.BM-P1", "review.drafts.updated.TP"):
        hub.changed(subject)
    message = await eventually(lambda: None if queue.empty() else queue.get_nowait(), timeout=5)
    assert message.startswith("event: changed\n")
    assert json.loads(message.split("data: ", 1)[1]) == {"obligations": ["BM", "TP"], "drafts": ["TP"]}
    assert queue.empty()


def test_the_connection_state_is_told_at_once():
    hub = Hub()
    queue: asyncio.Queue = asyncio.Queue()
    hub.clients.add(queue)
    hub.state(False)
    assert queue.get_nowait() == "event: connection\ndata: down\n\n"
