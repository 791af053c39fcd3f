"""Bench: the provincial draft of a province with 1 000 grassroots units, 12 districts and 6 agencies, under a
burst of 10 000 accepted submissions (10 versions per grassroots unit, each with the obligation change the
deadline service would publish), then the 30 district and agency reports.

Prints: recomputations during the burst, time from the last published event to the final drafts, and the
raw time to read the same submissions from the database, measured in the same run.

    .venv/bin/python -m bench.bench_compiler
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from typing import Any

import nats
from pymongo import MongoClient

from shared.db import database_name
from shared.streams import ensure_stream
from tests.infra.data import example_submission
from tests.infra.mongo import MongoServer
from tests.infra.nats import NatsServer
from tests.infra.services import ServiceProcess

GRASSROOTS, DISTRICTS, AGENCIES, VERSIONS = 1000, 12, 6, 10
IN_FLIGHT = 512


class Bench:
    def __init__(self, nc: nats.NATS, db: Any) -> None:
        self.nc, self.js, self.db = nc, nc.jetstream(), db
        self.root = "TU"
        self.districts = [f"HU{d:02d}" for d in range(1, DISTRICTS + 1)]
        self.agencies = [f"BAN{a}" for a in range(1, AGENCIES + 1)]
        self.grassroots = [(f"CS{g:04d}", self.districts[g % DISTRICTS]) for g in range(GRASSROOTS)]
        self.base = example_submission()

    async def publish_all(self, events: list[tuple[str, dict[str, Any], str]]) -> None:
        gate = asyncio.Semaphore(IN_FLIGHT)

        async def one(subject: str, body: dict[str, Any], msg_id: str) -> None:
            async with gate:
                await self.js.publish(subject, json.dumps(body, ensure_ascii=False).encode(),
                                      headers={"Nats-Msg-Id": msg_id}, timeout=30)
        await asyncio.gather(*(one(*e) for e in events))

    def units(self) -> list[tuple[str, dict[str, Any], str]]:
        rows = [(self.root, "Tỉnh ủy Lâm Giang", "province", None, "")]
        rows += [(d, f"Huyện ủy {d}", "district", self.root, d) for d in self.districts]
        rows += [(a, f"Ban {a} Tỉnh ủy", "agency", self.root, a) for a in self.agencies]
        rows += [(g, f"Đảng bộ xã {g}", "grassroots", d, f"{d}.{g}") for g, d in self.grassroots]
        return [(f"review.units.changed.{path or 'root'}",
                 {"unit_id": uid, "name": name, "level": level, "parent_id": parent, "path": path, "active": True},
                 f"unit:{uid}") for uid, name, level, parent, path in rows]

    def obligation(self, uid: str, path: str, report_type: str, status: str, version: int | None,
                   minute: int) -> tuple[str, dict[str, Any], str]:
        changed = f"2023-05-{1 + minute // 1440:02d}T{(minute // 60) % 24:02d}:{minute % 60:02d}:00+07:00"
        body = {"unit_id": uid, "unit_name": uid, "path": path, "report_type": report_type,
                "due_at": "2023-05-15T00:00:00+07:00", "status": status, "submission_id": None,
                "version": version, "changed_at": changed}
        return (f"review.obligations.changed.{path}", body, f"obl:{uid}:{report_type}:{status}:{version}")

    def submission(self, uid: str, path: str, report_type: str, version: int) -> tuple[dict[str, Any], tuple]:
        sid = str(uuid.uuid4())
        name = "submission-inspection.json" if report_type == "inspection_review" else "submission-grassroots.json"
        sub = example_submission(name, unit_id=uid, report_type=report_type, submission_id=sid)
        sub["content"]["targets"] = [{"code": "NEW_MEMBERS", "value": version, "status": "on_track"}]
        doc = {"_id": sid, "submission_id": sid, "unit_id": uid, "path": path, "report_type": report_type,
               "version": version, "obligation": f"{uid}:{report_type}", "received_at": "2023-05-10T08:00:00+07:00",
               "received_ts": 0, "due_at": "2023-05-15T00:00:00+07:00", "on_time": True, "content_hash": sid,
               "submission": sub}
        event = (f"review.submissions.accepted.{path}",
                 {"submission_id": sid, "unit_id": uid, "report_type": report_type, "version": version,
                  "received_at": "2023-05-10T08:00:00+07:00", "due_at": "2023-05-15T00:00:00+07:00", "on_time": True},
                 f"accepted:{sid}")
        return doc, event


async def draft(nc: nats.NATS, scope: str) -> dict[str, Any]:
    reply = await nc.request("review.query.draft", json.dumps({"scope": scope}).encode(), timeout=30)
    return json.loads(reply.data)


async def stats(nc: nats.NATS) -> dict[str, Any]:
    return json.loads((await nc.request("review.query.compiler.stats", b"{}", timeout=10)).data)


async def wait_for(check, timeout: float, what: str) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return time.monotonic()
        await asyncio.sleep(0.05)
    raise TimeoutError(what)


async def main() -> int:
    nats_server, mongo = NatsServer().start(), MongoServer().start()
    uri = mongo.database_uri("bench_compiler")
    client: MongoClient = MongoClient(uri)
    db = client[database_name(uri)]
    service = ServiceProcess("compiler", {"NATS_URL": nats_server.url, "MONGODB_URI": uri, "MIDTERM_CLOCK": "manual",
                                          "MIDTERM_NOW": "2023-05-20T08:00:00+07:00", "LOG_LEVEL": "INFO"})
    nc = await nats.connect(nats_server.url)
    try:
        await ensure_stream(nc.jetstream())
        bench = Bench(nc, db)
        await service.start(timeout=60)
        # the organisation and its obligations, before the burst
        setup = bench.units()
        setup += [bench.obligation(g, f"{d}.{g}", "resolution_review", "pending", None, 0) for g, d in bench.grassroots]
        setup += [bench.obligation(d, d, t, "pending", None, 0) for d in bench.districts
                  for t in ("resolution_review", "inspection_review", "self_criticism", "conference_result")]
        setup += [bench.obligation(a, a, "agency_review", "pending", None, 0) for a in bench.agencies]
        await bench.publish_all(setup)
        expected = GRASSROOTS + 4 * DISTRICTS + AGENCIES
        await wait_for(lambda: _root_expected(nc, expected), 120, "the projection of the organisation")
        # the submissions, stored by "intake" before their accepted events
        docs, burst = [], []
        for version in range(1, VERSIONS + 1):
            for g, d in bench.grassroots:
                doc, event = bench.submission(g, f"{d}.{g}", "resolution_review", version)
                docs.append(doc)
                burst.append(event)
                burst.append(bench.obligation(g, f"{d}.{g}", "resolution_review", "submitted", version, version))
        upper = []
        for d in bench.districts:
            for t in ("resolution_review", "inspection_review"):
                doc, event = bench.submission(d, d, t, 1)
                docs.append(doc)
                upper += [event, bench.obligation(d, d, t, "submitted", 1, 20)]
        for a in bench.agencies:
            doc, event = bench.submission(a, a, "agency_review", 1)
            docs.append(doc)
            upper += [event, bench.obligation(a, a, "agency_review", "submitted", 1, 20)]
        for i in range(0, len(docs), 1000):
            db.submissions.insert_many(docs[i:i + 1000], ordered=False)
        grassroots_ids = [d["_id"] for d in docs if d["unit_id"].startswith("CS")]

        before = (await stats(nc))["recomputations"]
        started = time.monotonic()
        await bench.publish_all(burst + upper)
        published = time.monotonic()

        async def final() -> bool:
            root = await draft(nc, bench.root)
            if "error" in root or len(root["sources"]) != 2 * DISTRICTS + AGENCIES:
                return False
            if root["coverage"]["submitted"] != expected - 2 * DISTRICTS:
                return False
            for d in bench.districts:
                dd = await draft(nc, d)
                if "error" in dd or any(s["version"] != VERSIONS for s in dd["sources"]) or \
                        len(dd["sources"]) != GRASSROOTS // DISTRICTS + (1 if d in _extra(bench, d) else 0):
                    return False
            return True
        done = await wait_for(final, 600, "the final drafts")
        after = await stats(nc)

        t0 = time.monotonic()
        for sid in grassroots_ids:
            db.submissions.find_one({"_id": sid})
        one_by_one = time.monotonic() - t0
        t0 = time.monotonic()
        read = 0
        for i in range(0, len(grassroots_ids), 1000):
            read += len(list(db.submissions.find({"_id": {"$in": grassroots_ids[i:i + 1000]}})))
        in_batches = time.monotonic() - t0

        print(f"database: {mongo.kind}")
        print(f"units: {GRASSROOTS} grassroots, {DISTRICTS} districts, {AGENCIES} agencies")
        print(f"burst: {len(grassroots_ids)} grassroots submissions ({VERSIONS} versions each) "
              f"+ {len(upper) // 2} district/agency reports, each with its obligation change "
              f"({len(burst) + len(upper)} events)")
        print(f"publish time: {published - started:.2f} s")
        print(f"recomputations during the burst: {after['recomputations'] - before} "
              f"(new draft versions: {after['versions_written']})")
        print(f"time from the last published event to the final drafts: {done - published:.2f} s "
              f"(from the first: {done - started:.2f} s)")
        print(f"raw read of the same {len(grassroots_ids)} submissions: {one_by_one:.2f} s one by one by _id, "
              f"{in_batches:.2f} s in batches of 1000 ({read} read)")
        return 0
    finally:
        await nc.close()
        service.stop()
        client.close()
        mongo.cleanup()
        nats_server.cleanup()


def _extra(bench: Bench, district: str) -> set[str]:
    """Districts that get one more grassroots unit when 1 000 does not divide evenly."""
    counts: dict[str, int] = {}
    for _, d in bench.grassroots:
        counts[d] = counts.get(d, 0) + 1
    base = GRASSROOTS // DISTRICTS
    return {d for d, n in counts.items() if n > base}


async def _root_expected(nc: nats.NATS, expected: int) -> bool:
    root = await draft(nc, "TU")
    return "error" not in root and root["coverage"]["expected"] == expected


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
