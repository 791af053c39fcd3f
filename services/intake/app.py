"""Wiring only: the composition root of intake on the shared runtime."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from faststream import FastStream

from services.intake.adapters import stream
from services.intake.adapters.messages_file import load_audit_lines, load_messages
from services.intake.adapters.repositories import CatalogRepo, DecisionsRepo, SubmissionsRepo, UnitsRepo
from services.intake.decisions import Decisions
from services.intake.domain.audit import Auditor
from services.intake.domain.catalog import CatalogIndex
from services.intake.domain.units import UnitTree
from services.intake.handlers import Catalogue, Registry, Submissions
from services.intake.options import IntakeOptions
from services.intake.queries import Audit, Outlines
from services.intake.recording import Recorder
from shared import db, subjects
from shared.batching import MicroBatcher
from shared.contract.office import Decided, Decision, OfficeRejected
from shared.contract.queries import CatalogEntry
from shared.contract.submissions import Accepted, Rejected, Submission
from shared.contract.units import Unit, UnitChanged
from shared.messaging import Inbound
from shared.plan import load_plan
from shared.service import Runtime, queries

DESCRIPTION = ("Intake: the unit registry, submissions, the document catalogue, review decisions, outlines "
               "and the audit (CONTRACT sections 1, 2, 5, 10).")


def wire(rt: Runtime) -> FastStream:
    options = IntakeOptions()
    rt.gc_thresholds = options.gc_thresholds
    plan = load_plan(rt.settings.plan_path)
    messages = load_messages()
    tree, index = UnitTree(), CatalogIndex()
    parts: dict[str, Any] = {}

    async def crash() -> None:
        rt.log.warning("fault_injected", fault=options.fault)
        os._exit(70)

    async def read(filters: Sequence[str], start_seq: int, max_msgs: int) -> stream.Read:
        return await stream.read(rt.broker.connection.jetstream(), filters, start_seq=start_seq, max_msgs=max_msgs)

    async def start() -> None:
        database = db.connect(rt.settings.mongodb_uri)
        units, subs, cat = UnitsRepo(database), SubmissionsRepo(database), CatalogRepo(database)
        decisions = DecisionsRepo(database)
        await subs.create_indexes()
        await decisions.create_indexes()
        async for doc in units.summaries():
            tree.commit(doc)
        # The index gets the registered directives (and entries older versions wrote to `catalog`) here, the
        # entries stored with each submission as the recorder warms up, in its one pass over `submissions`.
        async for entry in cat.entries():
            index.add(entry)
        recorder = Recorder(subs, cat, index, rt.publisher, plan,
                            after_write=crash if options.fault == "exit_after_write" else None,
                            decisions=decisions)
        await recorder.warm()
        batcher: MicroBatcher[Any, Any] = MicroBatcher(recorder.flush, options.write_batch,
                                                       options.write_wait_ms / 1000, concurrency=3)
        parts.update(batcher=batcher,
                     submissions=Submissions(plan, rt.clock, messages, tree, batcher, rt.publisher),
                     decisions=Decisions(rt.clock, messages, tree, recorder, decisions, subs, rt.publisher,
                                         timedelta(days=options.resubmit_days)),
                     registry=Registry(rt.clock, messages, tree, units, rt.publisher),
                     catalogue=Catalogue(cat, index),
                     outlines=Outlines(plan, messages),
                     audit=Audit(tree, Auditor(load_audit_lines(), plan.report_name), read, messages,
                                 options.audit_max_scan))
        rt.log.info("intake_loaded", units=len(tree), catalogue=len(index))

    async def stop() -> None:
        if "batcher" in parts:
            await parts["batcher"].close()
        await db.close()

    async def on_submission(inbound: Any) -> None:
        await parts["submissions"].handle(inbound)

    async def on_decision(inbound: Any) -> None:
        await parts["decisions"].handle(inbound)

    async def on_units(inbounds: list[Inbound]) -> list[BaseException | None]:
        return await parts["registry"].handle_many(inbounds)

    async def on_register(inbound: Any) -> None:
        await parts["catalogue"].register(inbound)

    async def search(body: Any = None) -> dict[str, Any]:
        return await parts["catalogue"].search(body)

    async def outline(body: Any = None) -> dict[str, Any]:
        return await parts["outlines"].outline(body)

    async def audit(body: Any = None) -> dict[str, Any]:
        return await parts["audit"].audit(body)

    # A whole fetch at a time, so the write batcher gets it for one write (shared/consumers.py).
    rt.consumers.consume(subjects.SUBMIT_ALL, "intake-submissions", on_submission, fetch=options.fetch_batch,
                         in_flight=options.fetches_in_flight, schema=Submission, description="a report of a unit")
    # In stream order, one at a time: a registry's parents before their children, decisions as taken.
    rt.consumers.consume_batches(subjects.UNITS_UPSERT, "intake-units", on_units, fetch=256, schema=Unit,
                                 description="units of the registry, in stream order, a fetch at a time")
    rt.consumers.consume(subjects.DECIDE_ALL, "intake-decisions", on_decision, fetch=64, ordered=True,
                         schema=Decision, description="a review decision, in stream order")
    rt.consumers.consume(subjects.CATALOG_REGISTER, "intake-catalog", on_register, fetch=16,
                         description="catalogue registrations")
    queries(rt, [(subjects.QUERY_CATALOG, search, "Search the catalogue, ignoring case and diacritics"),
                 (subjects.QUERY_OUTLINE, outline, "The outline (headings and guidance) of a report type"),
                 (subjects.QUERY_AUDIT, audit, "Everything that happened to one unit, read from the stream")])
    rt.document(subjects.accepted("{path}"), Accepted, "A submission was accepted")
    rt.document(subjects.SUBMISSIONS_REJECTED, Rejected, "A submission was rejected, with every error")
    rt.document(subjects.decided("{path}"), Decided, "A review decision was taken")
    rt.document(subjects.DECISION_REJECTED, OfficeRejected, "A review decision was refused, with every error")
    rt.document(subjects.units_changed("{path}"), UnitChanged, "A unit was stored, with its path")
    rt.document(subjects.UNITS_REJECTED, Rejected, "A registry upsert was rejected")
    rt.document(subjects.QUERY_CATALOG + ".reply", CatalogEntry, "Catalogue search results")
    rt.on_startup.append(start)
    rt.on_shutdown.append(stop)
    return rt.app(DESCRIPTION)
