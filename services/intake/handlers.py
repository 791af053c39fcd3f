"""Intake's use cases: decode, call the domain, persist, publish. Subscribers in app.py only call these."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from services.intake.domain import catalog
from services.intake.domain.catalog import CatalogIndex
from services.intake.domain.decode import Undecodable, parse, validate
from services.intake.domain.messages import Messages
from services.intake.domain.problems import DUPLICATE_SUBMISSION_ID, LOCKED, Problem
from services.intake.domain.submissions import Facts, examine
from services.intake.domain.units import Node, UnitTree, unit_hash
from services.intake.ports import CatalogStore, EventPublisher, UnitStore
from services.intake.recording import Candidate, Outcome
from shared import subjects
from shared.batching import MicroBatcher
from shared.clock import Clock, iso
from shared.contract.queries import CatalogQuery, CatalogRegister
from shared.contract.submissions import Rejected
from shared.contract.units import Unit, UnitChanged
from shared.messaging import MSG_ID_HEADER, Event, Inbound, Terminal, error_reply
from shared.plan import Plan

_UNIT_BOOKKEEPING = ("_id", "content_hash", "published", "revision")


def rejected_event(inbound: Inbound, received_at: datetime, facts: Facts, problems: list[Problem],
                   messages: Messages, subject: str = subjects.SUBMISSIONS_REJECTED) -> Event:
    payload = Rejected(submission_id=facts.submission_id, unit_id=facts.unit_id, subject=inbound.subject,
                       received_at=received_at, errors=messages.render(problems), submitted_by=facts.submitted_by,
                       report_type=facts.report_type)
    digest = hashlib.sha256(inbound.subject.encode() + b"\n" + inbound.data).hexdigest()[:20]
    kind = "rejected" if subject == subjects.SUBMISSIONS_REJECTED else "unit-rejected"
    return Event(subject, payload, msg_id=f"{kind}:{facts.submission_id or facts.unit_id or '-'}:{digest}",
                 correlation_id=inbound.correlation_id)


class Submissions:
    def __init__(self, plan: Plan, clock: Clock, messages: Messages, tree: UnitTree,
                 batcher: MicroBatcher[Candidate, Outcome], publisher: EventPublisher) -> None:
        self.plan, self.clock, self.messages, self.tree = plan, clock, messages, tree
        self.batcher, self.publisher = batcher, publisher

    async def handle(self, inbound: Inbound) -> None:
        received_at = self.clock.now()
        verdict = examine(inbound.data, inbound.subject, inbound.headers.get(MSG_ID_HEADER), self.tree.view,
                          self.plan)
        if not verdict.accepted:
            await self.publisher.publish(rejected_event(inbound, received_at, verdict.facts, verdict.problems,
                                                        self.messages))
            raise Terminal(verdict.problems[0].code if verdict.problems else "rejected")
        assert verdict.submission is not None and verdict.obligation is not None
        outcome = await self.batcher.submit(Candidate(verdict.submission, verdict.obligation, received_at,
                                                      inbound.correlation_id))
        if outcome is Outcome.CONFLICT:
            problem = Problem(DUPLICATE_SUBMISSION_ID, "submission_id", {"value": verdict.submission.submission_id})
            await self.publisher.publish(rejected_event(inbound, received_at, verdict.facts, [problem],
                                                        self.messages))
            raise Terminal(DUPLICATE_SUBMISSION_ID)
        if outcome is Outcome.LOCKED:
            sub, unit = verdict.submission, verdict.obligation.unit
            problem = Problem(LOCKED, "submission_id", {"value": sub.submission_id, "unit": unit.unit_id,
                                                        "name": unit.name,
                                                        "report": self.plan.report_name(sub.report_type)})
            await self.publisher.publish(rejected_event(inbound, received_at, verdict.facts, [problem],
                                                        self.messages))
            raise Terminal(LOCKED)
        if outcome is Outcome.REPEAT:
            raise Terminal("repeat")


class Registry:
    """`review.units.upsert`: check, store with paths, publish `review.units.changed.<path>`."""

    def __init__(self, clock: Clock, messages: Messages, tree: UnitTree, repo: UnitStore,
                 publisher: EventPublisher) -> None:
        self.clock, self.messages, self.tree, self.repo, self.publisher = clock, messages, tree, repo, publisher

    async def handle_many(self, inbounds: list[Inbound]) -> list[BaseException | None]:
        """A fetched batch in stream order (a parent before its children): each upsert is checked against the
        tree as the ones before it left it, then the batch is stored in one ordered write, its events published
        in order and marked published in one write. If the write or the publish fails, the tree is put back
        and every message of the batch is retried; the redelivery finds things as they were. A failure while
        checking one upsert (the database) stops the batch there: the ones after it wait, in order."""
        now = self.clock.now()
        outcomes: list[BaseException | None] = []
        store: list[dict[str, Any]] = []  # changed documents to write, in order
        staged: dict[str, dict[str, Any]] = {}  # the latest of them per unit (newer than the database's copy)
        announce: list[tuple[dict[str, Any], str | None]] = []  # (document, correlation id) to publish, in order
        before: dict[str, Node | None] = {}  # each committed unit as the tree had it before the batch
        for at, inbound in enumerate(inbounds):
            try:
                docs, new = await self._stage(inbound, now, staged)
            except Terminal as answered:
                outcomes.append(answered)
                continue
            except Exception as exc:  # the database: this one and those after it are retried, in order
                outcomes += [exc] * (len(inbounds) - at)
                break
            for doc in new:
                before.setdefault(doc["unit_id"], self.tree.node(doc["unit_id"]))
                self.tree.commit(doc)
                staged[doc["unit_id"]] = doc
            store += new
            announce += [(doc, inbound.correlation_id) for doc in docs]
            outcomes.append(None)
        if not announce:
            return outcomes
        try:
            if store:
                await self.repo.save(store)
            await self.publisher.publish_many(unit_event(doc, cid) for doc, cid in announce)
            await self.repo.mark_published([doc for doc, _ in announce])
        except Exception as exc:
            for unit_id, old in before.items():
                self.tree.restore(unit_id, old)
            return [exc if o is None else o for o in outcomes]
        return outcomes

    async def _stage(self, inbound: Inbound, now: datetime, staged: dict[str, dict[str, Any]]
                     ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(documents to announce, of which the changed ones to store); `Terminal` once answered. `staged`:
        documents of units changed earlier in this batch, not stored yet."""
        try:
            value = parse(inbound.data)
        except Undecodable as bad:
            await self._reject(inbound, now, None, [bad.problem])
        unit, problems = validate(Unit, value)
        if unit is not None:
            problems.extend(self.tree.check(unit))
        if unit is None or problems:
            unit_id = value.get("unit_id") if isinstance(value, dict) else None
            await self._reject(inbound, now, unit_id if isinstance(unit_id, str) and len(unit_id) <= 64 else None,
                               problems)
        assert unit is not None
        changed = self.tree.apply(unit, iso(now), await self._descendants(self.tree.needs(unit), staged))
        if changed:
            return changed, changed
        stored = await self.repo.get(unit.unit_id)
        if stored is None or stored.get("published"):
            raise Terminal("unchanged")
        return [stored], []  # stored by an attempt that died before its event

    async def _descendants(self, ids: list[str], staged: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """The whole documents of units a move republishes (the tree keeps only a summary): read in one query,
        except those this batch changed already."""
        found = {i: staged[i] for i in ids if i in staged}
        missing = [i for i in ids if i not in found]
        if missing:
            found.update(await self.repo.by_ids(missing))
        return found

    async def _reject(self, inbound: Inbound, now: datetime, unit_id: str | None, problems: list[Problem]) -> None:
        event = rejected_event(inbound, now, Facts(unit_id=unit_id), problems, self.messages,
                               subjects.UNITS_REJECTED)
        await self.publisher.publish(event)
        raise Terminal(problems[0].code)


def unit_event(doc: dict[str, Any], correlation_id: str | None) -> Event:
    payload = UnitChanged.model_validate({k: v for k, v in doc.items() if k not in _UNIT_BOOKKEEPING})
    # The revision tells A -> B -> A apart (JetStream would drop the second A as a duplicate of the first).
    hash_ = doc.get("content_hash") or unit_hash(doc)
    msg_id = f"unit:{doc['unit_id']}:{doc.get('revision', 0)}:{hash_[:16]}"
    return Event(subjects.units_changed(doc["path"]), payload, msg_id=msg_id,
                 correlation_id=correlation_id)


class Catalogue:
    """`review.catalog.register` and `review.query.catalog`."""

    def __init__(self, store: CatalogStore, index: CatalogIndex) -> None:
        self.store, self.index = store, index

    async def register(self, inbound: Inbound) -> None:
        try:
            value = parse(inbound.data)
        except Undecodable as bad:
            raise Terminal(bad.problem.code) from None
        body, problems = validate(CatalogRegister, value)
        if body is None:
            raise Terminal(f"{problems[0].code}: {problems[0].field}")
        entry = catalog.registered(body.model_dump(mode="json"))
        await self.store.put(entry.doc(source="register"))
        self.index.add(entry)

    async def search(self, body: Any) -> dict[str, Any]:
        query, problems = validate(CatalogQuery, body)
        if query is None:
            return error_reply("schema", f"Yêu cầu tra cứu không hợp lệ: trường {problems[0].field or 'q'}")
        return {"results": [e.public() for e in self.index.search(query.q, query.limit)]}
