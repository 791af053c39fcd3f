"""Returns and extensions against fakes: the round moves once, the outcome is published, refusals carry codes."""

from __future__ import annotations

import json

import pytest

from services.deadline.domain.obligations import Obligation, with_accepted
from services.deadline.domain.obligations import status_of as status
from services.deadline.domain.schedule import next_check
from services.deadline.office import NotYetKnown, Office
from services.deadline.sweeper import Sweeper
from shared.clock import ManualClock
from shared.messaging import Inbound, Terminal
from tests.unit.deadline.conftest import at
from tests.unit.deadline.fakes import FakeObligations, FakeStream, NullLog

DUE = at("2023-05-15 00:00")
KEY = "CS017:resolution_review"


def inbound(subject: str, body: object, msg_id: str = "m1") -> Inbound:
    return Inbound(subject, json.dumps(body).encode(), {}, msg_id, msg_id)


def world(plan, ob: Obligation, now: str):
    store, stream = FakeObligations([(ob, next_check(ob, plan))]), FakeStream()
    clock = ManualClock(at(now))
    return Office(plan, clock, store, stream, NullLog()), store, stream, clock


def owed() -> Obligation:
    return Obligation("CS017", "resolution_review", DUE, unit_name="Xã Tân Phú", path="HU03.CS017")


def submitted() -> Obligation:
    return with_accepted(owed(), 1, "s1", True, at("2023-05-10 09:00"))


def decided(decision: str = "return", **changes) -> Inbound:
    body = {"decision_id": "d1", "submission_id": "s1", "unit_id": "CS017", "report_type": "resolution_review",
            "decision": decision, "comment": "Bổ sung số liệu", "decided_at": "2023-05-16T10:00:00+07:00",
            "resubmit_by": "2023-05-25T00:00:00+07:00"} | changes
    return inbound("review.submissions.decided.HU03.CS017", body, f"decided:{body['decision_id']}")


def extension(subject_path: str = "HU03.CS017", **changes) -> Inbound:
    body = {"extension_id": "e1", "unit_id": "CS017", "report_type": "resolution_review",
            "due": "2023-06-01T00:00:00+07:00", "reason": "Bão lụt", "approved_by": {"name": "Chánh Văn phòng"}}
    return inbound(f"review.deadlines.extend.{subject_path}", body | changes)


def rejected_codes(stream: FakeStream) -> list[str]:
    return [e.code for m in stream.stored if m.subject.endswith("extend_rejected") for e in m.payload.errors]


async def test_a_return_makes_the_obligation_returned_in_round_two_and_announces_it(plan):
    office, store, stream, _ = world(plan, submitted(), "2023-05-16 10:00")
    await office.decided(decided())
    ob = store.docs[KEY]
    assert (status(ob, at("2023-05-16 10:00")), ob.round, ob.due_at) == ("returned", 2, at("2023-05-25 00:00"))
    (changed,) = [m.payload for m in stream.stored if m.subject == "review.obligations.changed.HU03.CS017"]
    assert (changed.status, changed.due_at) == ("returned", at("2023-05-25 00:00"))


async def test_a_return_without_a_date_gives_seven_days_from_the_decision(plan):
    office, store, _, _ = world(plan, submitted(), "2023-05-16 10:00")
    await office.decided(decided(resubmit_by=None))
    assert store.docs[KEY].due_at == at("2023-05-23 10:00")


async def test_the_same_decision_delivered_twice_moves_the_deadline_once(plan):
    office, store, stream, _ = world(plan, submitted(), "2023-05-16 10:00")
    await office.decided(decided())
    await office.decided(decided())
    assert store.docs[KEY].round == 2 and len(stream.stored) == 1


async def test_accepting_or_reopening_changes_no_deadline(plan):
    office, store, stream, _ = world(plan, submitted(), "2023-05-16 10:00")
    await office.decided(decided("accept"))
    await office.decided(decided("reopen", decision_id="d2"))
    assert store.docs[KEY].round == 1 and stream.stored == []


async def test_a_return_of_a_version_not_seen_yet_waits_for_its_accepted_event(plan):
    office, _, _, _ = world(plan, owed(), "2023-05-16 10:00")
    with pytest.raises(NotYetKnown):
        await office.decided(decided())


async def test_an_extension_of_an_overdue_obligation_makes_it_pending_in_round_two(plan):
    office, store, stream, clock = world(plan, owed(), "2023-05-20 00:00")
    await office.extend(extension())
    ob = store.docs[KEY]
    assert (status(ob, clock.now()), ob.round, ob.due_at) == ("pending", 2, at("2023-06-01 00:00"))
    (outcome,) = [m for m in stream.stored if m.subject == "review.deadlines.extended.HU03.CS017"]
    assert (outcome.payload.round, outcome.payload.due_at, outcome.payload.extension_id) == (
        2, at("2023-06-01 00:00"), "e1")


async def test_the_same_extension_id_again_repeats_the_outcome_and_moves_nothing(plan):
    office, store, stream, _ = world(plan, owed(), "2023-05-20 00:00")
    await office.extend(extension())
    await office.extend(extension(due="2023-07-01T00:00:00+07:00"))
    assert (store.docs[KEY].round, store.docs[KEY].due_at) == (2, at("2023-06-01 00:00"))
    assert len(stream.subjects("review.deadlines.extended.")) == 1


@pytest.mark.parametrize(("request_", "code"), [
    (extension(due="2023-05-01T00:00:00+07:00"), "not_later"),
    (extension(report_type="self_criticism"), "unknown_obligation"),
    (extension(subject_path="HU05.CS099"), "subject_mismatch"),
    (extension(due="ngày mai"), "schema"),
    (extension(unexpected=1), "schema"),
    (Inbound("review.deadlines.extend.HU03.CS017", b"not json", {}, "m9", "m9"), "schema"),
])
async def test_a_refused_extension_is_answered_with_its_code_and_moves_nothing(plan, request_, code):
    office, store, stream, _ = world(plan, owed(), "2023-05-20 00:00")
    with pytest.raises(Terminal):
        await office.extend(request_)
    assert rejected_codes(stream) == [code] and store.docs[KEY].round == 1


async def test_an_extension_of_a_submitted_obligation_is_refused(plan):
    office, _, stream, _ = world(plan, submitted(), "2023-05-20 00:00")
    with pytest.raises(Terminal):
        await office.extend(extension())
    assert rejected_codes(stream) == ["already_submitted"]


async def test_after_an_extension_the_sweep_sends_the_new_rounds_events_and_never_the_old_ones(plan):
    office, store, stream, clock = world(plan, owed(), "2023-05-15 00:00")
    sweeper = Sweeper(plan, clock, store, stream, NullLog())
    assert (await sweeper.sweep())["overdue"] == 1
    await office.extend(extension())
    for now in ("2023-05-25 00:00", "2023-05-31 12:00", "2023-06-01 00:00"):
        clock.set(at(now))
        await sweeper.sweep()
    assert sorted(stream.subjects("review.deadlines.")[1:]) == sorted([
        "extended:CS017:resolution_review:e1", "reminder:CS017:resolution_review:P7D:2",
        "reminder:CS017:resolution_review:P1D:2", "overdue:CS017:resolution_review:2"])
