"""Wiring only: the composition root of intake on the shared runtime."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from faststream import AckPolicy, FastStream
from faststream.nats import NatsMessage, PullSub
from nats.js.api import DeliverPolicy
from nats.js.errors import NotFoundError

from services.intake.adapters.batcher import MicroBatcher
from services.intake.adapters.messages_file import load_messages
from services.intake.adapters.repositories import CatalogRepo, SubmissionsRepo, UnitsRepo
from services.intake.domain.catalog import CatalogIndex
from services.intake.domain.units import UnitTree
from services.intake.handlers import Catalogue, Registry, Submissions
from services.intake.options import IntakeOptions
from services.intake.recording import Recorder
from shared import db, subjects
from shared.contract.queries import CatalogEntry
from shared.contract.submissions import Accepted, Rejected
from shared.contract.units import UnitChanged
from shared.plan import load_plan
from shared.service import Runtime, queries
from shared.streams import STREAM, STREAM_NAME, consumer_config

DESCRIPTION = "Intake: the unit registry, submissions and the document catalogue (CONTRACT sections 1, 2, 5)."


@dataclass
class Consumer:
    subject: str
    durable: str
    workers: int
    fetch: int
    config: dict[str, Any] = field(default_factory=dict)


def wire(rt: Runtime) -> FastStream:
    options = IntakeOptions()
    plan = load_plan(rt.settings.plan_path)
    messages = load_messages()
    tree, index = UnitTree(), CatalogIndex()
    parts: dict[str, Any] = {}

    async def crash() -> None:
        rt.log.warning("fault_injected", fault=options.fault)
        os._exit(70)

    async def start() -> None:
        database = db.connect(rt.settings.mongodb_uri)
        units, subs, cat = UnitsRepo(database), SubmissionsRepo(database), CatalogRepo(database)
        await subs.create_indexes()
        for doc in sorted(await units.all(), key=lambda d: len(d.get("path") or "")):
            tree.commit(doc)
        for entry in await cat.all():
            index.add(entry)
        recorder = Recorder(subs, cat, index, rt.publisher, plan,
                            after_write=crash if options.fault == "exit_after_write" else None)
        await recorder.warm()
        batcher: MicroBatcher[Any, Any] = MicroBatcher(recorder.flush, options.write_batch,
                                                       options.write_wait_ms / 1000, concurrency=3)
        parts.update(batcher=batcher,
                     submissions=Submissions(plan, rt.clock, messages, tree, batcher, rt.publisher),
                     registry=Registry(rt.clock, messages, tree, units, rt.publisher),
                     catalogue=Catalogue(cat, index))
        if options.consumer_suffix:
            await _start_at_new_messages(rt, consumers)
        rt.log.info("intake_loaded", units=len(tree), catalogue=len(index))

    async def stop() -> None:
        await rt.broker.stop()  # drain in-flight messages while the database is still there
        if "batcher" in parts:
            await parts["batcher"].close()
        await db.close()

    async def on_submission(inbound: Any) -> None:
        await parts["submissions"].handle(inbound)

    async def on_unit(inbound: Any) -> None:
        await parts["registry"].handle(inbound)

    async def on_register(inbound: Any) -> None:
        await parts["catalogue"].register(inbound)

    async def search(body: Any = None) -> dict[str, Any]:
        return await parts["catalogue"].search(body)

    consumers = [
        Consumer(subjects.SUBMIT_ALL, options.durable("submissions"), options.workers, options.fetch_batch),
        Consumer(subjects.UNITS_UPSERT, options.durable("units"), 1, 16),
        Consumer(subjects.CATALOG_REGISTER, options.durable("catalog"), 1, 16),
    ]
    handlers = [on_submission, on_unit, on_register]
    for consumer, handler in zip(consumers, handlers, strict=True):
        _consume_raw(rt, consumer, handler)
    queries(rt, [(subjects.QUERY_CATALOG, search, "Search the catalogue, ignoring case and diacritics")])
    rt.document(subjects.accepted("{path}"), Accepted, "A submission was accepted")
    rt.document(subjects.SUBMISSIONS_REJECTED, Rejected, "A submission was rejected, with every error")
    rt.document(subjects.units_changed("{path}"), UnitChanged, "A unit was stored, with its path")
    rt.document(subjects.UNITS_REJECTED, Rejected, "A registry upsert was rejected")
    rt.document(subjects.QUERY_CATALOG + ".reply", CatalogEntry, "Catalogue search results")
    rt.on_startup.append(start)
    rt.on_shutdown.append(stop)
    return rt.app(DESCRIPTION)


async def _raw_body(msg: Any) -> bytes:
    return bytes(msg.body)


def _consume_raw(rt: Runtime, c: Consumer, handler: Any) -> None:
    """`rt.consumers.consume` with one difference: FastStream must not JSON-decode the body first. Its decoder
    lets RecursionError (deep nesting) and ValueError (a 5000-digit number) escape before our handler runs, so
    such a message was never answered, only redelivered and dropped; and it parsed every payload twice."""
    config = consumer_config(c.durable, c.subject, max_deliver=rt.settings.max_deliver,
                             ack_wait_seconds=rt.settings.ack_wait_seconds,
                             max_ack_pending=max(1000, c.workers * c.fetch * 4))
    extra: dict[str, Any] = {"max_workers": c.workers} if c.workers > 1 else {}
    subscriber = rt.broker.subscriber(
        c.subject, stream=STREAM, durable=c.durable, config=config, decoder=_raw_body,
        pull_sub=PullSub(batch_size=c.fetch, timeout=1.0), ack_policy=AckPolicy.MANUAL,
        description=f"intake: {c.subject}", **extra,
    )

    async def on_message(msg: NatsMessage) -> None:
        await rt.consumers.guard(msg, handler)

    on_message.__name__ = f"on_{c.durable.replace('-', '_')}"
    subscriber(on_message)


async def _start_at_new_messages(rt: Runtime, consumers: list[Consumer]) -> None:
    """Create the suffixed consumers at the stream's end, before FastStream binds to them (it then only binds)."""
    js = rt.broker.connection.jetstream()
    for c in consumers:
        try:
            await js.consumer_info(STREAM_NAME, c.durable)
            continue
        except NotFoundError:
            pass
        config = consumer_config(c.durable, c.subject, max_deliver=rt.settings.max_deliver,
                                 ack_wait_seconds=rt.settings.ack_wait_seconds,
                                 max_ack_pending=max(1000, c.workers * c.fetch * 4))
        config.deliver_policy = DeliverPolicy.NEW
        await js.add_consumer(STREAM_NAME, config)
