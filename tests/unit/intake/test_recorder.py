"""Recording a batch with hand-written fakes: versions, repeats, conflicts, a crashed attempt, contention."""

from __future__ import annotations

import asyncio
from datetime import datetime

from services.intake.domain.catalog import CatalogIndex
from services.intake.domain.submissions import Obligation
from services.intake.recording import Candidate, Contended, Outcome, Recorder
from shared.batching import MicroBatcher
from shared.clock import VIETNAM
from shared.contract.submissions import Submission
from tests.infra.data import grassroots_submission
from tests.unit.intake.fakes import FakeCatalog, FakePublisher, FakeStore, flush_then_crash

DUE = datetime(2023, 5, 15, tzinfo=VIETNAM)
EARLY = datetime(2023, 5, 1, 9, tzinfo=VIETNAM)
LATE = datetime(2023, 6, 1, 9, tzinfo=VIETNAM)


def recorder(plan, store=None, publisher=None):
    return Recorder(store or FakeStore(), FakeCatalog(), CatalogIndex(), publisher or FakePublisher(), plan)


def candidate(tree, received=EARLY, **changes) -> Candidate:
    sub = Submission.model_validate(grassroots_submission("TP-XPL", **changes))
    return Candidate(sub, Obligation(tree.view("TP-XPL"), "resolution_review", DUE), received, "corr")


async def test_new_ids_for_one_obligation_in_one_batch_get_consecutive_versions(tree, plan):
    rec, publisher = recorder(plan), FakePublisher()
    rec.publisher = publisher
    results = await rec.flush([candidate(tree), candidate(tree, received=LATE), candidate(tree)])
    assert results == [Outcome.ACCEPTED] * 3
    assert [e.payload.version for e in publisher.events] == [1, 2, 3]
    assert [e.payload.on_time for e in publisher.events] == [True, True, True]
    assert publisher.events[0].msg_id.startswith("accepted:") and publisher.events[0].correlation_id == "corr"


async def test_a_late_first_version_makes_the_obligation_late(tree, plan):
    rec, publisher = recorder(plan), FakePublisher()
    rec.publisher = publisher
    await rec.flush([candidate(tree, received=LATE)])
    assert publisher.events[0].payload.on_time is False


async def test_the_same_id_twice_in_a_batch_is_one_version_and_other_content_a_conflict(tree, plan):
    rec, publisher = recorder(plan), FakePublisher()
    rec.publisher = publisher
    first = candidate(tree)
    twin = Candidate(first.submission.model_copy(deep=True), first.obligation, EARLY)
    changed = first.submission.model_copy(deep=True)
    changed.content.lessons = ["Khác"]
    results = await rec.flush([first, twin, Candidate(changed, first.obligation, EARLY)])
    assert results == [Outcome.ACCEPTED, Outcome.REPEAT, Outcome.CONFLICT]
    assert len(publisher.events) == 1


async def test_a_stored_but_unannounced_submission_is_announced_when_its_message_returns(tree, plan):
    store, publisher = FakeStore(), FakePublisher()
    cand = candidate(tree)
    await flush_then_crash(recorder(plan, store, FakePublisher()), [cand])
    assert store.docs[cand.submission.submission_id]["published"] is False
    again = recorder(plan, store, publisher)
    await again.warm()
    assert await again.flush([cand]) == [Outcome.REPEAT]
    assert [e.msg_id for e in publisher.events] == [f"accepted:{cand.submission.submission_id}"]
    assert store.docs[cand.submission.submission_id]["published"] is True
    assert await again.flush([cand]) == [Outcome.REPEAT] and len(publisher.events) == 1


async def test_a_version_taken_by_another_writer_is_retried_as_the_next_version(tree, plan):
    store, publisher = FakeStore(), FakePublisher()
    rec = recorder(plan, store, publisher)
    await rec.warm()
    store.docs["other"] = {"_id": "other", "obligation": "TP-XPL:resolution_review", "version": 1, "on_time": True,
                           "content_hash": "x", "published": True, "ov": "TP-XPL:resolution_review:1"}
    store.taken_ov.add("TP-XPL:resolution_review:1")  # another replica stored version 1 after our start-up
    cand = candidate(tree)
    assert isinstance((await rec.flush([cand]))[0], Contended)
    assert await rec.flush([cand]) == [Outcome.ACCEPTED]
    assert publisher.events[0].payload.version == 2


async def test_the_batcher_hands_concurrent_requests_to_one_flush(tree):
    sizes: list[int] = []

    async def flush(items):
        sizes.append(len(items))
        return [i * 2 for i in items]

    batcher = MicroBatcher(flush, max_items=50, max_wait=0.01)
    results = await asyncio.gather(*(batcher.submit(i) for i in range(120)))
    await batcher.close()
    assert results == [i * 2 for i in range(120)]
    assert sizes == [50, 50, 20]


async def test_a_failed_flush_fails_every_caller_of_that_batch():
    async def flush(items):
        raise ConnectionError("database down")

    batcher = MicroBatcher(flush, max_items=10, max_wait=0.001)
    results = await asyncio.gather(*(batcher.submit(i) for i in range(3)), return_exceptions=True)
    await batcher.close()
    assert all(isinstance(r, ConnectionError) for r in results)


def test_a_stored_id_is_remembered_compactly_with_its_hash_and_announced_flag():
    from services.intake.recording import known_as, seen

    digest = "ab" * 32
    assert isinstance(seen(digest, True), bytes) and known_as(seen(digest, True)) == (digest, True)
    assert known_as(seen(digest, False)) == (digest, False)
    assert known_as(seen("h", False)) == ("h", False) and known_as(seen("AB" * 32, True)) == ("AB" * 32, True)
