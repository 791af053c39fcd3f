"""The composition root every service shares: settings, clock, logs, broker, publisher, consumers,
the health and clock endpoints, and the FastStream app with its AsyncAPI document."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from faststream import FastStream
from faststream.nats import NatsBroker
from faststream.specification import AsyncAPI
from pydantic import BaseModel, ValidationError

from shared import gctune, subjects
from shared import logging as slog
from shared.clock import ManualClock, SystemClock, iso, make_clock
from shared.consumers import Consumers
from shared.messaging import Publisher, error_reply, make_broker
from shared.settings import Settings
from shared.streams import ensure_stream

VERSION = "0.1.0"

Hook = Callable[[], Awaitable[None]]


@dataclass
class Runtime:
    service: str
    settings: Settings
    clock: SystemClock | ManualClock
    broker: NatsBroker
    publisher: Publisher
    consumers: Consumers
    log: Any
    on_startup: list[Hook] = field(default_factory=list)
    after_startup: list[Hook] = field(default_factory=list)
    on_shutdown: list[Hook] = field(default_factory=list)
    background: list[asyncio.Task[Any]] = field(default_factory=list)
    gc_thresholds: tuple[int, int, int] = gctune.THRESHOLDS  # set after the start-up hooks (shared.gctune)
    gc: gctune.Pauses = field(default_factory=gctune.Pauses.install)

    def document(self, subject: str, schema: type[BaseModel] | None, description: str) -> None:
        """Name a subject this service publishes, so the AsyncAPI document lists it."""
        self.broker.publisher(subject, schema=schema, description=description)

    def start_background(self, coro: Awaitable[Any]) -> None:
        self.background.append(asyncio.ensure_future(coro))

    def app(self, description: str) -> FastStream:
        async def connect() -> None:
            await self.broker.connect()
            await ensure_stream(self.broker.connection.jetstream(), self.settings.stream_replicas)
            for hook in self.on_startup:
                await hook()
            gctune.settle(self.gc_thresholds)  # what the hooks loaded lives as long as the process
            await self.consumers.start()  # durables bound before health answers (see shared/consumers.py)

        async def started() -> None:
            for hook in self.after_startup:
                await hook()
            self.log.info("service_started", nats=self.settings.nats_url, clock=self.settings.clock)

        async def stopping() -> None:
            await self.consumers.stop()  # before the broker drains the connection
            for task in self.background:
                task.cancel()
            await asyncio.gather(*self.background, return_exceptions=True)

        async def stopped() -> None:
            # After the broker has drained in-flight messages: their handlers may still need the database.
            for hook in self.on_shutdown:
                await hook()
            self.log.info("service_stopped")

        # Registered last, so started last: a service answers health only once its consumers exist (a durable
        # created later with start-at-new would miss what a client publishes as soon as health answers).
        add_endpoints(self)
        for consumed in self.consumers.consumed:
            self.document(consumed.subject, consumed.schema,
                          f"Consumed by {self.service} (durable {consumed.durable}): {consumed.description}")
        spec = AsyncAPI(self.broker, title=f"midterm {self.service}", version=VERSION, description=description)
        return FastStream(
            self.broker,
            logger=None,
            on_startup=[connect],
            after_startup=[started],
            on_shutdown=[stopping],
            after_shutdown=[stopped],
            specification=spec,
        )


def build_runtime(service: str, settings: Settings | None = None) -> Runtime:
    settings = settings or Settings()
    log = slog.configure(service, settings.log_format, settings.log_level)
    clock = make_clock(settings.clock, settings.now)
    broker = make_broker(settings, service)
    publisher = Publisher(broker)
    return Runtime(service, settings, clock, broker, publisher, Consumers(broker, publisher, settings, service), log)


class ClockRequest(BaseModel):
    now: datetime


def add_endpoints(rt: Runtime) -> None:
    @rt.broker.subscriber(subjects.health(rt.service), description="Health probe")
    async def health(_: Any = None) -> dict[str, Any]:
        return {"service": rt.service, "status": "ok", "version": VERSION}

    @rt.broker.subscriber(subjects.admin_clock(rt.service), description="Set the manual clock")
    async def set_clock(body: Any = None) -> dict[str, Any]:
        if not isinstance(rt.clock, ManualClock):
            return error_reply("clock_not_manual", "Đồng hồ hệ thống không thể đặt lại (MIDTERM_CLOCK=system).")
        try:
            request = ClockRequest.model_validate(body)
        except ValidationError as exc:
            return error_reply("schema", str(exc.errors()[0]["msg"]))
        rt.clock.set(request.now)
        rt.log.info("clock_set", now=iso(rt.clock.now()))
        return {"now": iso(rt.clock.now())}


def run(app: FastStream) -> None:
    """Run until SIGTERM or SIGINT; FastStream drains in-flight messages, then the process exits 0."""
    with asyncio.Runner(loop_factory=loop_factory(Settings().event_loop)) as runner:
        runner.run(app.run())


def loop_factory(kind: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop (libuv, its transports in C) unless MIDTERM_EVENT_LOOP=asyncio: in the national mail storm the
    notifier's CPU per mail fell ~12 %, most of it socket writes and the loop's own bookkeeping."""
    if kind == "uvloop":
        import uvloop
        return uvloop.new_event_loop
    return None


def spec_of(app: FastStream) -> Any:
    return app.schema.to_specification().to_jsonable() if hasattr(app, "schema") else None


def queries(rt: Runtime, bindings: Sequence[tuple[str, Callable[..., Awaitable[Any]], str]],
            workers: int = 1) -> None:
    """Core request-reply handlers, in a queue group so replicas share them. `workers` > 1 answers that many
    requests of a subject at once (FastStream's `max_workers`): one at a time, a request waits behind every
    earlier one's database round trips."""
    extra: dict[str, Any] = {"max_workers": workers} if workers > 1 else {}
    for subject, fn, description in bindings:
        rt.broker.subscriber(subject, queue=f"{rt.service}-queries", description=description, **extra)(fn)
