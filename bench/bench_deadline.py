"""Benchmark of the deadline service's hot paths at national scale, beside raw pymongo reads of the same
documents in the same run.

    .venv/bin/python -m bench.bench_deadline [--grassroots 52000 --districts 700 --overdue 10000]

Obligations are written in bulk (one per grassroots unit, four per district); `--overdue` grassroots units
have not submitted when the clock stands just after their deadline, the others have. Timed: a sweep that
finds and notices the overdue ones (events published to a real JetStream, keys recorded on their obligations), a second sweep at
the same moment (publishes nothing), the status query for the root and for one district, and raw reads.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from pymongo import AsyncMongoClient

from services.deadline.adapters.bus import CountingPublisher
from services.deadline.adapters.repository import Obligations, Units
from services.deadline.domain.obligations import Obligation, with_accepted
from services.deadline.domain.schedule import epoch_ms, next_check
from services.deadline.status import Status
from services.deadline.sweeper import Sweeper
from shared import db
from shared.clock import ManualClock, aware
from shared.messaging import Publisher, make_broker
from shared.plan import load_plan
from shared.settings import BUNDLED_PLAN, Settings
from shared.streams import ensure_stream
from tests.infra.mongo import MongoServer
from tests.infra.nats import NatsServer

NOW = aware(__import__("datetime").datetime(2023, 5, 15, 1, 0))


class Quiet:
    """Keeps the sweep's phase timings, logs nothing."""

    phases: dict[str, float] = {}

    def info(self, *a: Any, **k: Any) -> None:
        Quiet.phases = k.get("phases_ms", {})

    def warning(self, *a: Any, **k: Any) -> None: ...
    def error(self, *a: Any, **k: Any) -> None: ...


def obligations(plan: Any, grassroots: int, districts: int, overdue: int) -> list[tuple[Obligation, int]]:
    result = []
    for d in range(districts):
        district = f"HU{d:04d}"
        for rule in plan.rules_for("district"):
            ob = Obligation(district, rule.report_type.value, rule.due, unit_name=f"Huyện ủy {d}", path=district,
                            parent_id="TU", level="district")
            result.append((ob, next_check(ob, plan)))
    rule = plan.rules_for("grassroots")[0]
    for g in range(grassroots):
        district = f"HU{g % districts:04d}"
        ob = Obligation(f"CS{g:06d}", rule.report_type.value, rule.due, unit_name=f"Đảng bộ xã {g}",
                        path=f"{district}.CS{g:06d}", parent_id=district, level="grassroots")
        if g >= overdue:
            ob = with_accepted(ob, 1, f"sub-{g}", True)
        result.append((ob, next_check(ob, plan)))
    return result


async def timed(label: str, rows: list[tuple[str, float, str]], fn: Callable[[], Awaitable[Any]],
                note: Callable[[Any], str] = str) -> Any:
    started = time.perf_counter()
    value = await fn()
    rows.append((label, time.perf_counter() - started, note(value)))
    return value


async def run(args: argparse.Namespace) -> None:
    nats_server, mongo = NatsServer().start(), MongoServer().start()
    rows: list[tuple[str, float, str]] = []
    try:
        uri = mongo.database_uri("bench_deadline")
        plan = load_plan(BUNDLED_PLAN)
        database = db.connect(uri)
        store, units = Obligations(database), Units(database)
        await store.create_indexes()
        docs = obligations(plan, args.grassroots, args.districts, args.overdue)
        await timed("write obligations (insert_many)", rows, lambda: store.seed(docs), lambda n: f"{n} documents")

        raw = AsyncMongoClient(uri).get_default_database()["obligations"]
        now_ms = epoch_ms(NOW)
        await timed("raw pymongo: read the due documents", rows,
                    lambda: raw.find({"next_ts": {"$lte": now_ms}}).to_list(None), lambda d: f"{len(d)} documents")
        await timed("raw pymongo: read every document", rows,
                    lambda: raw.find({}).to_list(None), lambda d: f"{len(d)} documents")

        settings = Settings(NATS_URL=nats_server.url)
        broker = make_broker(settings, "deadline-bench")
        await broker.connect()
        await ensure_stream(broker.connection.jetstream())
        clock = ManualClock(NOW)
        sweeper = Sweeper(plan, clock, store, CountingPublisher(Publisher(broker)), Quiet())
        reply = await timed("sweep (find, publish, record)", rows, sweeper.sweep,
                            lambda r: f"{r} phases ms {Quiet.phases}")
        assert reply["overdue"] == args.overdue, reply
        again = await timed("sweep again at the same moment", rows, sweeper.sweep, lambda r: f"{r}")
        assert again == {"reminders": 0, "overdue": 0, "escalations": 0}, again

        status = Status(clock, store, units)
        await timed("status query, root (built and encoded)", rows, lambda: status.reply({}),
                    lambda b: f"{len(b) // 1024} KiB" if isinstance(b, bytes) else str(b))
        await timed("status query, one district", rows, lambda: status.subtree("HU0001"),
                    lambda obs: f"{len(obs)} obligations")
        await timed("raw pymongo: read one district", rows,
                    lambda: raw.find({"district": "HU0001"}).to_list(None), lambda d: f"{len(d)} documents")
        await broker.stop()
        await db.close()
    finally:
        nats_server.cleanup()
        mongo.cleanup()
    print(f"\ndeadline bench: {args.grassroots} grassroots, {args.districts} districts, {args.overdue} overdue, "
          f"database {mongo.kind}")
    for label, seconds, note in rows:
        print(f"  {label:<46} {seconds * 1000:>10.1f} ms   {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grassroots", type=int, default=10_000)
    parser.add_argument("--districts", type=int, default=140)
    parser.add_argument("--overdue", type=int, default=2_000)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
