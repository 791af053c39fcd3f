import asyncio
import dataclasses

import pytest

from services.notifier.domain.compose import DeadlineNotice, Origin
from services.notifier.domain.retry import Outcome
from services.notifier.sender import TAKEN_MAX, Sender
from shared.clock import aware
from shared.settings import Settings
from tests.unit.notifier.fakes import (
    PHU_LOC,
    FakeAnnouncer,
    FakeLog,
    FakeOutbox,
    FakeRelay,
    FakeWall,
    clock,
    composer,
)

KEY = "overdue:TP-XPL:resolution_review"
FIRST, SECOND = "vanphong.xaphuloc@example.vn", "bithu.xaphuloc@example.vn"


def _mails():
    notice = DeadlineNotice("overdue", KEY, "TP-XPL", "resolution_review", aware(clock("2023-05-15T00:00:00").now()))
    return composer().deadline(notice, PHU_LOC, clock().now(), Origin("review.deadlines.overdue.TP.TP-XPL"))


def _sender(outbox, relay, announcer=None, wall=None, log=None):
    return Sender(outbox, relay, announcer or FakeAnnouncer(), clock(), log or FakeLog(),
                  retry_delay=Settings(MIDTERM_RETRY_SECONDS=30).retry_delay, concurrency=4, max_attempts=3,
                  wall=wall or FakeWall())


async def _drain(sender: Sender) -> None:
    await sender.drain_once()
    await sender.settle()


async def test_each_entry_is_sent_once_and_announced_and_a_second_pass_sends_nothing():
    outbox, relay, announcer = FakeOutbox(), FakeRelay(), FakeAnnouncer()
    wall = FakeWall()
    await outbox.add(_mails(), int(wall() * 1000))
    sender = _sender(outbox, relay, announcer, wall)
    await _drain(sender)
    await _drain(sender)
    assert sorted(m.recipient for m in relay.sent) == sorted([FIRST, SECOND])
    assert set(outbox.states().values()) == {"sent"} and outbox.due_ts == {}
    assert len(announcer.sent_events) == 2


async def test_a_passing_failure_waits_for_its_back_off_and_is_then_sent():
    outbox, wall = FakeOutbox(), FakeWall()
    relay = FakeRelay({FIRST: [Outcome.of_reply(451, "try later")]})
    await outbox.add(_mails(), int(wall() * 1000))
    sender = _sender(outbox, relay, wall=wall)
    await _drain(sender)
    assert [m.recipient for m in relay.sent] == [SECOND]
    wall.now += 29
    await _drain(sender)
    assert relay.tries.count(FIRST) == 1
    wall.now += 2
    await _drain(sender)
    assert sorted(m.recipient for m in relay.sent) == sorted([FIRST, SECOND])
    assert outbox.entries[f"{KEY}|{FIRST}"].attempts == 2


async def test_a_5xx_fails_at_once_without_a_retry_and_is_announced_with_the_reason():
    outbox, wall, announcer, log = FakeOutbox(), FakeWall(), FakeAnnouncer(), FakeLog()
    relay = FakeRelay({FIRST: [Outcome.of_reply(550, "mailbox unavailable")]})
    await outbox.add(_mails(), int(wall() * 1000))
    sender = _sender(outbox, relay, announcer, wall, log)
    await _drain(sender)
    wall.now += 10_000
    await _drain(sender)
    assert relay.tries.count(FIRST) == 1
    assert outbox.entries[f"{KEY}|{FIRST}"].state == "failed"
    assert announcer.failed_events == [(f"{KEY}|{FIRST}", "550 mailbox unavailable", "2023-05-18T09:00:00+07:00")]
    assert log.events("mail_failed")[0]["event_key"] == KEY


async def test_passing_failures_end_as_failed_once_the_attempts_are_used_up():
    outbox, wall, announcer = FakeOutbox(), FakeWall(), FakeAnnouncer()
    relay = FakeRelay({FIRST: [Outcome.unreachable("refused")] * 5})
    await outbox.add(_mails()[:1], int(wall() * 1000))
    sender = _sender(outbox, relay, announcer, wall)
    for _ in range(4):
        await _drain(sender)
        wall.now += 3600
    assert relay.tries == [FIRST] * 3
    assert "gave up after 3 attempts" in announcer.failed_events[0][1]


async def test_an_outcome_the_broker_could_not_take_is_announced_later_without_resending():
    outbox, wall, announcer = FakeOutbox(), FakeWall(), FakeAnnouncer()
    relay = FakeRelay()
    await outbox.add(_mails()[:1], int(wall() * 1000))
    sender = _sender(outbox, relay, announcer, wall)
    announcer.down = True
    await _drain(sender)
    assert len(relay.sent) == 1 and announcer.sent_events == []
    announcer.down = False
    wall.now += 60
    await _drain(sender)
    assert len(relay.sent) == 1 and len(announcer.sent_events) == 1
    assert outbox.due_ts == {}


class Crash(BaseException):
    """The process dies: nothing after this point runs."""


async def test_a_crash_between_the_relays_250_and_the_mark_resends_once_with_the_same_message_id():
    outbox, wall = FakeOutbox(), FakeWall()
    relay = FakeRelay()
    await outbox.add(_mails()[:1], int(wall() * 1000))
    outbox.fail_mark_sent = Crash()
    crashed = _sender(outbox, relay, wall=wall)
    await crashed.drain_once()
    with pytest.raises(Crash):
        await asyncio.gather(*crashed._tasks)
    assert outbox.states() == {f"{KEY}|{FIRST}": "sending"}
    outbox.fail_mark_sent = None
    restarted = _sender(outbox, relay, wall=wall)
    await outbox.resume(int(wall() * 1000))
    await _drain(restarted)
    await _drain(restarted)
    assert [m.message_id for m in relay.sent] == [relay.sent[0].message_id] * 2
    assert outbox.states() == {f"{KEY}|{FIRST}": "sent"}


