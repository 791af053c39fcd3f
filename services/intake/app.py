"""Wiring only: the composition root of intake on the shared runtime."""

from __future__ import annotations

import os
from typing import Any

from faststream import FastStream

from services.intake.adapters.batcher import MicroBatcher
from services.intake.adapters.messages_file import load_messages
from services.intake.adapters.repositories import CatalogRepo, SubmissionsRepo, UnitsRepo
from services.intake.domain.catalog import CatalogIndex
from services.intake.domain.units import UnitTree
from services.intake.handlers import Catalogue, Registry, Submissions
from services.intake.options import IntakeOptions
from services.intake.recording import Recorder
from shared import db, subjects
from shared.contract.queries import CatalogEntry
from shared.contract.submissions import Accepted, Rejected
from shared.contract.units import UnitChanged
from shared.plan import load_plan
from shared.service import Runtime, queries

DESCRIPTION = "Intake: the unit registry, submissions and the document catalogue (CONTRACT sections 1, 2, 5)."


def wire(rt: Runtime) -> FastStream:
    options = IntakeOptions()
    plan = load_plan(rt.settings.plan_path)
    messages = load_messages()
    tree, index = UnitTree(), CatalogIndex()
    parts: dict[str, Any] = {}

    async def crash() -> None:
        rt.log.warning("fault_injected", fault=options.fault)
        os._exit(70)

    async def start() -> None:
        database = db.connect(rt.settings.mongodb_uri)
        units, subs, cat = UnitsRepo(database), SubmissionsRepo(database), CatalogRepo(database)
        await subs.create_indexes()
        for doc in sorted(await units.all(), key=lambda d: len(d.get("path") or "")):
            tree.commit(doc)
        for entry in await cat.all():
            index.add(entry)
        recorder = Recorder(subs, cat, index, rt.publisher, plan,
                            after_write=crash if options.fault == "exit_after_write" else None)
        await recorder.warm()
        batcher: MicroBatcher[Any, Any] = MicroBatcher(recorder.flush, options.write_batch,
                                                       options.write_wait_ms / 1000, concurrency=3)
        parts.update(batcher=batcher,
                     submissions=Submissions(plan, rt.clock, messages, tree, batcher, rt.publisher),
                     registry=Registry(rt.clock, messages, tree, units, rt.publisher),
                     catalogue=Catalogue(cat, index))
        rt.log.info("intake_loaded", units=len(tree), catalogue=len(index))

    async def stop() -> None:
        if "batcher" in parts:
            await parts["batcher"].close()
        await db.close()

    async def on_submission(inbound: Any) -> None:
        await parts["submissions"].handle(inbound)

    async def on_unit(inbound: Any) -> None:
        await parts["registry"].handle(inbound)

    async def on_register(inbound: Any) -> None:
        await parts["catalogue"].register(inbound)

    async def search(body: Any = None) -> dict[str, Any]:
        return await parts["catalogue"].search(body)

    rt.consumers.consume(subjects.SUBMIT_ALL, "intake-submissions", on_submission, max_workers=options.workers,
                         batch_size=options.fetch_batch, description="intake: submissions")
    rt.consumers.consume(subjects.UNITS_UPSERT, "intake-units", on_unit, batch_size=16,
                         description="intake: the unit registry")
    rt.consumers.consume(subjects.CATALOG_REGISTER, "intake-catalog", on_register, batch_size=16,
                         description="intake: catalogue registrations")
    queries(rt, [(subjects.QUERY_CATALOG, search, "Search the catalogue, ignoring case and diacritics")])
    rt.document(subjects.accepted("{path}"), Accepted, "A submission was accepted")
    rt.document(subjects.SUBMISSIONS_REJECTED, Rejected, "A submission was rejected, with every error")
    rt.document(subjects.units_changed("{path}"), UnitChanged, "A unit was stored, with its path")
    rt.document(subjects.UNITS_REJECTED, Rejected, "A registry upsert was rejected")
    rt.document(subjects.QUERY_CATALOG + ".reply", CatalogEntry, "Catalogue search results")
    rt.on_startup.append(start)
    rt.on_shutdown.append(stop)
    return rt.app(DESCRIPTION)
