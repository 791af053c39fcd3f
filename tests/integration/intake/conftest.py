"""Intake against real servers. Each module (or test, where state matters) gets its own database, its own
unit ids (a prefix) and its own durable consumers (`MIDTERM_CONSUMER_SUFFIX`, created at the stream's end),
so no service ever reads what another test published before it started."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import nats
import pytest_asyncio
from pymongo import AsyncMongoClient

from shared import subjects
from tests.infra.client import Capture, capture, publish
from tests.infra.data import example_units, grassroots_submission
from tests.infra.services import ServiceProcess
from tests.infra.wait import eventually

EXAMPLE_IDS = ("TU", "TP", "TP-XPL", "TP-CTX", "BTG")


class Province:
    """The example province with every id prefixed: `p.id("TP-XPL")`, `p.path("TP-XPL")`."""

    def __init__(self, prefix: str | None = None) -> None:
        self.prefix = prefix or f"x{uuid.uuid4().hex[:6]}"
        self.units = [self.remap(u) for u in example_units()]

    def id(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def remap(self, unit: dict[str, Any]) -> dict[str, Any]:
        unit = dict(unit)
        unit["unit_id"] = self.id(unit["unit_id"])
        if unit.get("parent_id"):
            unit["parent_id"] = self.id(unit["parent_id"])
        return unit

    def unit(self, name: str) -> dict[str, Any]:
        return next(u for u in self.units if u["unit_id"] == self.id(name))

    def path(self, name: str) -> str:
        return {"TU": "", "TP": self.id("TP"), "BTG": self.id("BTG"),
                "TP-XPL": f"{self.id('TP')}.{self.id('TP-XPL')}",
                "TP-CTX": f"{self.id('TP')}.{self.id('TP-CTX')}"}[name]

    def submission(self, name: str = "TP-XPL", **changes: Any) -> dict[str, Any]:
        return grassroots_submission(self.id(name), **changes)


def service_env_for(nats_url: str, mongo_uri: str, **extra: str) -> dict[str, str]:
    return {
        "NATS_URL": nats_url, "MONGODB_URI": mongo_uri, "MIDTERM_CLOCK": "manual",
        "MIDTERM_NOW": "2023-01-01T08:00:00+07:00", "MIDTERM_RETRY_SECONDS": "0.5", "MIDTERM_MAX_DELIVER": "4",
        "MIDTERM_ACK_WAIT_SECONDS": "10", "LOG_LEVEL": "WARNING",
        "MIDTERM_CONSUMER_SUFFIX": uuid.uuid4().hex[:12], **extra,
    }


class Intake:
    """A running intake with its database, and the events it publishes."""

    def __init__(self, proc: ServiceProcess, nc: nats.NATS, mongo_uri: str) -> None:
        self.proc, self.nc, self.mongo_uri = proc, nc, mongo_uri
        self.client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_uri, tz_aware=True)
        self.db = self.client.get_default_database()
        self.accepted: Capture | None = None
        self.rejected: Capture | None = None
        self.units_changed: Capture | None = None
        self.units_rejected: Capture | None = None
        self.decided: Capture | None = None
        self.decision_rejected: Capture | None = None

    async def ready(self) -> Intake:
        """Its own consumers exist. (The health query cannot tell: another intake running may answer it.)"""
        suffix = self.proc.env["MIDTERM_CONSUMER_SUFFIX"]
        js = self.nc.jetstream()

        async def exist() -> bool:
            try:
                for name in ("units", "submissions", "catalog", "decisions"):
                    await js.consumer_info("REVIEW", f"intake-{name}-{suffix}")
            except Exception:
                return False
            return True

        await eventually(exist, what="the consumers of this intake")
        return self

    async def listen(self) -> Intake:
        await self.ready()
        self.accepted = await capture(self.nc, subjects.ACCEPTED_ALL)
        self.rejected = await capture(self.nc, subjects.SUBMISSIONS_REJECTED)
        self.units_changed = await capture(self.nc, subjects.UNITS_CHANGED_ALL)
        self.units_rejected = await capture(self.nc, subjects.UNITS_REJECTED)
        self.decided = await capture(self.nc, "review.submissions.decided.>")
        self.decision_rejected = await capture(self.nc, subjects.DECISION_REJECTED)
        return self

    async def seed(self, units: list[dict[str, Any]]) -> None:
        assert self.units_changed is not None
        for unit in units:
            await publish(self.nc, subjects.UNITS_UPSERT, unit)
        wanted = {u["unit_id"] for u in units}
        await eventually(lambda: wanted <= {b["unit_id"] for b in self.units_changed.bodies}, what="units stored")

    async def submit(self, body: dict[str, Any] | bytes, path: str, msg_id: str | None = None,
                     headers: dict[str, str] | None = None) -> Any:
        if msg_id is None and isinstance(body, dict) and isinstance(body.get("submission_id"), str):
            msg_id = body["submission_id"]
        return await publish(self.nc, subjects.submit(path), body, msg_id=msg_id, headers=headers)

    async def outcome(self, submission_id: str, timeout: float = 15) -> tuple[str, dict[str, Any]]:
        assert self.accepted is not None and self.rejected is not None

        def found() -> tuple[str, dict[str, Any]] | None:
            for kind, cap in (("accepted", self.accepted), ("rejected", self.rejected)):
                hits = cap.where(submission_id=submission_id)
                if hits:
                    return kind, hits[0]
            return None

        return await eventually(found, timeout=timeout, what=f"outcome of {submission_id}")

    async def rejection(self, submission_id: str) -> dict[str, Any]:
        assert self.rejected is not None and self.accepted is not None
        accepted_before = len(self.accepted.where(submission_id=submission_id))
        hits = await eventually(lambda: self.rejected.where(submission_id=submission_id)
                                or len(self.accepted.where(submission_id=submission_id)) > accepted_before,
                                what=f"rejection of {submission_id}")
        assert isinstance(hits, list), f"{submission_id} was accepted"
        return hits[0]

    async def handled(self, seq: int, durable: str = "submissions") -> None:
        """Wait until the service has acked every message of its consumer up to stream sequence `seq`."""
        name = f"intake-{durable}-{self.proc.env['MIDTERM_CONSUMER_SUFFIX']}"

        async def acked() -> bool:
            info = await self.nc.jetstream().consumer_info("REVIEW", name)
            return info.ack_floor.stream_seq >= seq or (info.num_pending == 0 and info.num_ack_pending == 0
                                                        and info.delivered.stream_seq >= seq)

        await eventually(acked, what=f"{name} to ack {seq}")

    async def decide(self, path: str, submission_id: str, decision: str, **extra: Any) -> str:
        """Publish a review decision on `review.submissions.decide.<path>`; returns its decision_id."""
        body = {"decision_id": str(uuid.uuid4()), "submission_id": submission_id, "decision": decision,
                "reviewer": {"name": "Nguyễn Văn D", "email": "nvd@huyen.example.vn"}, **extra}
        await publish(self.nc, subjects.decide(path), body, msg_id=body["decision_id"])
        return str(body["decision_id"])

    async def decision(self, decision_id: str) -> tuple[str, dict[str, Any]]:
        """The outcome of a decision: ("decided", event) or ("decision_rejected", event)."""
        assert self.decided is not None and self.decision_rejected is not None

        def found() -> tuple[str, dict[str, Any]] | None:
            if hits := self.decided.where(decision_id=decision_id):
                return "decided", hits[0]
            if hits := self.decision_rejected.where(id=decision_id):
                return "decision_rejected", hits[0]
            return None

        return await eventually(found, what=f"outcome of decision {decision_id}")

    async def eventually_rejected(self, decision_id: str) -> list[dict[str, Any]]:
        assert self.decision_rejected is not None
        return await eventually(lambda: self.decision_rejected.where(id=decision_id),
                                what=f"refusal of decision {decision_id}")

    async def eventually_rejected_on(self, subject: str) -> list[dict[str, Any]]:
        assert self.decision_rejected is not None
        return await eventually(lambda: self.decision_rejected.where(subject=subject),
                                what=f"refusal of a decision on {subject}")

    async def stored(self, submission_id: str) -> dict[str, Any] | None:
        doc: dict[str, Any] | None = await self.db["submissions"].find_one({"_id": submission_id})
        return doc

    async def close(self) -> None:
        for cap in (self.accepted, self.rejected, self.units_changed, self.units_rejected, self.decided,
                    self.decision_rejected):
            if cap is not None:
                await cap.stop()
        await self.client.close()


def codes(rejection: dict[str, Any]) -> list[str]:
    return [e["code"] for e in rejection["errors"]]


def fields(rejection: dict[str, Any], code: str) -> list[str | None]:
    return [e["field"] for e in rejection["errors"] if e["code"] == code]


@pytest_asyncio.fixture(scope="module")
async def module_nc(nats_server) -> AsyncIterator[nats.NATS]:
    client = await nats.connect(nats_server.url, connect_timeout=5, max_reconnect_attempts=5)
    yield client
    await client.close()


@pytest_asyncio.fixture(scope="module")
async def province_intake(nats_server, mongo_server, module_nc) -> AsyncIterator[tuple[Intake, Province]]:
    """One intake for a module, with the example province (prefixed ids) already registered."""
    uri = mongo_server.database_uri()
    proc = await ServiceProcess("intake", service_env_for(nats_server.url, uri)).start()
    intake = await Intake(proc, module_nc, uri).listen()
    province = Province()
    await intake.seed(province.units)
    yield intake, province
    await intake.close()
    proc.stop()


@pytest_asyncio.fixture
async def launch(nats_server, mongo_server, nc) -> AsyncIterator[Callable[..., Any]]:
    """`intake = await launch(**env)`: an intake of this test only (fresh database unless MONGODB_URI given)."""
    started: list[tuple[Intake, ServiceProcess]] = []

    async def start(**extra: str) -> Intake:
        env = service_env_for(nats_server.url, extra.pop("MONGODB_URI", mongo_server.database_uri()), **extra)
        proc = await ServiceProcess("intake", env).start()
        intake = await Intake(proc, nc, env["MONGODB_URI"]).listen()
        started.append((intake, proc))
        return intake

    yield start
    for intake, proc in reversed(started):
        await intake.close()
        proc.stop()
