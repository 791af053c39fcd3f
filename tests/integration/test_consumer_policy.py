"""The shared consumer policy on a real JetStream: ack after success, retry with back-off, dead-letter
after MIDTERM_MAX_DELIVER, and an answered message is never retried."""

from __future__ import annotations

import json
import uuid

import pytest_asyncio

from shared.consumers import Consumers
from shared.messaging import Inbound, Publisher, Terminal, make_broker
from shared.settings import Settings
from shared.streams import ensure_stream
from tests.infra.wait import eventually


@pytest_asyncio.fixture
async def policy(nats_server):
    settings = Settings(NATS_URL=nats_server.url, MIDTERM_MAX_DELIVER=3, MIDTERM_RETRY_SECONDS=0.05)
    broker = make_broker(settings, "policytest")
    publisher = Publisher(broker)
    consumers = Consumers(broker, publisher, settings, "policytest")
    yield broker, consumers
    await consumers.stop()
    await broker.stop()


async def _start(broker, consumers=None) -> None:
    await broker.connect()
    await ensure_stream(broker.connection.jetstream())
    await broker.start()
    if consumers is not None:
        await consumers.start()


async def _dlq_messages(nc, token: str) -> list[dict]:
    js = nc.jetstream()
    sub = await js.pull_subscribe("review.dlq.policytest", durable=None)
    found: list[dict] = []
    try:
        for msg in await sub.fetch(100, timeout=1):
            body = json.loads(msg.data)
            if token in body["subject"]:
                found.append(body)
    except Exception:
        pass
    await sub.unsubscribe()
    return found


async def test_a_handler_that_always_fails_ends_in_the_dead_letter_subject(policy, nc):
    broker, consumers = policy
    token = uuid.uuid4().hex[:8]
    calls: list[int] = []

    async def poison(inbound: Inbound) -> None:
        calls.append(inbound.delivered)
        raise ValueError("handler cannot cope")

    consumers.consume(f"review.drafts.updated.P{token}", f"poison-{token}", poison)
    await _start(broker, consumers)
    await nc.jetstream().publish(f"review.drafts.updated.P{token}", b"{}", headers={"Nats-Msg-Id": token})
    dead = await eventually(lambda: _dlq_messages(nc, token), timeout=15, what="dead letter")
    assert calls == [1, 2, 3]
    assert dead[0]["reason"].startswith("ValueError")
    assert dead[0]["msg_id"] == token


async def test_an_answered_message_is_acked_once_and_never_dead_lettered(policy, nc):
    broker, consumers = policy
    token = uuid.uuid4().hex[:8]
    calls: list[int] = []

    async def answered(inbound: Inbound) -> None:
        calls.append(inbound.delivered)
        raise Terminal("rejected")

    consumers.consume(f"review.drafts.updated.A{token}", f"answered-{token}", answered)
    await _start(broker, consumers)
    await nc.jetstream().publish(f"review.drafts.updated.A{token}", b"{}")
    await eventually(lambda: calls, what="first delivery")
    info = await eventually(
        lambda: _acked(nc, f"answered-{token}"), timeout=10, what="ack floor to move"
    )
    assert info and calls == [1]
    assert await _dlq_messages(nc, token) == []


async def test_a_passing_failure_is_retried_and_then_succeeds(policy, nc):
    broker, consumers = policy
    token = uuid.uuid4().hex[:8]
    calls: list[int] = []

    async def flaky(inbound: Inbound) -> None:
        calls.append(inbound.delivered)
        if inbound.delivered < 2:
            raise ConnectionError("database down")

    consumers.consume(f"review.drafts.updated.F{token}", f"flaky-{token}", flaky)
    await _start(broker, consumers)
    await nc.jetstream().publish(f"review.drafts.updated.F{token}", b"{}")
    await eventually(lambda: _acked(nc, f"flaky-{token}"), timeout=10, what="ack after retry")
    assert calls == [1, 2]


async def _acked(nc, durable: str) -> bool:
    info = await nc.jetstream().consumer_info("REVIEW", durable)
    return info.ack_floor.stream_seq >= info.delivered.stream_seq > 0 and info.num_ack_pending == 0


