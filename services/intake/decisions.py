"""`review.submissions.decide.<path>` (CONTRACT section 10): the level above accepts, returns or reopens the
latest version of a report. Outcome `review.submissions.decided.<path>` or
`review.submissions.decision_rejected`; the rules are in domain/review.py.

A decision is judged and stored while the recorder assigns no version, so "latest" and "locked" mean the
same thing to both. Stored first, then announced, then marked: a redelivered decision that was stored is
announced again under the same message id (JetStream drops the copy), never judged twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.intake.domain import review
from services.intake.domain.decode import Undecodable, parse, validate
from services.intake.domain.messages import Messages
from services.intake.domain.problems import DUPLICATE_DECISION_ID, SCHEMA, UNKNOWN_SUBMISSION, Problem
from services.intake.domain.units import UnitTree
from services.intake.ports import DecisionStore, EventPublisher, SubmissionStore
from services.intake.recording import Recorder
from shared import subjects
from shared.clock import Clock, iso
from shared.contract.office import Decided, Decision, OfficeRejected
from shared.messaging import Event, Inbound, Terminal
from shared.subjects import path_after

DECIDE_PREFIX = "review.submissions.decide"


class Contended(Exception):
    """Another writer took this obligation's next decision first: retry, the retry sees it."""


@dataclass(frozen=True)
class Refusal:
    decision_id: str | None
    problems: list[Problem]


class Decisions:
    def __init__(self, clock: Clock, messages: Messages, tree: UnitTree, recorder: Recorder,
                 store: DecisionStore, submissions: SubmissionStore, publisher: EventPublisher,
                 resubmit_after: timedelta = timedelta(days=7)) -> None:
        self.clock, self.messages, self.tree, self.recorder = clock, messages, tree, recorder
        self.store, self.submissions, self.publisher = store, submissions, publisher
        self.resubmit_after = resubmit_after

    async def handle(self, inbound: Inbound) -> None:
        now = self.clock.now()
        # Taken before anything is awaited: decisions of one fetched batch are judged in the order they came.
        async with self.recorder.exclusive():
            outcome = await self._judge(inbound, now)
        if isinstance(outcome, Refusal):
            await self.publisher.publish(self._rejected(inbound, now, outcome))
            raise Terminal(outcome.problems[0].code)
        if outcome.get("published"):
            raise Terminal("repeat")
        await self.publisher.publish(decided_event(outcome, inbound.correlation_id))
        await self.store.mark_published(outcome["_id"])

    async def _judge(self, inbound: Inbound, now: datetime) -> Refusal | dict[str, Any]:
        try:
            value = parse(inbound.data)
        except Undecodable as bad:
            return Refusal(None, [Problem(SCHEMA, None, bad.problem.params, kind=bad.problem.code)])
        decision, problems = validate(Decision, value)
        if decision is None:
            raw_id = value.get("decision_id") if isinstance(value, dict) else None
            return Refusal(raw_id if isinstance(raw_id, str) and len(raw_id) <= 128 else None, problems)
        resubmit_by, fault = review.resubmit_deadline(decision.decision, decision.resubmit_by, now,
                                                      self.resubmit_after)
        if fault:
            return Refusal(decision.decision_id, [Problem(SCHEMA, "resubmit_by", {"decided_at": iso(now)},
                                                          kind=fault)])
        hash_ = decision_hash(decision)
        stored = await self.store.get(decision.decision_id)
        if stored is not None:
            if stored["content_hash"] == hash_:
                return stored
            return Refusal(decision.decision_id, [Problem(DUPLICATE_DECISION_ID, "decision_id",
                                                          {"value": decision.decision_id})])
        path = path_after(inbound.subject, DECIDE_PREFIX)
        sub = (await self.submissions.by_ids([decision.submission_id])).get(decision.submission_id)
        if sub is None or self._path_of(sub) != path:
            return Refusal(decision.decision_id, [Problem(UNKNOWN_SUBMISSION, "submission_id",
                                                          {"value": decision.submission_id, "path": path or "root"})])
        obligation = sub["obligation"]
        ruling = review.judge(decision.decision, sub["version"], self.recorder.latest(obligation),
                              self.recorder.reviews.get(obligation))
        if ruling.standing is None:
            assert ruling.code is not None
            params = {**ruling.params, "value": decision.submission_id}
            for group in ("decision", "state"):
                if group in params:
                    params[group] = self.messages.name(group, params[group])
            return Refusal(decision.decision_id, [Problem(ruling.code, "submission_id", params)])
        doc = decision_document(decision, {**sub, "path": path}, ruling.standing, now, resubmit_by, hash_)
        taken = await self.store.insert(doc)
        if taken is not None:  # another replica decided first: learn what it stored, then retry the message
            self.recorder.reviews.update(review.standings(await self.store.summaries()))
            raise Contended(f"{taken} taken: {decision.decision_id}")
        self.recorder.reviews[obligation] = ruling.standing
        return doc

    def _path_of(self, sub: dict[str, Any]) -> str:
        unit = self.tree.view(sub["unit_id"])
        return unit.path if unit is not None else str(sub.get("path") or "")

    def _rejected(self, inbound: Inbound, now: datetime, refusal: Refusal) -> Event:
        payload = OfficeRejected(id=refusal.decision_id, subject=inbound.subject, received_at=now,
                                 errors=self.messages.render(refusal.problems))
        digest = hashlib.sha256(inbound.subject.encode() + b"\n" + inbound.data).hexdigest()[:20]
        return Event(subjects.DECISION_REJECTED, payload,
                     msg_id=f"decision-rejected:{refusal.decision_id or '-'}:{digest}",
                     correlation_id=inbound.correlation_id)


def decision_hash(decision: Decision) -> str:
    return hashlib.sha256(decision.model_dump_json().encode()).hexdigest()


def decision_document(decision: Decision, sub: dict[str, Any], standing: review.Standing, now: datetime,
                      resubmit_by: datetime | None, hash_: str) -> dict[str, Any]:
    obligation = sub["obligation"]
    return {
        "_id": decision.decision_id, "decision_id": decision.decision_id, "submission_id": sub["_id"],
        "unit_id": sub["unit_id"], "path": sub["path"], "report_type": sub["report_type"],
        "obligation": obligation, "version": standing.version, "seq": standing.seq,
        "os": f"{obligation}:{standing.seq}", "decision": decision.decision.value, "state": standing.state.value,
        "comment": decision.comment,
        "reviewer": decision.reviewer.model_dump(mode="json") if decision.reviewer else None,
        "decided_at": iso(now), "resubmit_by": iso(resubmit_by) if resubmit_by else None,
        "content_hash": hash_, "published": False,
    }


def decided_event(doc: dict[str, Any], correlation_id: str | None) -> Event:
    payload = Decided(decision_id=doc["decision_id"], submission_id=doc["submission_id"], unit_id=doc["unit_id"],
                      report_type=doc["report_type"], decision=doc["decision"], comment=doc.get("comment"),
                      decided_at=doc["decided_at"], resubmit_by=doc.get("resubmit_by"))
    return Event(subjects.decided(doc["path"]), payload, msg_id=f"decided:{doc['decision_id']}",
                 correlation_id=correlation_id or doc["decision_id"])
