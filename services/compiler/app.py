"""Wiring only: projections in from JetStream, drafts out, the draft query, the recompute loop.

`MIDTERM_CONSUMER_SUFFIX` (shared.settings) names a separate set of durables for tests sharing one stream."""

from __future__ import annotations

from faststream import FastStream

from services.compiler.adapters.milestones import NatsMilestones
from services.compiler.adapters.store import Store
from services.compiler.handlers import Compiler
from services.compiler.queries import DraftQueries
from services.compiler.render.context import load_context
from shared import db as shared_db
from shared import subjects
from shared.contract import DraftUpdated
from shared.plan import load_plan
from shared.service import Runtime, queries

STATS = "review.query.compiler.stats"
# A fetch's events are handled at once, and the store's micro-batches gather them: one bulk write per batch.
# Four fetches in flight: a fetch waits on its slowest database round trip, and in a national burst the
# database is busy (two in flight left the projections ~20 s behind the deadline service's changes).
ACCEPTED_FETCH, OBLIGATION_FETCH, IN_FLIGHT = 256, 256, 4
MILESTONES_TIMEOUT = 1.0  # seconds the deadline service gets to answer at compile time


def wire(rt: Runtime) -> FastStream:
    settings = rt.settings
    plan = load_plan(settings.plan_path)
    store = Store(cache_bytes=int(settings.compiler_cache_mb * (1 << 20)))
    compiler = Compiler(store, plan, rt.clock, rt.publisher, rt.log, settings.draft_debounce_seconds,
                        NatsMilestones(rt.broker, MILESTONES_TIMEOUT, rt.log))
    answers = DraftQueries(compiler, store, load_context(plan), gc=rt.gc)
    inputs = [
        (subjects.UNITS_CHANGED_ALL, "compiler-units", compiler.on_unit, 16, 1),
        (subjects.OBLIGATIONS_CHANGED_ALL, "compiler-obligations", compiler.on_obligation, OBLIGATION_FETCH, IN_FLIGHT),
        (subjects.ACCEPTED_ALL, "compiler-accepted", compiler.on_accepted, ACCEPTED_FETCH, IN_FLIGHT),
    ]

    async def startup() -> None:
        answers.max_bytes = rt.broker.connection.max_payload - 1024  # room for the reply's headers
        store.connect(settings.mongodb_uri)
        await compiler.load()

    async def shutdown() -> None:
        await store.close()
        await shared_db.close()

    async def start_loop() -> None:
        rt.start_background(compiler.run())

    rt.on_startup.append(startup)
    rt.after_startup.append(start_loop)
    rt.on_shutdown.append(shutdown)
    for subject, durable, handler, fetch, in_flight in inputs:
        rt.consumers.consume(subject, durable, handler, fetch=fetch, in_flight=in_flight,
                             description="a projection the drafts are compiled from")
    queries(rt, [
        (subjects.QUERY_DRAFT, answers.draft, "The latest draft of a scope: json, markdown or docx"),
        (STATS, answers.stats, "Compiler counters: recomputations, versions written"),
    ])
    rt.document(subjects.drafts_updated("{scope}"), DraftUpdated, "A new draft version of a scope")
    return rt.app("Compiles district and provincial drafts from the latest reports")