async def test_a_bulk_publish_stores_each_event_once_even_when_repeated(policy, nc):
    from shared.messaging import Event

    broker, _ = policy
    await _start(broker)
    token = uuid.uuid4().hex[:8]
    events = [Event(f"review.drafts.updated.B{token}", {"n": i}, msg_id=f"bulk:{token}:{i}") for i in range(300)]
    publisher = Publisher(broker)
    assert await publisher.publish_many(events) == 300
    assert await publisher.publish_many(events[:100]) == 100
    first = await publisher.publish(events[0])
    assert first.duplicate is True
    js = nc.jetstream()
    sub = await js.pull_subscribe(f"review.drafts.updated.B{token}", durable=None)
    seen = []
    while True:
        try:
            batch = await sub.fetch(500, timeout=1)
        except Exception:
            break
        seen += [json.loads(m.data)["n"] for m in batch]
    await sub.unsubscribe()
    assert sorted(seen) == list(range(300))


async def test_an_ordered_consumer_handles_messages_in_stream_order(policy, nc):
    """Handlers that take uneven time still see the messages in the order they were stored (a registry's
    parents before their children); a concurrent fetch would finish the quick ones first."""
    import asyncio
    import random

    broker, consumers = policy
    token = uuid.uuid4().hex[:8]
    seen: list[int] = []

    async def slow_then_fast(inbound: Inbound) -> None:
        n = json.loads(inbound.data)["n"]
        await asyncio.sleep(random.uniform(0, 0.02) if n % 3 else 0.03)
        seen.append(n)

    consumers.consume(f"review.drafts.updated.O{token}", f"ordered-{token}", slow_then_fast, fetch=20, ordered=True)
    await _start(broker, consumers)
    js = nc.jetstream()
    for n in range(60):
        await js.publish(f"review.drafts.updated.O{token}", json.dumps({"n": n}).encode())
    await eventually(lambda: len(seen) == 60, timeout=20, what="all 60 handled")
    assert seen == list(range(60))


async def test_stop_finishes_the_batch_in_flight_and_acks_it(policy, nc):
    import asyncio

    broker, consumers = policy
    token = uuid.uuid4().hex[:8]
    started, finished = asyncio.Event(), []

    async def slow(inbound: Inbound) -> None:
        started.set()
        await asyncio.sleep(0.3)
        finished.append(inbound.msg_id)

    consumers.consume(f"review.drafts.updated.S{token}", f"stop-{token}", slow)
    await _start(broker, consumers)
    await nc.jetstream().publish(f"review.drafts.updated.S{token}", b"{}", headers={"Nats-Msg-Id": token})
    await asyncio.wait_for(started.wait(), timeout=10)
    await asyncio.wait_for(consumers.stop(), timeout=10)
    assert finished == [token]
    assert await eventually(lambda: _acked(nc, f"stop-{token}"), timeout=10, what="the ack of the finished message")


async def test_a_batch_consumer_gets_whole_fetches_in_order_and_each_outcome_is_applied(policy, nc):
    """`consume_batches`: messages in stream order; per message, None acks, `Terminal` acks, a failure is retried
    alone (the others of its fetch are not handled again)."""
    broker, consumers = policy
    token = uuid.uuid4().hex[:8]
    seen: list[tuple[int, int]] = []

    async def batch(inbounds: list[Inbound]) -> list[BaseException | None]:
        outcomes: list[BaseException | None] = []
        for inbound in inbounds:
            n = json.loads(inbound.data)["n"]
            seen.append((n, inbound.delivered))
            outcomes.append(Terminal("rejected") if n == 3 else ConnectionError("down") if n == 5 and
                            inbound.delivered == 1 else None)
        return outcomes

    consumers.consume_batches(f"review.drafts.updated.W{token}", f"whole-{token}", batch, fetch=4)
    await _start(broker, consumers)
    js = nc.jetstream()
    for n in range(10):
        await js.publish(f"review.drafts.updated.W{token}", json.dumps({"n": n}).encode())
    await eventually(lambda: _acked(nc, f"whole-{token}"), timeout=15, what="every message acked")
    first = [n for n, delivered in seen if delivered == 1]
    assert first == list(range(10))
    assert [n for n, delivered in seen if delivered > 1] == [5]
