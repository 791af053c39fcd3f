"""The national-scale run: every figure of issue 8 beside a raw baseline measured in the same run, on the same
servers (nats-server, nx-27017 or MONGODB_URI, an aiosmtpd sink), the four services as processes.

    .venv/bin/python -m bench.bench_national [--grassroots 52000 --districts 700 --agencies 40 --overdue 10000]
    .venv/bin/python -m bench.bench_national --scale 0.1      # every size times 0.1

A generated province (one root, districts, agencies, grassroots spread evenly) goes in through intake's
registry, tier by tier. Then all the grassroots units but `--overdue` of them, every district and every agency
submit in one burst (clock 2023-05-09), and the clock moves just past the grassroots deadline (2023-05-15
01:00, before any escalation), where one sweep finds the `--overdue` unsubmitted units: the deadline storm.

- ingest: submissions/s from the first publish to the last `accepted`, p50/p99 of publish → `accepted`;
  raw (issue 8's baseline): a bare nats-py pull consumer on its own stream that decodes, inserts one document
  and publishes one event per message, one after another; raw batched (a stronger reference): one
  `insert_many` per fetched batch and the events published at once; both timed the same way;
- compile: time from the last `accepted` to the provincial draft with every source and the final coverage,
  and the compiler's recomputations (its stats query);
- sweep: the sweep request that finds and publishes the overdue notices; raw: a pymongo scan of the same
  obligations plus a bare JetStream publish of as many events;
- mail: mails/s from the sweep to the last overdue mail at the sink; raw: a bare aiosmtplib loop sending the
  storm's own messages again (the bytes the sink received, `sendmail`) over the notifier's number of kept-open
  connections; also a short text message built per send (`send_message`), the baseline up to session 6;
- memory: peak RSS (VmHWM) of each service process.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import shutil
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any, NamedTuple

import aiosmtplib
import nats
from nats.js.api import StreamConfig
from pymongo import AsyncMongoClient

from cli.campaign import Generator, Outgoing
from devstack.mongo import MongoServer
from devstack.nats import NatsServer
from devstack.services import ServiceProcess
from services.compiler.adapters.store import stored_draft
from services.notifier.app import CONNECTIONS
from shared.plan import load_plan
from shared.settings import BUNDLED_PLAN
from shared.streams import STREAM_NAME, ensure_stream
from tests.infra.smtp import SmtpServer

SERVICES = ("intake", "deadline", "compiler", "notifier")
BURST_AT = "2023-05-09T08:00:00+07:00"
STORM_AT = "2023-05-15T01:00:00+07:00"  # past the grassroots deadline, before the first escalation (P3D)
IN_FLIGHT = 512
OFFICE = "vanphong@tinhuy.bench.example.vn"


def province(grassroots: int, districts: int, agencies: int) -> list[dict[str, Any]]:
    def unit(unit_id: str, level: str, parent: str | None, name: str) -> dict[str, Any]:
        return {"unit_id": unit_id, "name": name, "level": level, "parent_id": parent, "founded_on": "1980-03-02",
                "roles": [], "active": True,
                "contacts": [{"name": f"Văn phòng {name}", "email": f"vp-{unit_id.lower()}@bench.example.vn"}],
                "supervisors": [{"name": "Ủy viên phụ trách", "email": f"uv-{unit_id.lower()}@bench.example.vn"}]}

    units = [unit("TU", "province", None, "Tỉnh ủy Quốc Gia")]
    units += [unit(f"HU{d:03d}", "district", "TU", f"Huyện ủy số {d}") for d in range(districts)]
    units += [unit(f"BAN{a:02d}", "agency", "TU", f"Ban số {a}") for a in range(agencies)]
    units += [unit(f"HU{g % districts:03d}-CS{g:05d}", "grassroots", f"HU{g % districts:03d}", f"Đảng bộ xã số {g}")
              for g in range(grassroots)]
    return units


def burst(units: list[dict[str, Any]], overdue: int) -> list[Outgoing]:
    gen = Generator(load_plan(BUNDLED_PLAN), units, seed=2023)
    grassroots = sum(1 for u in units if u["level"] == "grassroots")
    share = 1 - overdue / grassroots if grassroots else 0
    out = gen.submissions({"level": "grassroots", "report_type": "resolution_review", "cohort": [0.0, share]}, 1)
    out += gen.submissions({"level": "district", "report_type": "resolution_review"}, 1)
    out += gen.submissions({"level": "agency", "report_type": "agency_review"}, 1)
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def publish_all(js: Any, items: list[tuple[str, bytes, str]], sent: dict[str, float] | None = None) -> None:
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(subject: str, data: bytes, msg_id: str) -> None:
        async with gate:
            if sent is not None:
                sent[msg_id] = time.perf_counter()
            await js.publish(subject, data, headers={"Nats-Msg-Id": msg_id}, timeout=60)

    await asyncio.gather(*(one(*i) for i in items))


async def consumers_busy(nc: nats.NATS, durables: tuple[str, ...], seen: list[float], interval: float = 0.25) -> None:
    """Appends the time (perf_counter) of every sample in which these durables had messages pending or
    unacknowledged, until cancelled: the last one is when their service caught up."""
    js = nc.jetstream()
    while True:
        try:
            infos = await asyncio.gather(*(js.consumer_info(STREAM_NAME, d) for d in durables))
            if any(i.num_pending or i.num_ack_pending for i in infos):
                seen.append(time.perf_counter())
        except Exception:  # a slow answer: the next sample
            pass
        await asyncio.sleep(interval)


async def cpu_timeline(pids: dict[str, int], samples: list[tuple[float, dict[str, float]]],
                       interval: float = 1.0) -> None:
    """Appends (perf_counter, CPU seconds of each process) every `interval` until cancelled."""
    while True:
        samples.append((time.perf_counter(), {name: cpu_seconds(pid) for name, pid in pids.items()}))
        await asyncio.sleep(interval)


def cpu_around(samples: list[tuple[float, dict[str, float]]], origin: float, before: float = 6.0) -> str:
    """Each process's share of a core per sampled second, from `before` seconds ahead of `origin` on."""
    lines = []
    for (t0, c0), (t1, c1) in zip(samples, samples[1:], strict=False):
        if t1 < origin - before:
            continue
        shares = " ".join(f"{name} {(c1[name] - c0[name]) / (t1 - t0):4.2f}" for name in c1)
        lines.append(f"  {t1 - origin:+5.1f} s: {shares}")
    return "\n".join(lines)


