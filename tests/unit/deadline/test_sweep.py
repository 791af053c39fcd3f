"""The sweep protocol against fakes: each key once across concurrent sweeps, crashes and repeats."""

from __future__ import annotations

import asyncio

import pytest

from services.deadline.domain.obligations import Obligation, moved, with_accepted
from services.deadline.domain.schedule import next_check
from services.deadline.sweeper import Sweeper
from shared.clock import ManualClock
from tests.unit.deadline.conftest import at
from tests.unit.deadline.fakes import FakeObligations, FakeStream, NullLog

DUE = at("2023-05-15 00:00")


def world(plan, units: int = 20):
    obs = [Obligation(f"CS{i:03d}", "resolution_review", DUE, unit_name=f"Xã {i}", path=f"HU01.CS{i:03d}")
           for i in range(units)]
    return FakeObligations((ob, next_check(ob, plan)) for ob in obs), FakeStream()


def sweeper(plan, store, stream, now: str) -> Sweeper:
    return Sweeper(plan, ManualClock(at(now)), store, stream, NullLog())


async def test_a_sweep_after_the_deadline_sends_one_overdue_notice_per_unsubmitted_obligation(plan):
    store, stream = world(plan)
    reply = await sweeper(plan, store, stream, "2023-05-15 00:00").sweep()
    assert reply == {"reminders": 0, "overdue": 20, "escalations": 0}
    assert len(stream.subjects("review.obligations.changed.")) == 20  # the status change, announced once


async def test_a_sweep_in_chunks_publishes_and_records_every_obligation_once(plan):
    store, stream = world(plan, units=23)
    chunked = Sweeper(plan, ManualClock(at("2023-05-22 00:00")), store, stream, NullLog(), chunk=4)
    assert await chunked.sweep() == {"reminders": 0, "overdue": 23, "escalations": 46}
    deadline_ids = stream.subjects("review.deadlines.")
    assert len(deadline_ids) == len(set(deadline_ids)) == 69
    assert all(len(ob.sent) == 3 for ob in store.docs.values())
    assert await chunked.sweep() == {"reminders": 0, "overdue": 0, "escalations": 0}


async def test_two_sweepers_at_once_publish_each_event_once_and_count_it_once(plan):
    store, stream = world(plan)
    a = sweeper(plan, store, stream, "2023-05-22 00:00")
    b = sweeper(plan, store, stream, "2023-05-22 00:00")
    replies = await asyncio.gather(a.sweep(), b.sweep())
    assert sum(r["overdue"] for r in replies) == 20 and sum(r["escalations"] for r in replies) == 40
    deadline_ids = stream.subjects("review.deadlines.")
    assert len(deadline_ids) == len(set(deadline_ids)) == 60


async def test_a_second_sweep_at_the_same_moment_publishes_nothing(plan):
    store, stream = world(plan)
    await sweeper(plan, store, stream, "2023-05-14 00:00").sweep()
    again = await sweeper(plan, store, stream, "2023-05-14 00:00").sweep()
    assert again == {"reminders": 0, "overdue": 0, "escalations": 0}


async def test_events_a_sweep_could_not_publish_are_sent_by_the_next_one(plan):
    store, stream = world(plan, units=3)
    stream.down = True
    assert await sweeper(plan, store, stream, "2023-05-15 00:00").sweep() == {
        "reminders": 0, "overdue": 0, "escalations": 0}
    assert store.docs["CS000:resolution_review"].sent == frozenset()
    stream.down = False
    assert (await sweeper(plan, store, stream, "2023-05-15 00:00").sweep())["overdue"] == 3
    assert store.docs["CS000:resolution_review"].sent == {"overdue:CS000:resolution_review"}


async def test_a_sweep_that_died_after_publishing_but_before_recording_is_not_counted_twice(plan):
    store, stream = world(plan, units=1)
    first = sweeper(plan, store, stream, "2023-05-15 00:00")

    async def crash(*_args, **_kwargs):
        raise RuntimeError("process killed")

    store.advance = crash  # the publish happened, the record did not
    try:
        await first.sweep()
    except RuntimeError:
        pass
    store.advance = FakeObligations.advance.__get__(store)
    assert (await sweeper(plan, store, stream, "2023-05-15 00:00").sweep())["overdue"] == 0
    assert stream.subjects("review.deadlines.overdue.") == ["overdue:CS000:resolution_review"]


async def test_a_returned_obligation_past_its_new_deadline_is_noticed_but_stays_returned(plan):
    ob = with_accepted(Obligation("CS001", "resolution_review", DUE, path="HU01.CS001"), 1, "s1", True, DUE)
    ob = moved(ob, "return:d1", at("2023-05-25 00:00"), returned_version=1)
    store, stream = FakeObligations([(ob, next_check(ob, plan))]), FakeStream()
    assert (await sweeper(plan, store, stream, "2023-05-25 00:00").sweep())["overdue"] == 1
    assert stream.subjects("review.deadlines.") == ["overdue:CS001:resolution_review:2"]
    assert stream.subjects("review.obligations.changed.") == []


class ReadThenWait(FakeObligations):
    """Gives the first chunk of due obligations, then the rest only once something was published (or fails
    there with `fail_after_first`): a sweep that waited for the whole read before publishing never gets them."""

    def __init__(self, obs, stream, fail_after_first: bool = False) -> None:
        super().__init__(obs)
        self.stream, self.fail_after_first = stream, fail_after_first

    async def due_chunks(self, now_ms: int, size: int):
        found = await self.due(now_ms)
        yield found[:size]
        deadline = asyncio.get_running_loop().time() + 5
        while not self.stream.subjects("review.deadlines."):
            assert asyncio.get_running_loop().time() < deadline, "nothing published while the read went on"
            await asyncio.sleep(0.01)
        if self.fail_after_first:
            raise ConnectionError("the database went away mid-read")
        for start in range(size, len(found), size):
            yield found[start:start + size]


def waiting_world(plan, units: int, fail_after_first: bool = False):
    store, stream = world(plan, units)
    return ReadThenWait(((ob, store.next_ts[i]) for i, ob in store.docs.items()), stream, fail_after_first), stream


async def test_a_sweep_publishes_the_first_chunk_while_the_rest_is_still_being_read(plan):
    store, stream = waiting_world(plan, units=23)
    chunked = Sweeper(plan, ManualClock(at("2023-05-15 00:00")), store, stream, NullLog(), chunk=5)
    assert await chunked.sweep() == {"reminders": 0, "overdue": 23, "escalations": 0}
    assert all(len(ob.sent) == 1 for ob in store.docs.values())


async def test_a_read_that_fails_midway_records_the_chunks_published_and_fails_the_sweep(plan):
    store, stream = waiting_world(plan, units=23, fail_after_first=True)
    chunked = Sweeper(plan, ManualClock(at("2023-05-15 00:00")), store, stream, NullLog(), chunk=5)
    with pytest.raises(ConnectionError):
        await chunked.sweep()
    assert sorted(len(ob.sent) for ob in store.docs.values()) == [0] * 18 + [1] * 5  # the first chunk recorded
    again = Sweeper(plan, ManualClock(at("2023-05-15 00:00")), FakeObligations(
        (ob, store.next_ts[i]) for i, ob in store.docs.items()), stream, NullLog(), chunk=5)
    assert await again.sweep() == {"reminders": 0, "overdue": 18, "escalations": 0}
