"""One platform per fault test: its own nats-server, nx-27017 and SMTP server, the four services as processes,
and the outside views the oracles read: the stream itself, the database, the SMTP server's mailbox."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections import Counter
from typing import Any

import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pymongo import AsyncMongoClient

from devstack.mongo import MongoServer
from devstack.nats import NatsServer
from devstack.services import ServiceProcess
from shared.streams import STREAM_NAME, ensure_stream
from tests.faults.province import OFFICE, T0
from tests.infra.client import request
from tests.infra.smtp import SmtpServer
from tests.infra.wait import eventually

SERVICES = ("intake", "deadline", "compiler", "notifier")


def start_nx() -> MongoServer:
    """Always the nx-27017 process, even when MONGODB_URI is set: the outage tests stop and start it."""
    saved = os.environ.pop("MONGODB_URI", None)
    try:
        server = MongoServer().start()
    finally:
        if saved is not None:
            os.environ["MONGODB_URI"] = saved
    assert server.kind == "nx-27017", server.kind
    return server


class Platform:
    def __init__(self, **settings: str) -> None:
        self.nats = NatsServer().start()
        self.mongo = start_nx()
        self.smtp = SmtpServer().start()
        self.uri = self.mongo.database_uri("faults")
        self.now = T0
        self.env = {
            "NATS_URL": self.nats.url, "MONGODB_URI": self.uri,
            "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.smtp.port),
            "MIDTERM_CLOCK": "manual", "MIDTERM_SWEEP_SECONDS": "3600",
            "MIDTERM_RETRY_SECONDS": "0.5", "MIDTERM_MAX_DELIVER": "8", "MIDTERM_ACK_WAIT_SECONDS": "5",
            "MIDTERM_OFFICE_EMAIL": OFFICE, "MIDTERM_CONSUMER_SUFFIX": uuid.uuid4().hex[:8],
            "LOG_LEVEL": "INFO", **settings,
        }
        self.procs: dict[str, ServiceProcess] = {}
        self.nc: nats.NATS | None = None
        self.db_client: AsyncMongoClient[Any] | None = None

    # --- lifecycle ---------------------------------------------------------------------------------------

    async def start(self) -> Platform:
        self.nc = await nats.connect(self.nats.url, connect_timeout=5, max_reconnect_attempts=-1,
                                     reconnect_time_wait=0.5)
        await ensure_stream(self.nc.jetstream())
        for name in SERVICES:
            self.procs[name] = ServiceProcess(name, {**self.env, "MIDTERM_NOW": self.now})
            self.procs[name].spawn()
        await asyncio.gather(*(p.wait_healthy(60) for p in self.procs.values()))
        return self

    async def restart(self, name: str) -> None:
        """Start `name` again (after a kill), its clock at the scenario's current time, the same durables."""
        old = self.procs[name]
        old.kill9()
        proc = ServiceProcess(name, {**self.env, "MIDTERM_NOW": self.now}, log_path=old.log_path)
        self.procs[name] = await proc.start(timeout=60)

    async def close(self) -> None:
        for proc in self.procs.values():
            proc.stop()
        if self.nc is not None:
            await self.nc.close()
        if self.db_client is not None:
            await self.db_client.close()
        self.smtp.stop()
        self.nats.cleanup()
        self.mongo.cleanup()

    def logs(self, name: str) -> list[dict[str, Any]]:
        out = []
        for line in self.procs[name].logs().splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
        return out

    # --- talking to the platform -------------------------------------------------------------------------

    @property
    def client(self) -> nats.NATS:
        assert self.nc is not None
        return self.nc

    async def publish(self, subject: str, body: Any, msg_id: str | None, timeout: float = 10) -> Any:
        """A JetStream publish; unlike tests.infra.client.publish it leaves the stream's settings alone."""
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        headers = {"Nats-Msg-Id": msg_id} if msg_id else None
        return await self.client.jetstream().publish(subject, data, headers=headers, timeout=timeout)

    async def at(self, now: str) -> None:
        self.now = now
        for name in SERVICES:
            reply = await request(self.client, f"review.admin.{name}.clock", {"now": now}, timeout=10)
            assert reply.get("now"), reply

    async def sweep(self, timeout: float = 60) -> dict[str, Any]:
        return await request(self.client, "review.admin.deadline.sweep", {}, timeout=timeout)

    async def status(self) -> list[dict[str, Any]]:
        reply = await request(self.client, "review.query.status", {}, timeout=20)
        return list(reply.get("obligations", []))

    async def draft(self, scope: str) -> dict[str, Any]:
        return await request(self.client, "review.query.draft", {"scope": scope, "format": "json"}, timeout=20)

    def db(self) -> Any:
        if self.db_client is None:
            self.db_client = AsyncMongoClient(self.uri, serverSelectionTimeoutMS=5000, tz_aware=True)
        return self.db_client.get_default_database()

    # --- the stream as the oracles read it -----------------------------------------------------------------

    async def stream(self, subject: str) -> list[tuple[str, dict[str, Any] | None, dict[str, str]]]:
        """Every message the stream holds on `subject` (wildcards allowed): (subject, body, headers)."""
        js = self.client.jetstream()
        sub = await js.pull_subscribe(subject, stream=STREAM_NAME, config=ConsumerConfig(
            ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL, inactive_threshold=30))
        try:
            pending = (await sub.consumer_info()).num_pending
            out: list[tuple[str, dict[str, Any] | None, dict[str, str]]] = []
            while len(out) < pending:
                for msg in await sub.fetch(min(256, pending - len(out)), timeout=10):
                    try:
                        body = json.loads(msg.data)
                    except ValueError:
                        body = None
                    out.append((msg.subject, body, dict(msg.headers or {})))
            return out
        finally:
            await sub.unsubscribe()

    async def msg_ids(self, subject: str) -> Counter[str]:
        return Counter(h.get("Nats-Msg-Id", "") for _, _, h in await self.stream(subject))

    async def accepted_ids(self) -> Counter[str]:
        return Counter(b["submission_id"] for _, b, _ in await self.stream("review.submissions.accepted.>") if b)

    async def wait_accepted(self, ids: set[str], timeout: float = 90) -> None:
        async def all_in() -> bool:
            return ids <= set(await self.accepted_ids())

        await eventually(all_in, timeout=timeout, interval=0.5, what=f"{len(ids)} submissions accepted")

    def mails(self) -> Counter[tuple[str, str]]:
        return Counter((str(m.message["X-Midterm-Event"]), r) for m in self.smtp.messages for r in m.rcpt_tos)

    def message_ids(self) -> dict[tuple[str, str], set[str]]:
        out: dict[tuple[str, str], set[str]] = {}
        for m in self.smtp.messages:
            for r in m.rcpt_tos:
                out.setdefault((str(m.message["X-Midterm-Event"]), r), set()).add(str(m.message["Message-ID"]))
        return out
