"""Wiring only: the consumers, the background sender and digest flusher, and the subjects this service publishes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from faststream import FastStream

from services.notifier.adapters.announcer import EventAnnouncer
from services.notifier.adapters.cached_units import CachedUnits
from services.notifier.adapters.digests import MongoDigests
from services.notifier.adapters.outbox import MongoOutbox
from services.notifier.adapters.smtp import SmtpRelay
from services.notifier.adapters.units import MongoUnits
from services.notifier.contract import NotificationFailed, NotificationSent
from services.notifier.domain.compose import Composer
from services.notifier.domain.templates import Templates, letterhead
from services.notifier.handlers import Handlers
from services.notifier.sender import Sender
from shared import db as shared_db
from shared import subjects
from shared.messaging import Inbound
from shared.plan import load_plan
from shared.service import Runtime

CONCURRENCY = 64  # mails in flight at once (sending, announcing, recording); CONNECTIONS of them on the wire
# deadline events per fetch, DEADLINE_FETCHES fetches handled at once: smaller fetches than 256 x 2 interleave
# composing with sending (bench_notifier 7.7 -> 7.5 s per 10 000 mails); the outbox's batcher still gathers the inserts
DEADLINE_FETCH = 64
DEADLINE_FETCHES = 4
CONNECTIONS = 16  # kept-open SMTP connections: 8 -> 16 took bench_notifier 0.63-0.68 -> 0.70-0.75 of raw (same count)
MAX_ATTEMPTS = 8  # a passing failure is tried this often (back-off from MIDTERM_RETRY_SECONDS), then it fails


@dataclass
class Parts:
    handlers: Handlers | None = None
    sender: Sender | None = None
    relay: SmtpRelay | None = None
    outbox: MongoOutbox | None = None
    digests: MongoDigests | None = None


def build(rt: Runtime, database: Any, relay: Any, *, concurrency: int = CONCURRENCY,
          outbox: MongoOutbox | None = None, digests: MongoDigests | None = None) -> tuple[Handlers, Sender]:
    """The composition root of the notifier; the integration tests call it with their own relay or outbox."""
    settings = rt.settings
    plan = load_plan(settings.plan_path)
    composer = Composer(Templates(), letterhead(), plan.reference or plan.title, plan.report_name,
                        settings.office_email, settings.editorial_list)
    outbox = outbox or MongoOutbox(database)
    sender = Sender(outbox, relay, EventAnnouncer(rt.publisher, rt.service), rt.clock, rt.log,
                    retry_delay=settings.retry_delay, concurrency=concurrency, max_attempts=MAX_ATTEMPTS,
                    # Twice the relay's 30 s timeout: a claim whose acknowledgement was lost in a database outage
                    # is retried a minute later, not five; in-flight entries are never re-claimed by this process.
                    lease_seconds=60.0)
    digests = digests or MongoDigests(database)
    handlers = Handlers(CachedUnits(MongoUnits(database)), outbox, digests, composer, rt.clock, rt.publisher,
                        rt.log, service=rt.service, digest_window=timedelta(seconds=settings.digest_seconds),
                        handoff=sender)
    return handlers, sender


def wire(rt: Runtime) -> FastStream:
    parts = Parts()
    consumers = rt.consumers

    async def startup() -> None:
        database = shared_db.connect(rt.settings.mongodb_uri)
        parts.relay = SmtpRelay(rt.settings, connections=CONNECTIONS)
        parts.outbox, parts.digests = MongoOutbox(database), MongoDigests(database)
        parts.handlers, parts.sender = build(rt, database, parts.relay, outbox=parts.outbox, digests=parts.digests)
        await parts.outbox.ensure_indexes()
        await parts.digests.ensure_indexes()

    async def started() -> None:
        assert parts.sender and parts.handlers
        rt.start_background(parts.sender.run())
        rt.start_background(_every(1.0, parts.handlers.flush_digests, rt.log))

    async def shutdown() -> None:
        if parts.relay:
            await parts.relay.close()
        if parts.outbox:
            await parts.outbox.close()
        if parts.digests:
            await parts.digests.close()
        await shared_db.close()

    rt.on_startup.append(startup)
    rt.after_startup.append(started)
    rt.on_shutdown.append(shutdown)

    def use(pick: Callable[[Handlers], Callable[[Inbound], Awaitable[None]]]) -> Callable[[Inbound], Awaitable[None]]:
        async def handle(inbound: Inbound) -> None:
            assert parts.handlers is not None
            await pick(parts.handlers)(inbound)
        return handle

    consumers.consume(subjects.UNITS_CHANGED_ALL, "notifier-units", use(lambda h: h.unit_changed),
                      description="Keeps the notifier's recipients (notifier_units)")
    for kind, subject in (("reminder", subjects.REMINDER_ALL), ("overdue", subjects.OVERDUE_ALL),
                          ("escalated", subjects.ESCALATED_ALL)):
        consumers.consume(subject, f"notifier-{kind}", use(lambda h: h.deadline), fetch=DEADLINE_FETCH,
                          in_flight=DEADLINE_FETCHES, description=f"Mails for {kind} events")
    consumers.consume(subjects.SUBMISSIONS_REJECTED, "notifier-rejected", use(lambda h: h.rejected),
                      description="Mails the submitter of a rejected report")
    consumers.consume(subjects.DECIDED_ALL, "notifier-decided", use(lambda h: h.decided),
                      description="Mails the unit whose report was returned for a new version")
    consumers.consume(subjects.DRAFTS_UPDATED_ALL, "notifier-drafts", use(lambda h: h.draft_updated),
                      description="Draft digests for the Editorial Team")
    rt.document(subjects.NOTIFICATIONS_SENT, NotificationSent, "A mail the relay accepted")
    rt.document(subjects.NOTIFICATIONS_FAILED, NotificationFailed, "A mail that failed for good (5xx or retries)")
    return rt.app("Email fan-out of reminders, overdue notices, escalations, rejections, returns and draft digests")


async def _every(seconds: float, work: Callable[[], Awaitable[Any]], log: Any) -> None:
    while True:
        try:
            await work()
        except Exception as exc:  # the database is down: try again next time
            log.warning("digest_flush_failed", error=f"{type(exc).__name__}: {exc}"[:300])
        await asyncio.sleep(seconds)
