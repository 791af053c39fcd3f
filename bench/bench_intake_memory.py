"""Intake's memory at the national sizes of issue 8, without the rest of the platform.

    .venv/bin/python -m bench.bench_intake_memory                 # 52 741 units, 42 740 submissions
    .venv/bin/python -m bench.bench_intake_memory --scale 0.2     # every size times 0.2

Intake runs as a process on a real nats-server and database (nx-27017 unless MONGODB_URI is set), alone: no
deadline, compiler or notifier (their CPU would only slow the run; intake's memory does not depend on them).
The registry of bench_national's generated province goes in through `review.units.upsert`, tier by tier, then
bench_national's burst of submissions, published at once; then intake is restarted on the stored data, so its
start-up (reading every unit and catalogue entry back) is measured too. Printed: current RSS (VmRSS) after
each phase and the peak (VmHWM) of each process, from /proc/<pid>/status, in MiB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any

import nats
from pymongo import AsyncMongoClient

from bench.bench_national import BURST_AT, Arrivals, inputs, publish_all, register, size_arguments, wait_until
from devstack.mongo import MongoServer
from devstack.nats import NatsServer
from devstack.services import ServiceProcess
from shared.streams import ensure_stream


def memory_mib(pid: int) -> dict[str, float]:
    """VmRSS (now) and VmHWM (peak) of a process, in MiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


def line(phase: str, pid: int, started: float) -> str:
    mem = memory_mib(pid)
    return f"{phase:<36} RSS {mem['VmRSS']:6.1f} MiB   peak {mem['VmHWM']:6.1f} MiB   (+{time.perf_counter() - started:5.1f} s)"


async def run(args: argparse.Namespace) -> None:
    grassroots, districts, agencies, _, units, _, items = inputs(args)
    print(f"intake memory bench: {len(units)} units ({grassroots} grassroots, {districts} districts, {agencies} "
          f"agencies), {len(items)} submissions in the burst", flush=True)

    nats_server, mongo = NatsServer().start(), MongoServer().start()
    uri = mongo.database_uri("bench_intake_memory")
    env = {"NATS_URL": nats_server.url, "MONGODB_URI": uri, "MIDTERM_CLOCK": "manual", "MIDTERM_NOW": BURST_AT,
           "MIDTERM_ACK_WAIT_SECONDS": "120", "LOG_LEVEL": "WARNING"}
    nc = await nats.connect(nats_server.url, max_reconnect_attempts=-1)
    client: AsyncMongoClient[Any] = AsyncMongoClient(uri)
    db = client.get_default_database()
    proc: ServiceProcess | None = None
    try:
        await ensure_stream(nc.jetstream())
        started = time.perf_counter()
        proc = await ServiceProcess("intake", env).start(timeout=120)
        assert proc.proc is not None
        print(line("started, empty database", proc.proc.pid, started), flush=True)

        took = await register(nc, db, units)
        print(line(f"registry stored ({took:.0f} s)", proc.proc.pid, started), flush=True)

        accepted = await Arrivals("submission_id").start(nc, "review.submissions.accepted.>")
        burst_started = time.perf_counter()
        await publish_all(nc.jetstream(), items)
        await wait_until(lambda: _at_least(accepted.at, len(items)), 3600, "accepted", 0.2)
        print(line(f"burst accepted ({time.perf_counter() - burst_started:.0f} s)", proc.proc.pid, started),
              flush=True)
        answers = await queries(nc, units[-1]["unit_id"])
        first = memory_mib(proc.proc.pid)
        proc.stop()

        restarted = time.perf_counter()
        proc = await ServiceProcess("intake", env).start(timeout=600)
        assert proc.proc is not None
        print(line(f"restarted on the stored data ({time.perf_counter() - restarted:.0f} s)", proc.proc.pid,
                   started), flush=True)
        again = memory_mib(proc.proc.pid)
        if await queries(nc, units[-1]["unit_id"]) != answers:
            raise RuntimeError("intake answers the catalogue or the audit differently after its restart")
        print("catalogue and audit answers the same after the restart", flush=True)
        print(f"\nintake at {len(units)} units + {len(items)} submissions: peak {first['VmHWM']:.0f} MiB over the "
              f"registry and the burst (RSS {first['VmRSS']:.0f} MiB after); after a restart on that data "
              f"RSS {again['VmRSS']:.0f} MiB, peak {again['VmHWM']:.0f} MiB", flush=True)
    finally:
        if proc is not None:
            proc.stop()
        await client.close()
        await nc.close()
        nats_server.cleanup()
        mongo.cleanup()


async def queries(nc: nats.NATS, unit_id: str) -> list[Any]:
    """A few catalogue searches and a unit's audit (which needs the unit in intake's tree)."""
    answers = []
    for q in ("nghi quyet", "bao cao so ket dang bo xa so 1", "123-bc/du"):
        reply = await nc.request("review.query.catalog", json.dumps({"q": q, "limit": 20}).encode(), timeout=60)
        answers.append(json.loads(reply.data))
    reply = await nc.request("review.query.audit", json.dumps({"unit_id": unit_id, "limit": 1}).encode(), timeout=60)
    audit = json.loads(reply.data)
    if "error" in audit:
        raise RuntimeError(f"audit of {unit_id}: {audit['error']}")
    answers.append(audit["unit_id"])
    print(f"catalogue: {[len(a['results']) for a in answers[:3]]} results; audit of {unit_id} answered", flush=True)
    return answers


async def _at_least(values: Any, n: int) -> bool:
    return len(values) >= n


def main() -> None:
    parser = size_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