async def wait_until(check: Any, timeout: float, what: str, interval: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not done within {timeout:.0f}s")
        await asyncio.sleep(interval)


class Arrivals:
    """Core subscription recording when each event arrived, keyed by a field of its body."""

    def __init__(self, key: str) -> None:
        self.key, self.at, self.sub = key, {}, None

    async def start(self, nc: nats.NATS, subject: str) -> Arrivals:
        async def on(msg: Any) -> None:
            self.at.setdefault(json.loads(msg.data).get(self.key), time.perf_counter())

        self.sub = await nc.subscribe(subject, cb=on)
        return self


class _Last(dict):  # type: ignore[type-arg]
    """Arrivals that only keep the time of the latest one (every event counts, not just the first per key)."""

    last = 0.0

    def setdefault(self, key: Any, value: float) -> float:  # type: ignore[override]
        self.last = max(self.last, value)
        return value


def db_trace(prefix: str, pids: dict[str, int]) -> dict[str, dict[str, int]]:
    """Each service's cumulative database commands (`shared.db.CommandTrace`), by service name."""
    found: dict[str, dict[str, int]] = {}
    for name, pid in pids.items():
        try:
            found[name] = json.loads(Path(f"{prefix}.{pid}.json").read_text())
        except (OSError, ValueError):
            found[name] = {}
    return found


def db_work(before: dict[str, dict[str, int]], after: dict[str, dict[str, int]], top: int = 6) -> str:
    """The commands that took the most round-trip time between two traces, per service."""
    lines = []
    for name, counts in after.items():
        diff = {k: v - before.get(name, {}).get(k, 0) for k, v in counts.items()}
        keys = sorted({k.rsplit(" | ", 1)[0] for k in diff}, key=lambda k: -diff.get(f"{k} | ms", 0))
        total = sum(diff.get(f"{k} | n", 0) for k in keys)
        if not total:
            continue
        parts = [f"{k} {diff.get(f'{k} | n', 0)}x/{diff.get(f'{k} | docs', 0)}d/{diff.get(f'{k} | ms', 0) / 1000:.1f}s"
                 for k in keys[:top] if diff.get(f"{k} | n", 0)]
        lines.append(f"  {name} ({total} commands): " + ", ".join(parts))
    return "\n".join(lines)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- raw baselines ------------------------------------------------------------------------------------------


async def raw_ingest(nc: nats.NATS, uri: str, items: list[tuple[str, bytes, str]],
                     batched: bool) -> dict[str, float]:
    """One by one (issue 8's baseline): decode, insert one document, publish one event, ack, one message after
    another. Batched (a stronger reference): one insert_many per fetch of 256, the events published at once."""
    js = nc.jetstream()
    tag = "b" if batched else "o"
    await js.add_stream(StreamConfig(name=f"BENCHRAW{tag.upper()}", subjects=[f"benchraw{tag}.>"],
                                     duplicate_window=120))
    client: AsyncMongoClient[Any] = AsyncMongoClient(uri)
    col = client.get_default_database()[f"raw_submissions_{tag}"]
    sub = await js.pull_subscribe(f"benchraw{tag}.submit.>", durable="raw", stream=f"BENCHRAW{tag.upper()}")
    arrivals = await Arrivals("submission_id").start(nc, f"benchraw{tag}.accepted.>")
    n = len(items)

    async def event(body: dict[str, Any]) -> None:
        await js.publish(f"benchraw{tag}.accepted.{body['unit_id']}", json.dumps(
            {"submission_id": body["submission_id"], "version": 1}).encode(),
            headers={"Nats-Msg-Id": f"accepted:{body['submission_id']}"})

    async def consume() -> None:
        gate = asyncio.Semaphore(IN_FLIGHT)

        async def gated(body: dict[str, Any]) -> None:
            async with gate:
                await event(body)

        while len(arrivals.at) < n:
            try:
                batch = await sub.fetch(256, timeout=1)
            except (TimeoutError, nats.errors.TimeoutError):
                continue
            if not batched:
                for msg in batch:
                    body = json.loads(msg.data)
                    await col.insert_one({"_id": body["submission_id"], **body})
                    await event(body)
                    await msg.ack()
                continue
            bodies = [json.loads(m.data) for m in batch]
            await col.insert_many([{"_id": b["submission_id"], **b} for b in bodies], ordered=False)
            await asyncio.gather(*(gated(b) for b in bodies))
            await asyncio.gather(*(m.ack() for m in batch))

    sent: dict[str, float] = {}
    worker = asyncio.create_task(consume())
    started = time.perf_counter()
    await publish_all(js, [(f"benchraw{tag}.submit.{i}", d, m) for i, (_, d, m) in enumerate(items)], sent)
    await wait_until(lambda: _at_least(arrivals.at, n), 3600, "raw events", 0.05)
    elapsed = max(arrivals.at.values()) - started
    worker.cancel()
    await asyncio.gather(worker, return_exceptions=True)
    await arrivals.sub.unsubscribe()
    await client.close()
    latencies = [arrivals.at[m] - sent[m] for _, _, m in items]
    return {"per_s": n / elapsed, "p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99),
            "seconds": elapsed}


async def raw_sweep(nc: nats.NATS, uri: str, now_ms: int, n: int) -> dict[str, float]:
    client: AsyncMongoClient[Any] = AsyncMongoClient(uri)
    col = client.get_default_database()["obligations"]
    started = time.perf_counter()
    docs = await col.find({}, {"due_ts": 1, "submission_id": 1, "exempt": 1}).to_list(None)
    due = [d for d in docs if int(d.get("due_ts") or 0) <= now_ms and not d.get("submission_id")]
    scan = time.perf_counter() - started
    js = nc.jetstream()
    await publish_all(js, [(f"benchrawb.overdue.{i}", b'{"unit_id": "x"}', f"raw-overdue-{i}") for i in range(n)])
    await client.close()
    return {"scan_s": scan, "found": len(due), "scan_publish_s": time.perf_counter() - started}


RawMail = tuple[str, list[str], "bytes | EmailMessage"]  # sender, recipients, the message


async def raw_mail(port: int, messages: list[RawMail], connections: int = CONNECTIONS) -> float:
    """Seconds for a bare aiosmtplib loop to send `messages` over `connections` kept-open connections: bytes with
    `sendmail` as they are, an `EmailMessage` with `send_message` (flattened on each send)."""
    queue: asyncio.Queue[RawMail] = asyncio.Queue()
    for item in messages:
        queue.put_nowait(item)

    async def worker() -> None:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        await client.connect()
        while not queue.empty():
            sender, recipients, msg = queue.get_nowait()
            if isinstance(msg, bytes):
                await client.sendmail(sender, recipients, msg)
            else:
                await client.send_message(msg, sender=sender, recipients=recipients)
        await client.quit()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return time.perf_counter() - started


async def timed_raw_mail(port: int, messages: list[RawMail], connections: int = CONNECTIONS) -> tuple[float, float]:
    """`raw_mail`'s seconds, and this process's CPU seconds over them (the sink's thread and the sender)."""
    cpu = time.process_time()
    seconds = await raw_mail(port, messages, connections)
    return seconds, time.process_time() - cpu


def short_messages(n: int) -> list[RawMail]:
    """A one-line text message built per send: the mail baseline of sessions 4-6, kept beside the storm's own."""
    out: list[RawMail] = []
    for i in range(n):
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = "so-ket@localhost", f"raw{i}@bench.example.vn", "Quá hạn nộp báo cáo"
        msg["Message-ID"] = f"<raw-{i}@bench>"
        msg.set_content("Đơn vị chưa nộp báo cáo sơ kết giữa nhiệm kỳ đúng hạn 15/05/2023.")
        out.append(("so-ket@localhost", [f"raw{i}@bench.example.vn"], msg))
    return out


def settle_heap() -> None:
    """What this process holds so far (the generated campaign, the burst's arrivals, the sink's mails) leaves the
    cyclic collector's view, as the services do at start-up (`shared.gctune`): its full collections walked all of
    it while the SMTP sink's thread and the raw loops shared the interpreter."""
    gc.collect()
    gc.freeze()


def sink_progress(sink: SmtpServer, before: int, n: int) -> list[float]:
    """When each tenth of the `n` mails after the first `before` arrived (perf_counter times)."""
    times = sorted(m.at for m in sink.messages[before:])
    return [times[min(len(times), n * k // 10) - 1] for k in range(1, 11) if times]


async def _at_least(values: Any, n: int) -> bool:
    return len(values) >= n


# --- the platform -------------------------------------------------------------------------------------------


async def request(nc: nats.NATS, subject: str, body: Any, timeout: float = 30) -> Any:
    reply = await nc.request(subject, json.dumps(body).encode(), timeout=timeout)
    return json.loads(reply.data)


async def set_clocks(nc: nats.NATS, now: str) -> None:
    for name in SERVICES:
        await request(nc, f"review.admin.{name}.clock", {"now": now})


async def count(db: Any, collection: str, query: dict[str, Any] | None = None) -> int:
    return int(await db[collection].count_documents(query or {}))


async def register(nc: nats.NATS, db: Any, units: list[dict[str, Any]]) -> float:
    """Tier by tier, each tier stored by intake before the next (intake may reorder within a fetched batch)."""
    js = nc.jetstream()
    started = time.perf_counter()
    done = 0
    for levels in (("province",), ("district", "agency"), ("grassroots",)):
        tier = [u for u in units if u["level"] in levels]
        await publish_all(js, [("review.units.upsert", json.dumps(u, ensure_ascii=False).encode(),
                                f"bench-unit:{u['unit_id']}") for u in tier])
        done += len(tier)
        await wait_until(lambda n=done: _count_at_least(db, "units", n), 3600, f"{levels} stored", 2.0)
    return time.perf_counter() - started


async def _count_at_least(db: Any, collection: str, n: int, query: dict[str, Any] | None = None) -> bool:
    return await count(db, collection, query) >= n


class Inputs(NamedTuple):
    grassroots: int
    districts: int
    agencies: int
    overdue: int
    units: list[dict[str, Any]]
    outgoing: list[Outgoing]
    items: list[tuple[str, bytes, str]]  # (subject, body, msg id) of each submission


def inputs(args: argparse.Namespace) -> Inputs:
    """The registry and the burst at the sizes asked (`--grassroots` ... times `--scale`)."""
    grassroots = round(args.grassroots * args.scale)
    districts = max(1, round(args.districts * args.scale))
    agencies = max(1, round(args.agencies * args.scale))
    overdue = min(grassroots, round(args.overdue * args.scale))
    units = province(grassroots, districts, agencies)
    outgoing = burst(units, overdue)
    items = [(o.subject, json.dumps(o.body, ensure_ascii=False).encode(), o.msg_id) for o in outgoing]
    return Inputs(grassroots, districts, agencies, overdue, units, outgoing, items)


async def run(args: argparse.Namespace, figures: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """The table's rows; `figures` gets the same measurements as numbers (for `make bench`'s goals table)."""
    grassroots, districts, agencies, overdue, units, outgoing, items = inputs(args)
    print(f"national bench: {grassroots} grassroots, {districts} districts, {agencies} agencies; "
          f"{len(items)} submissions in the burst, {overdue} overdue", flush=True)

    nats_server, mongo, sink = NatsServer().start(), MongoServer().start(), SmtpServer().start()
    uri = mongo.database_uri("bench_national")
    trace = str(Path(tempfile.mkdtemp(prefix="midterm-dbtrace-")) / "db")
    rows: list[tuple[str, str, str, str]] = []
    procs: dict[str, ServiceProcess] = {}
    nc = await nats.connect(nats_server.url, max_reconnect_attempts=-1)
    client: AsyncMongoClient[Any] = AsyncMongoClient(uri)
    db = client.get_default_database()
    try:
        await ensure_stream(nc.jetstream())
        settle_heap()
        raw = await raw_ingest(nc, mongo.database_uri("bench_raw"), items, batched=False)
        print(f"raw ingest, one by one: {raw}", flush=True)
        raw_batched = await raw_ingest(nc, mongo.database_uri("bench_raw"), items, batched=True)
        print(f"raw ingest, batched: {raw_batched}", flush=True)

        env = {"NATS_URL": nats_server.url, "MONGODB_URI": uri, "SMTP_HOST": "127.0.0.1",
               "SMTP_PORT": str(sink.port), "MIDTERM_CLOCK": "manual", "MIDTERM_NOW": BURST_AT,
               "MIDTERM_SWEEP_SECONDS": "86400", "MIDTERM_RETRY_SECONDS": "1", "MIDTERM_OFFICE_EMAIL": OFFICE,
               "MIDTERM_ACK_WAIT_SECONDS": "120", "LOG_LEVEL": "WARNING", "MIDTERM_DB_TRACE": trace}
        procs = {name: ServiceProcess(name, env) for name in SERVICES}
        for proc in procs.values():
            proc.spawn()
        await asyncio.gather(*(p.wait_healthy(120) for p in procs.values()))

        registering = time.perf_counter()
        took = await register(nc, db, units)
        obligations = grassroots + 4 * districts + agencies
        await wait_until(lambda: _count_at_least(db, "obligations", obligations), 3600, "obligations", 2.0)
        await wait_until(lambda: _count_at_least(db, "notifier_units", len(units)), 3600, "notifier units", 2.0)
        await wait_until(lambda: _count_at_least(db, "compiler_units", len(units)), 3600, "compiler units", 2.0)
        projections_s = time.perf_counter() - registering
        print(f"registry of {len(units)} units stored by intake in {took:.1f}s; every projection ready in "
              f"{projections_s:.1f}s", flush=True)

        # ingest
        accepted = await Arrivals("submission_id").start(nc, "review.submissions.accepted.>")
        root_updates = await Arrivals("version").start(nc, "review.drafts.updated.TU")
        changes = await Arrivals("obligation_id").start(nc, "review.obligations.changed.>")
        changes.at = _Last()
        drafts = await Arrivals("scope").start(nc, "review.drafts.updated.>")
        drafts.at = _Last()
        pids = {name: p.proc.pid for name, p in procs.items() if p.proc}
        pids |= {"nats-server": nats_server.proc.pid} if nats_server.proc else {}
        pids |= {"database": mongo.proc.pid} if mongo.proc else {}
        service_pids = {name: p.proc.pid for name, p in procs.items() if p.proc}
        await asyncio.sleep(1.1)  # the traces are written every second
        db_before = db_trace(trace, service_pids)
        cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        sent: dict[str, float] = {}
        cpu_samples: list[tuple[float, dict[str, float]]] = []
        timeline = asyncio.ensure_future(cpu_timeline(pids, cpu_samples))
        started = time.perf_counter()
        await publish_all(nc.jetstream(), items, sent)
        await wait_until(lambda: _at_least(accepted.at, len(items)), 3600, "accepted", 0.05)
        last_accepted = max(accepted.at.values())
        ingest_s = last_accepted - started
        latencies = [accepted.at[o.body["submission_id"]] - sent[o.msg_id] for o in outgoing]

        # compile: the provincial draft with every source and the final coverage
        sources = districts + agencies
        submitted = len(items)

        query_failures: list[str] = []

        async def final_draft() -> bool:
            try:
                draft = await request(nc, "review.query.draft", {"scope": "TU", "format": "json",
                                                                 "parts": ["coverage", "sources"]}, timeout=15)
                if "error" in draft:
                    raise RuntimeError(draft["error"]["code"])
            except Exception as exc:  # noted in the table; the stored draft says whether the compiler is done
                query_failures.append(f"{type(exc).__name__} {exc}"[:60])
                head = await db["drafts_latest"].find_one({"_id": "TU"}) or {}
                stored = await db["drafts"].find_one({"_id": f"TU:{head.get('version')}"}) or {}
                draft = stored_draft(stored) if stored else {}
            cov = draft.get("coverage", {})
            return len(draft.get("sources", [])) >= sources and cov.get("submitted", 0) >= submitted

        compiler_busy: list[float] = []
        sampler = asyncio.ensure_future(consumers_busy(nc, ("compiler-accepted", "compiler-obligations"),
                                                       compiler_busy))
        await wait_until(final_draft, 3600, "the final provincial draft", 1.0)
        sampler.cancel()
        timeline.cancel()
        final_at = max([*root_updates.at.values(), last_accepted])
        compile_s = final_at - last_accepted
        burst_cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
        print(f"CPU seconds from the burst to the final draft ({time.perf_counter() - started:.1f} s wall, "
              f"{os.cpu_count()} cores): " + ", ".join(f"{k} {v:.1f}" for k, v in burst_cpu.items()), flush=True)
        print(f"compile: last obligation change +{changes.at.last - last_accepted:.1f} s, last draft of any scope "
              f"+{drafts.at.last - last_accepted:.1f} s, final root draft +{compile_s:.1f} s after the last "
              "accepted; the compiler's consumers last seen busy "
              + (f"+{compiler_busy[-1] - last_accepted:.1f} s" if compiler_busy else "never")
              + "; the last provincial versions at " + ", ".join(
                  f"{t - last_accepted:+.1f}" for t in sorted(root_updates.at.values())[-5:]) + " s", flush=True)
        print("share of a core per second around the last accepted:\n" + cpu_around(cpu_samples, last_accepted),
              flush=True)
        await asyncio.sleep(1.1)
        db_burst = db_trace(trace, service_pids)
        print("database commands from the burst to the final draft (count x / documents d / round trips s):\n"
              + db_work(db_before, db_burst), flush=True)
        stats = await request(nc, "review.query.compiler.stats", {})
        print(f"compiler: {stats}", flush=True)

        # sweep and mail
        settle_heap()
        await set_clocks(nc, STORM_AT)
        mails_before = len(sink.messages)
        started = time.perf_counter()
        cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        bench_cpu = time.process_time()  # this process: the SMTP sink's thread, the arrivals, the samplers
        swept = await request(nc, "review.admin.deadline.sweep", {}, timeout=3600)
        sweep_s = time.perf_counter() - started

        async def all_mailed() -> bool:
            return len(sink.messages) >= mails_before + overdue

        await wait_until(all_mailed, 3600, "overdue mails", 0.05)
        arrivals = sorted(m.at for m in sink.messages[mails_before:])
        await asyncio.sleep(1.1)
        print("database commands from the sweep request to the last mail:\n"
              + db_work(db_burst, db_trace(trace, service_pids)), flush=True)
        mail_s = arrivals[-1] - started
        sending_s = arrivals[-1] - arrivals[0]  # from the first mail's arrival (the sink's own clock)
        storm_cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
        storm_cpu["bench (sink)"] = time.process_time() - bench_cpu
        print(f"CPU seconds from the sweep request to the last mail ({mail_s:.1f} s wall): "
              + ", ".join(f"{k} {v:.1f}" for k, v in storm_cpu.items()) + f"; sweep replied +{sweep_s:.1f} s, first mail "
              f"+{arrivals[0] - started:.1f} s, mails every 10%: "
              + ", ".join(f"{t - started:.1f}" for t in sink_progress(sink, mails_before, overdue)), flush=True)
        now_ms = int(__import__("datetime").datetime.fromisoformat(STORM_AT).timestamp() * 1000)
        raw_sw = await raw_sweep(nc, uri, now_ms, overdue)
        # the baseline sends the storm's own mails again, the very bytes the sink received
        storm_mails: list[RawMail] = [(m.mail_from, m.rcpt_tos, m.data) for m in sink.messages[mails_before:]]
        raw_s, raw_cpu = await timed_raw_mail(sink.port, storm_mails)
        raw_mail_rate = len(storm_mails) / raw_s
        short_rate = overdue / await raw_mail(sink.port, short_messages(overdue))
        print(f"raw mail: {raw_mail_rate:.0f}/s (the storm's {len(storm_mails)} messages again; this process, sink "
              f"and sender, {raw_cpu:.1f} CPU-s); a short message built per send {short_rate:.0f}/s", flush=True)
        rss = {name: rss_peak_mib(p.proc.pid) for name, p in procs.items() if p.proc}

        n = len(items)
        figures.update({
            "units": len(units), "grassroots": grassroots, "districts": districts, "agencies": agencies,
            "registry_s": took, "projections_s": projections_s, "submissions": n, "ingest_s": ingest_s, "ingest_per_s": n / ingest_s,
            "ingest_p50_s": percentile(latencies, .5), "ingest_p99_s": percentile(latencies, .99),
            "raw_ingest_per_s": raw["per_s"], "raw_ingest_p50_s": raw["p50"], "raw_ingest_p99_s": raw["p99"],
            "raw_batched_per_s": raw_batched["per_s"],
            "compile_s": compile_s, "recomputations": stats.get("recomputations"),
            "versions_written": stats.get("versions_written"), "overdue": overdue,
            "swept": swept.get("overdue"), "sweep_s": sweep_s, "raw_scan_s": raw_sw["scan_s"],
            "raw_scan_publish_s": raw_sw["scan_publish_s"], "mail_per_s": overdue / mail_s,
            "mail_s": mail_s, "sending_per_s": overdue / sending_s, "burst_cpu_s": burst_cpu, "storm_cpu_s": storm_cpu, "raw_mail_per_s": raw_mail_rate, "raw_short_mail_per_s": short_rate, "rss_mib": rss,
        })
        rows += [
            ("registry", f"{len(units)} units: intake {took:.1f} s ({len(units) / took:.0f}/s), every projection "
                         f"{projections_s:.0f} s", "-", ""),
            ("ingest", f"{n / ingest_s:.0f} subm/s, p50 {percentile(latencies, .5):.2f} s, "
                       f"p99 {percentile(latencies, .99):.2f} s",
             f"one by one {raw['per_s']:.0f} msg/s, p50 {raw['p50']:.2f} s, p99 {raw['p99']:.2f} s; "
             f"batched {raw_batched['per_s']:.0f} msg/s",
             f"{(n / ingest_s) / raw['per_s']:.2f} of raw one by one, "
             f"{(n / ingest_s) / raw_batched['per_s']:.2f} of batched"),
            ("compile", f"{compile_s:.1f} s after the last accepted; {stats.get('recomputations')} "
                        f"recomputations, {stats.get('versions_written')} versions", "-",
             f"root draft query failed {len(query_failures)}x ({', '.join(sorted(set(query_failures)))})"
             if query_failures else "root draft query ok"),
            ("sweep", f"{sweep_s:.1f} s for {swept.get('overdue')} overdue notices",
             f"scan {raw_sw['scan_s']:.2f} s ({raw_sw['found']} due); scan+publish {raw_sw['scan_publish_s']:.2f} s",
             f"{sweep_s / raw_sw['scan_publish_s']:.1f}x raw"),
            ("mail", f"{overdue / mail_s:.0f} mails/s ({overdue} in {mail_s:.1f} s from the sweep request; "
                     f"{overdue / sending_s:.0f}/s from the first mail)",
             f"{raw_mail_rate:.0f} mails/s (the same messages; a short one built per send {short_rate:.0f}/s)",
             f"{(overdue / mail_s) / raw_mail_rate:.2f} of raw ({(overdue / sending_s) / raw_mail_rate:.2f} from "
             f"the first mail; {(overdue / mail_s) / short_rate:.2f} of the short messages' loop)"),
            ("memory", ", ".join(f"{k} {v:.0f} MiB" for k, v in rss.items()), "-", ""),
        ]
    finally:
        for proc in procs.values():
            proc.stop()
        await client.close()
        await nc.close()
        sink.stop()
        nats_server.cleanup()
        mongo.cleanup()
        shutil.rmtree(Path(trace).parent, ignore_errors=True)
    return rows


def size_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Issue 8's national sizes, for `inputs`."""
    parser.add_argument("--grassroots", type=int, default=52_000)
    parser.add_argument("--districts", type=int, default=700)
    parser.add_argument("--agencies", type=int, default=40)
    parser.add_argument("--overdue", type=int, default=10_000)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every size (0.1: a tenth)")
    return parser


def main() -> None:
    parser = size_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    parser.add_argument("--json", type=Path, help="also write the figures as numbers to this file")
    args = parser.parse_args()
    figures: dict[str, Any] = {}
    rows = asyncio.run(run(args, figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    print(f"\n{'figure':<9} {'midterm':<62} {'raw baseline':<58} ratio")
    for name, ours, raw, ratio in rows:
        print(f"{name:<9} {ours:<62} {raw:<58} {ratio}")


if __name__ == "__main__":
    main()
