"""Review decisions through the use case, with fakes: outcomes, idempotency, and the lock on new versions."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import pytest

from services.intake.decisions import Decisions
from services.intake.domain.catalog import CatalogIndex
from services.intake.domain.submissions import Obligation
from services.intake.recording import Candidate, Outcome, Recorder
from shared.clock import VIETNAM, ManualClock
from shared.contract.submissions import Submission
from shared.messaging import Inbound, Terminal
from tests.infra.data import grassroots_submission
from tests.unit.intake.fakes import FakeCatalog, FakeDecisions, FakePublisher, FakeStore

DUE = datetime(2023, 5, 15, tzinfo=VIETNAM)
NOW = datetime(2023, 5, 2, 10, tzinfo=VIETNAM)
PATH = "TP.TP-XPL"


class Desk:
    """A recorder and the decisions use case over the same fakes."""

    def __init__(self, tree, plan, messages) -> None:
        self.tree, self.publisher, self.decisions = tree, FakePublisher(), FakeDecisions()
        self.store = FakeStore()
        self.recorder = Recorder(self.store, FakeCatalog(), CatalogIndex(), self.publisher, plan,
                                 decisions=self.decisions)
        self.use_case = Decisions(ManualClock(NOW), messages, tree, self.recorder, self.decisions, self.store,
                                  self.publisher)

    async def submit(self) -> tuple[str, Outcome]:
        sub = Submission.model_validate(grassroots_submission("TP-XPL"))
        cand = Candidate(sub, Obligation(self.tree.view("TP-XPL"), "resolution_review", DUE), NOW)
        return sub.submission_id, (await self.recorder.flush([cand]))[0]

    async def decide(self, submission_id: str, decision: str, path: str = PATH, decision_id: str | None = None,
                     **extra) -> tuple[str, dict]:
        body = {"decision_id": decision_id or str(uuid.uuid4()), "submission_id": submission_id,
                "decision": decision, "reviewer": {"name": "Nguyễn Văn D", "email": "nvd@huyen.example.vn"},
                **extra}
        data = json.dumps(body, ensure_ascii=False).encode()
        inbound = Inbound(f"review.submissions.decide.{path}", data, {}, body["decision_id"], body["decision_id"])
        before = len(self.publisher.events)
        try:
            await self.use_case.handle(inbound)
            answer = "handled"
        except Terminal as done:
            answer = str(done)
        new = self.publisher.events[before:]
        return answer, new[0] if new else None


@pytest.fixture
def desk(tree, plan, messages) -> Desk:
    return Desk(tree, plan, messages)


async def test_a_return_is_decided_with_a_new_deadline_seven_days_after_the_decision(desk):
    sid, _ = await desk.submit()
    _, event = await desk.decide(sid, "return", comment="Bổ sung số liệu.")
    assert event.subject == f"review.submissions.decided.{PATH}"
    assert event.payload.decision == "return" and event.payload.comment == "Bổ sung số liệu."
    assert event.payload.resubmit_by == datetime(2023, 5, 9, 10, tzinfo=VIETNAM)
    assert event.msg_id == f"decided:{event.payload.decision_id}"


async def test_an_accept_carries_no_new_deadline(desk):
    sid, _ = await desk.submit()
    _, event = await desk.decide(sid, "accept")
    assert event.payload.decision == "accept" and event.payload.resubmit_by is None


async def test_a_new_version_after_an_accept_is_locked_and_after_a_reopen_accepted(desk):
    sid, _ = await desk.submit()
    await desk.decide(sid, "accept")
    assert (await desk.submit())[1] is Outcome.LOCKED
    await desk.decide(sid, "reopen")
    assert (await desk.submit())[1] is Outcome.ACCEPTED


async def test_the_same_decision_again_publishes_nothing(desk):
    sid, _ = await desk.submit()
    await desk.decide(sid, "accept", decision_id="q-1")
    assert await desk.decide(sid, "accept", decision_id="q-1") == ("repeat", None)


async def test_a_decision_stored_but_never_announced_is_announced_when_it_comes_again(desk):
    sid, _ = await desk.submit()
    await desk.decide(sid, "accept", decision_id="q-2")
    desk.decisions.docs["q-2"]["published"] = False  # the process died between the write and the event
    _, event = await desk.decide(sid, "accept", decision_id="q-2")
    assert event.msg_id == "decided:q-2" and desk.decisions.docs["q-2"]["published"] is True


async def test_a_decision_id_used_again_for_another_decision_is_refused(desk):
    sid, _ = await desk.submit()
    await desk.decide(sid, "return", decision_id="q-3")
    _, event = await desk.decide(sid, "accept", decision_id="q-3")
    assert event.subject == "review.submissions.decision_rejected"
    assert [e.code for e in event.payload.errors] == ["duplicate_decision_id"]


async def test_a_decision_published_on_another_units_path_finds_no_submission(desk):
    sid, _ = await desk.submit()
    answer, event = await desk.decide(sid, "accept", path="TP.TP-CTX")
    assert answer == "unknown_submission" and event.payload.errors[0].field == "submission_id"


async def test_an_invalid_transition_names_the_decision_and_the_state_in_vietnamese(desk):
    sid, _ = await desk.submit()
    _, event = await desk.decide(sid, "reopen")
    error = event.payload.errors[0]
    assert error.code == "invalid_transition" and "mở lại" in error.message and "chờ xem xét" in error.message


async def test_a_payload_that_is_not_json_is_refused_as_schema(desk):
    inbound = Inbound(f"review.submissions.decide.{PATH}", b"{not json", {}, "m", "m")
    with pytest.raises(Terminal):
        await desk.use_case.handle(inbound)
    payload = desk.publisher.events[-1].payload
    assert payload.id is None and [e.code for e in payload.errors] == ["schema"]
