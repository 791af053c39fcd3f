"""The pull consumer's reliability policy (shared/consumers.py), message by message."""

from __future__ import annotations

from types import SimpleNamespace

import structlog

from shared.consumers import PullConsumer
from shared.messaging import Terminal
from shared.settings import Settings


class FakePublisher:
    def __init__(self) -> None:
        self.events = []

    async def publish(self, event):
        self.events.append(event)


class FakeMsg:
    def __init__(self, delivered: int = 1) -> None:
        self.subject, self.data = "review.submissions.submit.TP.TP-XPL", b"{}"
        self.headers = {"Nats-Msg-Id": "s-1"}
        self.metadata = SimpleNamespace(sequence=SimpleNamespace(stream=7), num_delivered=delivered)
        self.settled: list[tuple[str, float | None]] = []

    async def ack(self):
        self.settled.append(("ack", None))

    async def nak(self, delay=None):
        self.settled.append(("nak", delay))

    async def term(self):
        self.settled.append(("term", None))


def consumer(handler, publisher=None, sequential=False) -> PullConsumer:
    settings = Settings(retry_seconds=2, max_deliver=3)
    consumers = SimpleNamespace(settings=settings, publisher=publisher or FakePublisher(), service="intake",
                                log=structlog.get_logger(), durable=lambda name: name)
    return PullConsumer(consumers, "review.submissions.submit.>", "intake-submissions", handler, sequential=sequential)


async def test_a_handled_message_is_acked_once_its_handler_returns():
    seen = []

    async def handler(inbound):
        seen.append((inbound.msg_id, inbound.correlation_id, inbound.delivered))

    msg = FakeMsg()
    await consumer(handler)._batch([msg])
    assert seen == [("s-1", "s-1", 1)] and msg.settled == [("ack", None)]


async def test_an_answered_message_is_acked_and_never_retried():
    async def handler(inbound):
        raise Terminal("schema")

    msg = FakeMsg()
    await consumer(handler)._batch([msg])
    assert msg.settled == [("ack", None)]


async def test_a_passing_failure_is_retried_with_the_doubling_back_off():
    async def handler(inbound):
        raise ConnectionError("database down")

    msg = FakeMsg(delivered=2)
    await consumer(handler)._batch([msg])
    assert msg.settled == [("nak", 4)]


async def test_the_last_delivery_goes_to_the_dead_letter_subject_and_is_terminated():
    async def handler(inbound):
        raise ConnectionError("database down")

    publisher, msg = FakePublisher(), FakeMsg(delivered=3)
    await consumer(handler, publisher)._batch([msg])
    assert [e.subject for e in publisher.events] == ["review.dlq.intake"]
    assert publisher.events[0].payload["reason"].startswith("ConnectionError") and msg.settled == [("term", None)]
