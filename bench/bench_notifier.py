"""Notifier throughput: N overdue events (one contact each) through the running service to a local aiosmtpd sink,
beside a raw aiosmtplib loop sending the same N messages over the same number of kept-open connections, in the
same run. The baseline sends the very bytes the notifier sent (`sendmail` of the rendered message); a second loop,
for reference, builds each message with the `email` package and sends it with `send_message` (what the notifier
did before it rendered the bytes itself): that loop pays ~0.4 ms per mail of flattening, and comparing against it
flattered the notifier (0.9-1.0 of it, 0.6-0.7 of the bytes loop).

    .venv/bin/python -m bench.bench_notifier [--n 5000]

Servers come from tests.infra: nats-server (JetStream), MongoDB or the nx-27017 stand-in, aiosmtpd.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from typing import Any

import nats

from bench.bench_national import RawMail, cpu_seconds, settle_heap, timed_raw_mail
from services.notifier.adapters.outbox import _entry
from services.notifier.app import CONNECTIONS
from services.notifier.domain import message
from shared import db as shared_db
from shared.streams import ensure_stream
from tests.infra.mongo import MongoServer
from tests.infra.nats import NatsServer
from tests.infra.services import ServiceProcess
from tests.infra.smtp import SmtpServer

SENDER = "so-ket@localhost"


async def _publish_all(nc: nats.NATS, items: list[tuple[str, dict[str, Any], str]], in_flight: int = 256) -> None:
    js = nc.jetstream()
    gate = asyncio.Semaphore(in_flight)

    async def one(subject: str, body: dict[str, Any], msg_id: str) -> None:
        async with gate:
            await js.publish(subject, json.dumps(body, ensure_ascii=False).encode(),
                             headers={"Nats-Msg-Id": msg_id}, timeout=30)

    await asyncio.gather(*(one(*item) for item in items))


async def _wait(check, timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not done within {timeout}s")
        await asyncio.sleep(interval)


async def run(n: int) -> dict[str, Any]:
    nats_server, mongo_server, sink = NatsServer().start(), MongoServer().start(), SmtpServer().start()
    uri = mongo_server.database_uri(f"bench_{uuid.uuid4().hex[:8]}")
    env = {"NATS_URL": nats_server.url, "MONGODB_URI": uri, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(sink.port),
           "MIDTERM_CLOCK": "manual", "MIDTERM_NOW": "2023-05-16T08:00:00+07:00", "LOG_LEVEL": "WARNING",
           "MIDTERM_RETRY_SECONDS": "1"}
    service = ServiceProcess("notifier", env)
    nc = await nats.connect(nats_server.url)
    db = shared_db.connect(uri, alias="bench")
    try:
        await ensure_stream(nc.jetstream())
        await service.start()
        ids = _unit_ids(n)
        units = [(f"review.units.changed.HU.{u}", {
            "unit_id": u, "name": f"Đảng bộ xã số {i}", "level": "grassroots", "parent_id": "HU", "path": f"HU.{u}",
            "contacts": [{"name": f"Văn phòng {u}", "email": f"vp-{u.lower()}@xa.example.vn"}], "supervisors": [],
        }, f"unit:{u}") for i, u in enumerate(ids)]
        await _publish_all(nc, units)
        # counting scans on nx-27017 (~0.1 s per 5 000 documents): poll the database slowly, the sink quickly
        await _wait(lambda: _count(db["notifier_units"], {}, n), 300, "the units projection", interval=1.0)

        print(f"units ready; notifier pid {service.proc.pid}", flush=True)
        settle_heap()
        pids = {"notifier": service.proc.pid, "nats-server": nats_server.proc.pid,
                "database": mongo_server.proc.pid if mongo_server.proc else None}
        cpu_before = {k: cpu_seconds(v) for k, v in pids.items() if v}
        bench_cpu = time.process_time()
        # published by another process, as the deadline service would: publishing from this one took the GIL
        # from the sink's thread while the first mails arrived. The clock starts when it has connected.
        publisher = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.bench_notifier", "--n", str(n), "--publish-overdue", nats_server.url,
            stdout=asyncio.subprocess.PIPE)
        assert publisher.stdout is not None
        await asyncio.wait_for(publisher.stdout.readline(), 60)
        started = time.perf_counter()
        if await asyncio.wait_for(publisher.wait(), 300):
            raise RuntimeError("the overdue events' publisher failed")
        published = time.perf_counter() - started
        await _wait(lambda: _sink_has(sink, n), 900, "all mails at the sink")
        service_s = time.perf_counter() - started
        arrivals = sorted(m.at for m in sink.messages)
        tenths = [round(arrivals[n * k // 10 - 1] - started, 2) for k in range(1, 11)]
        cpu = {k: round(cpu_seconds(pids[k]) - v, 1) for k, v in cpu_before.items()}
        cpu["bench (sink)"] = round(time.process_time() - bench_cpu, 1)
        await _wait(lambda: _count(db["outbox"], {"state": "sent"}, n), 300, "the outbox marks", interval=0.2)
        marked_s = time.perf_counter() - started
        duplicates = n - len({m.message["Message-ID"] for m in sink.messages})


        entries = [_entry(doc) async for doc in db["outbox"].find({})]
        async def raw(messages: list[RawMail]) -> tuple[float, float]:
            sink.clear()
            seconds, cpu = await timed_raw_mail(sink.port, messages, CONNECTIONS)
            assert len(sink.messages) == n
            return seconds, round(cpu, 1)

        raw_s, raw_cpu = await raw([(SENDER, [e.mail.recipient], message.render(e.mail, SENDER)) for e in entries])
        email_s, email_cpu = await raw([(SENDER, [e.mail.recipient], message.build(e.mail, SENDER)) for e in entries])
        return {
            "n": n, "store": mongo_server.kind, "connections": CONNECTIONS,
            "publish_s": round(published, 2),
            "service_s": round(service_s, 2), "service_mails_per_s": round(n / service_s, 1),
            "service_marked_s": round(marked_s, 2), "duplicates": duplicates,
            "first_mail_s": round(arrivals[0] - started, 2), "tenths_s": tenths, "cpu_s": cpu,
            "raw_s": round(raw_s, 2), "raw_mails_per_s": round(n / raw_s, 1), "raw_cpu_s": raw_cpu,
            "service_vs_raw": round(raw_s / service_s, 2),
            "steady_vs_raw": round((0.8 * n / (tenths[-1] - tenths[1])) / (n / raw_s), 2),
            "raw_email_pkg_s": round(email_s, 2), "raw_email_pkg_mails_per_s": round(n / email_s, 1),
            "raw_email_pkg_cpu_s": email_cpu, "service_vs_raw_email_pkg": round(email_s / service_s, 2),
        }
    finally:
        await nc.close()
        await shared_db.close("bench")
        service.stop()
        sink.stop()
        mongo_server.cleanup()
        nats_server.cleanup()


def overdue_events(n: int) -> list[tuple[str, dict[str, Any], str]]:
    return [(f"review.deadlines.overdue.HU.{u}",
             {"unit_id": u, "report_type": "resolution_review", "due_at": "2023-05-15T00:00:00+07:00"},
             f"overdue:{u}:resolution_review") for u in _unit_ids(n)]


def _unit_ids(n: int) -> list[str]:
    return [f"CS{i:05d}" for i in range(n)]


async def publish_overdue(url: str, n: int) -> None:
    events = overdue_events(n)
    nc = await nats.connect(url)
    print("connected", flush=True)
    try:
        await _publish_all(nc, events)
    finally:
        await nc.close()


async def _count(col: Any, query: dict[str, Any], n: int) -> bool:
    return await col.count_documents(query) >= n


async def _sink_has(sink: SmtpServer, n: int) -> bool:
    return len(sink.messages) >= n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--publish-overdue", metavar="NATS_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.publish_overdue:
        asyncio.run(publish_overdue(args.publish_overdue, args.n))
        return
    result = asyncio.run(run(args.n))
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