class _SlowRecords(FakeOutbox):
    """An outbox whose `mark_sent` waits until released: a database busy with other services' writes."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()

    async def mark_sent(self, entry_id, sent_at, announce_ms):
        await self.release.wait()
        await super().mark_sent(entry_id, sent_at, announce_ms)


async def test_a_slow_record_of_one_mail_does_not_hold_the_sending_of_the_next():
    outbox, relay, wall = _SlowRecords(), FakeRelay(), FakeWall()
    await outbox.add(_mails(), int(wall() * 1000))
    sender = Sender(outbox, relay, FakeAnnouncer(), clock(), FakeLog(),
                    retry_delay=Settings(MIDTERM_RETRY_SECONDS=30).retry_delay, concurrency=1, max_attempts=3,
                    wall=wall)
    await asyncio.wait_for(sender.drain_once(), 5)  # one sending slot: the second mail needs the first's
    for _ in range(100):  # both sent while the first's record still waits
        if len(relay.sent) == 2:
            break
        await asyncio.sleep(0.01)
    assert sorted(m.recipient for m in relay.sent) == sorted([FIRST, SECOND])
    assert set(outbox.states().values()) == {"sending"}  # leased until recorded: a crash now resends once
    outbox.release.set()
    await sender.settle(5)
    assert set(outbox.states().values()) == {"sent"}


async def _written_leased(outbox, sender, mails):
    new = await outbox.add_leased(mails, int(sender.wall() * 1000), sender.lease_until())
    sender.take([m for m in mails if m.id in new])


async def test_mails_written_leased_are_sent_without_reading_the_outbox_back_or_claiming_them():
    outbox, relay, wall = FakeOutbox(), FakeRelay(), FakeWall()
    sender, calls = _sender(outbox, relay, wall=wall), []
    for name in ("due", "claim"):
        original = getattr(outbox, name)
        setattr(outbox, name, lambda *a, _n=name, _o=original: calls.append(_n) or _o(*a))
    await _written_leased(outbox, sender, _mails())
    await _drain(sender)
    assert sorted(m.recipient for m in relay.sent) == sorted([FIRST, SECOND]) and calls == []
    assert set(outbox.states().values()) == {"sent"} and all(e.attempts == 1 for e in outbox.entries.values())


async def test_mails_written_leased_are_not_found_by_another_senders_poll_nor_written_twice():
    outbox, wall = FakeOutbox(), FakeWall()
    mine, theirs = FakeRelay(), FakeRelay()
    sender, other = _sender(outbox, mine, wall=wall), _sender(outbox, theirs, wall=wall)
    await _written_leased(outbox, sender, _mails())
    await _written_leased(outbox, sender, _mails())  # the event redelivered: nothing new to take
    await _drain(other)
    await _drain(sender)
    assert theirs.tries == [] and sorted(mine.tries) == sorted([FIRST, SECOND])


async def test_mails_written_leased_by_a_sender_that_died_are_sent_once_its_lease_ends():
    outbox, wall = FakeOutbox(), FakeWall()
    died, relay = _sender(outbox, FakeRelay(), wall=wall), FakeRelay()
    await outbox.add_leased(_mails(), int(wall() * 1000), died.lease_until())  # written, never taken: a crash
    other = _sender(outbox, relay, wall=wall)
    await _drain(other)
    assert relay.tries == []
    wall.now += died.lease_ms / 1000 + 1
    await _drain(other)
    assert sorted(relay.tries) == sorted([FIRST, SECOND])


async def test_two_senders_polling_at_once_send_each_mail_once():
    outbox, wall = FakeOutbox(), FakeWall()
    await outbox.add(_mails(), int(wall() * 1000))
    due = outbox.due

    async def read_then_yield(*args):
        found = await due(*args)
        await asyncio.sleep(0)  # both polls read the same entries before either claims
        return found

    outbox.due = read_then_yield
    first, second = FakeRelay(), FakeRelay()
    a, b = _sender(outbox, first, wall=wall), _sender(outbox, second, wall=wall)
    await asyncio.gather(a.drain_once(), b.drain_once())
    await asyncio.gather(a.settle(), b.settle())
    assert sorted(m.recipient for m in first.sent + second.sent) == sorted([FIRST, SECOND])


async def test_a_full_sender_makes_room_as_it_sends_and_a_wait_for_room_is_bounded():
    outbox, relay, wall = FakeOutbox(), FakeRelay(), FakeWall()
    sender = _sender(outbox, relay, wall=wall)  # concurrency 4: batches of 32, room for TAKEN_MAX batches
    await asyncio.wait_for(sender.room(5), 1)  # room at once
    full = TAKEN_MAX * sender.batch
    mails = [dataclasses.replace(m, event_key=f"{KEY}:{i}") for i in range(full // 2) for m in _mails()]
    await _written_leased(outbox, sender, mails)
    assert len(sender._taken) == full and sender.lease_until() is None
    started = asyncio.get_running_loop().time()
    await sender.room(0.05)  # nothing drains: the wait ends at its bound
    assert asyncio.get_running_loop().time() - started >= 0.05
    waiting = asyncio.ensure_future(sender.room(5))
    await asyncio.sleep(0)
    assert not waiting.done()
    await sender.drain_once()  # one batch taken off: room again
    await asyncio.wait_for(waiting, 1)
    assert sender.lease_until() is not None
    while sender._taken:
        await sender.drain_once()
    await sender.settle(5)
    assert len(relay.sent) == full and set(outbox.states().values()) == {"sent"}
