"""A submission's catalogue entries, with hand-written fakes: stored inside the submission (one write), indexed
when its batch is announced, and indexed again by a recorder starting up on what is stored."""

from __future__ import annotations

from datetime import datetime

from services.intake.domain.catalog import CatalogIndex, Entry
from services.intake.domain.submissions import Obligation
from services.intake.recording import Candidate, Outcome, Recorder
from shared.clock import VIETNAM
from shared.contract.submissions import Submission
from tests.infra.data import grassroots_submission
from tests.unit.intake.fakes import FakeCatalog, FakePublisher, FakeStore, flush_then_crash

DUE = datetime(2023, 5, 15, tzinfo=VIETNAM)
EARLY = datetime(2023, 5, 1, 9, tzinfo=VIETNAM)


def recorder(plan, store, catalog=None, publisher=None) -> Recorder:
    return Recorder(store, catalog or FakeCatalog(), CatalogIndex(), publisher or FakePublisher(), plan)


def candidate(tree, **changes) -> Candidate:
    sub = Submission.model_validate(grassroots_submission("TP-XPL", **changes))
    return Candidate(sub, Obligation(tree.view("TP-XPL"), "resolution_review", DUE), EARLY)


def listed(cand: Candidate, tree) -> Entry:
    """The entry of the one document the example report lists."""
    document = cand.submission.documents[0]
    return Entry(f"sub:{cand.submission.submission_id}:0", document.number, document.title,
                 str(document.issued_on), tree.view("TP-XPL").name, "resolution_review")


async def crashed_after_write(plan, store: FakeStore, cand: Candidate) -> None:
    await flush_then_crash(recorder(plan, store), [cand])


async def test_an_accepted_submission_is_stored_with_its_catalogue_entries_and_nothing_else_is_written(tree, plan):
    store, catalog, cand = FakeStore(), FakeCatalog(), candidate(tree)
    assert await recorder(plan, store, catalog).flush([cand]) == [Outcome.ACCEPTED]
    assert store.docs[cand.submission.submission_id]["catalog"] == [listed(cand, tree).doc()]
    assert catalog.docs == {}


async def test_a_report_listing_no_documents_is_stored_with_itself_as_its_entry(tree, plan):
    store, cand = FakeStore(), candidate(tree, documents=[])
    await recorder(plan, store).flush([cand])
    [entry] = store.docs[cand.submission.submission_id]["catalog"]
    assert entry["_id"] == f"sub:{cand.submission.submission_id}" and entry["number"] == cand.submission.submission_id


async def test_the_entries_are_found_by_search_when_the_accepted_events_go_out(tree, plan):
    cand, found_then = candidate(tree), []

    class Watching(FakePublisher):
        async def publish_many(self, events):
            found_then.extend(rec.index.search(cand.submission.documents[0].number))
            return await super().publish_many(events)

    rec = recorder(plan, FakeStore(), publisher=Watching())
    await rec.flush([cand])
    assert found_then == [listed(cand, tree)]


async def test_a_recorder_starting_up_indexes_the_entries_stored_with_the_submissions(tree, plan):
    store, cand = FakeStore(), candidate(tree)
    await recorder(plan, store).flush([cand])
    restarted = recorder(plan, store)
    await restarted.warm()
    assert restarted.index.search(cand.submission.documents[0].number) == [listed(cand, tree)]
    assert len(restarted.index) == 1


async def test_a_submission_announced_after_a_crash_and_redelivered_again_is_indexed_once(tree, plan):
    store, catalog, cand = FakeStore(), FakeCatalog(), candidate(tree)
    await crashed_after_write(plan, store, cand)
    restarted = recorder(plan, store, catalog)
    await restarted.warm()
    assert await restarted.flush([cand]) == [Outcome.REPEAT]
    assert await restarted.flush([cand]) == [Outcome.REPEAT]
    assert restarted.index.search(cand.submission.documents[0].number) == [listed(cand, tree)]
    assert len(restarted.index) == 1 and catalog.docs == {}


async def test_a_submission_an_older_version_stored_without_entries_gets_them_written_to_the_catalogue(tree, plan):
    store, catalog, cand = FakeStore(), FakeCatalog(), candidate(tree)
    await crashed_after_write(plan, store, cand)
    del store.docs[cand.submission.submission_id]["catalog"]  # as versions before the field stored it
    restarted = recorder(plan, store, catalog)
    await restarted.warm()
    assert len(restarted.index) == 0
    assert await restarted.flush([cand]) == [Outcome.REPEAT]
    entry = listed(cand, tree)
    assert catalog.docs == {entry.id: entry.doc(source="submission", submission_id=cand.submission.submission_id,
                                                unit_id=cand.submission.unit_id)}
    assert restarted.index.search(entry.number) == [entry]
