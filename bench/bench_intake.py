"""Intake throughput against a raw baseline, on the same servers in the same run.

    .venv/bin/python -m bench.bench_intake [--n 10000]

intake: `n` valid submissions (one per grassroots unit, registry seeded in the database beforehand) published
through JetStream as fast as it takes them; timed from the first publish to the last `accepted` event.
raw one by one (the baseline of issue 8): a bare nats-py pull consumer on its own stream that decodes each
message, inserts one document into the same database server, publishes one event and acks, one message after
another; raw batched (a stronger reference): the same with one insert_many per fetch of 256 and the events
published concurrently. Both timed the same way.

Besides the rates, it prints the CPU time intake's process and the database server spent per message
(from /proc, so a machine busy with other work changes the rates far more than these figures).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

import nats
from nats.js.api import StreamConfig
from pymongo import AsyncMongoClient

from services.intake.domain.units import UnitTree
from shared.contract.units import Unit
from shared.streams import ensure_stream
from tests.infra.data import example_submission
from tests.infra.mongo import MongoServer
from tests.infra.nats import NatsServer
from tests.infra.services import ServiceProcess

IN_FLIGHT = 512
EXTRA_ENV: dict[str, str] = {}
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU of a process so far (0 where /proc is not there)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError, TypeError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def registry(n: int) -> list[dict[str, Any]]:
    tree = UnitTree()
    raw = [{"unit_id": "TU", "name": "Tỉnh ủy Lâm Giang", "level": "province"}]
    raw += [{"unit_id": f"D{d}", "name": f"Huyện ủy {d}", "level": "district", "parent_id": "TU"} for d in range(10)]
    raw += [{"unit_id": f"D{i % 10}-G{i}", "name": f"Đảng bộ xã {i}", "level": "grassroots",
             "parent_id": f"D{i % 10}", "founded_on": "1976-01-01"} for i in range(n)]
    docs = []
    for item in raw:
        for doc in tree.apply(Unit.model_validate(item), "2023-01-01T08:00:00+07:00"):
            tree.commit(doc)
            docs.append({**doc, "_id": doc["unit_id"], "published": True})
    return docs


def submissions(n: int) -> list[tuple[str, bytes, str]]:
    base = example_submission()
    out = []
    for i in range(n):
        body = copy.deepcopy(base)
        body["submission_id"], body["unit_id"] = str(uuid.uuid4()), f"D{i % 10}-G{i}"
        out.append((f"review.submissions.submit.D{i % 10}.D{i % 10}-G{i}",
                    json.dumps(body, ensure_ascii=False).encode(), body["submission_id"]))
    return out


async def publish_all(js: Any, messages: list[tuple[str, bytes, str]]) -> None:
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(subject: str, data: bytes, msg_id: str) -> None:
        async with gate:
            await js.publish(subject, data, headers={"Nats-Msg-Id": msg_id}, timeout=30)

    await asyncio.gather(*(one(*m) for m in messages))


async def count_until(nc: Any, subject: str, n: int) -> tuple[asyncio.Event, Any]:
    done, seen = asyncio.Event(), [0]

    async def on(_: Any) -> None:
        seen[0] += 1
        if seen[0] >= n:
            done.set()

    return done, await nc.subscribe(subject, cb=on)


async def bench_intake(nats_url: str, mongo_uri: str, n: int, db_pid: int | None = None) -> float:
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_uri)
    await client.get_default_database()["units"].insert_many(registry(n))
    await client.close()
    env = {"NATS_URL": nats_url, "MONGODB_URI": mongo_uri, "MIDTERM_CLOCK": "manual",
           "MIDTERM_NOW": "2023-01-01T08:00:00+07:00", "LOG_LEVEL": "WARNING", **EXTRA_ENV}
    proc = await ServiceProcess("intake", env).start(timeout=60)
    try:
        nc = await nats.connect(nats_url)
        js = nc.jetstream()
        messages = submissions(n)
        done, sub = await count_until(nc, "review.submissions.accepted.>", n)
        pid = proc.proc.pid if proc.proc else None
        cpu_intake, cpu_db = cpu_seconds(pid), cpu_seconds(db_pid)
        started = time.perf_counter()
        await publish_all(js, messages)
        published = time.perf_counter() - started
        await asyncio.wait_for(done.wait(), timeout=600)
        elapsed = time.perf_counter() - started
        cpu_intake, cpu_db = cpu_seconds(pid) - cpu_intake, cpu_seconds(db_pid) - cpu_db
        print(f"intake: published {n} in {published:.2f}s; last accepted after {elapsed:.2f}s; CPU per message: "
              f"intake {cpu_intake / n * 1000:.2f} ms, database {cpu_db / n * 1000:.2f} ms")
        await sub.unsubscribe()
        await nc.close()
        return elapsed
    finally:
        proc.stop()


async def bench_raw(nats_url: str, mongo_uri: str, n: int, db_pid: int | None = None,
                    batched: bool = False) -> float:
    """The baseline the issue names: a bare nats-py pull consumer that decodes each message, inserts one
    document and publishes one event, then acks, one message after another (`batched`: the stronger
    reference the first version of this bench used, one insert_many per fetch of 256 and the events
    published concurrently)."""
    label = "batched" if batched else "one-by-one"
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    stream = f"BENCHRAW{'B' if batched else 'O'}"
    prefix = f"bench.raw{'b' if batched else 'o'}"
    await js.add_stream(StreamConfig(name=stream, subjects=[f"{prefix}.>"], duplicate_window=120))
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_uri)
    collection = client.get_default_database()[f"raw_submissions_{'batched' if batched else 'single'}"]
    sub = await js.pull_subscribe(f"{prefix}.submit.>", durable="raw", stream=stream)
    done, counter = await count_until(nc, f"{prefix}.accepted.>", n)

    async def event(body: dict[str, Any]) -> None:
        await js.publish(f"{prefix}.accepted.{body['unit_id']}", json.dumps(
            {"submission_id": body["submission_id"], "version": 1}).encode(),
            headers={"Nats-Msg-Id": f"accepted:{body['submission_id']}"})

    async def one_by_one(batch: list[Any]) -> None:
        for msg in batch:
            body = json.loads(msg.data)
            await collection.insert_one({"_id": body["submission_id"], **body})
            await event(body)
            await msg.ack()

    async def all_at_once(batch: list[Any]) -> None:
        gate = asyncio.Semaphore(IN_FLIGHT)

        async def gated(body: dict[str, Any]) -> None:
            async with gate:
                await event(body)

        bodies = [json.loads(m.data) for m in batch]
        await collection.insert_many([{"_id": b["submission_id"], **b} for b in bodies], ordered=False)
        await asyncio.gather(*(gated(b) for b in bodies))
        await asyncio.gather(*(m.ack() for m in batch))

    async def consume() -> None:
        while not done.is_set():
            try:
                batch = await sub.fetch(256, timeout=1)
            except (TimeoutError, nats.errors.TimeoutError):
                continue
            await (all_at_once if batched else one_by_one)(batch)

    messages = [(f"{prefix}.submit.{s.rsplit('.', 1)[-1]}", d, i) for s, d, i in submissions(n)]
    worker = asyncio.create_task(consume())
    cpu_db = cpu_seconds(db_pid)
    started = time.perf_counter()
    await publish_all(js, messages)
    await asyncio.wait_for(done.wait(), timeout=600)
    elapsed = time.perf_counter() - started
    cpu_db = cpu_seconds(db_pid) - cpu_db
    print(f"raw {label}: last event after {elapsed:.2f}s; CPU per message: database {cpu_db / n * 1000:.2f} ms")
    worker.cancel()
    await asyncio.gather(worker, return_exceptions=True)
    await counter.unsubscribe()
    await client.close()
    await nc.close()
    return elapsed


async def main(n: int, baselines: bool = True) -> None:
    nats_server, mongo_server = NatsServer().start(), MongoServer().start()
    try:
        nc = await nats.connect(nats_server.url)
        await ensure_stream(nc.jetstream())
        await nc.close()
        print(f"{n} submissions of ~{len(submissions(1)[0][1])} bytes; MongoDB through {mongo_server.kind}")
        db_pid = mongo_server.proc.pid if mongo_server.proc else None
        print(f"load average before: {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} CPUs")
        if baselines:
            raw = await bench_raw(nats_server.url, mongo_server.database_uri("bench_raw"), n, db_pid)
            batched = await bench_raw(nats_server.url, mongo_server.database_uri("bench_rawb"), n, db_pid,
                                      batched=True)
        intake = await bench_intake(nats_server.url, mongo_server.database_uri("bench_intake"), n, db_pid)
        print(f"load average after:  {os.getloadavg()[0]:.2f} (1 min)")
        print(f"intake:                    {n / intake:8.0f} msg/s")
        if not baselines:
            return
        print(f"raw baseline, one by one:  {n / raw:8.0f} msg/s")
        print(f"raw reference, batched:    {n / batched:8.0f} msg/s")
        print(f"intake / raw one by one:   {raw / intake:8.2f}")
        print(f"intake / raw batched:      {batched / intake:8.2f}")
    finally:
        nats_server.cleanup()
        mongo_server.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--intake-only", action="store_true", help="skip the raw baselines (for profiling)")
    args = parser.parse_args()
    asyncio.run(main(args.n, baselines=not args.intake_only))
