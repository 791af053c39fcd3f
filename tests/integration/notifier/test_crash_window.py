"""The one window no design closes (CONTRACT section 8): the relay said 250, the process died before the outbox
recorded it. On restart the entry is still `sending`, so it is sent once more, with the same Message-ID, and then
never again. Real outbox (the session's database), real aiosmtplib relay, real aiosmtpd server."""

from __future__ import annotations

import asyncio
import time

import pytest

from services.notifier.adapters.outbox import MongoOutbox
from services.notifier.adapters.smtp import SmtpRelay
from services.notifier.domain.compose import DeadlineNotice, Origin
from services.notifier.domain.mail import Person
from services.notifier.domain.units import UnitView
from services.notifier.sender import Sender
from shared.settings import Settings
from tests.infra.wait import eventually
from tests.unit.notifier.fakes import FakeAnnouncer, FakeLog, clock, composer


class Crash(BaseException):
    """The process dies here: nothing after it runs."""


class DiesBeforeTheMark:
    """The real outbox, except that recording a sent mail kills the process (after the relay's 250)."""

    def __init__(self, outbox: MongoOutbox) -> None:
        self._outbox = outbox

    def __getattr__(self, name: str):
        return getattr(self._outbox, name)

    async def mark_sent(self, entry_id: str, sent_at: str, announce_ms: int | None) -> None:
        raise Crash()


def _sender(outbox, settings: Settings, announcer: FakeAnnouncer) -> Sender:
    return Sender(outbox, SmtpRelay(settings, connections=1), announcer, clock(), FakeLog(),
                  retry_delay=settings.retry_delay, concurrency=2)


async def test_a_crash_between_the_relays_250_and_the_outbox_mark_resends_once_with_the_same_message_id(
        database, smtp, token):
    settings = Settings(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, MIDTERM_RETRY_SECONDS=0.2)
    address = f"vanphong-{token}@xa.example.vn"
    unit = UnitView(f"CS-{token}", "Đảng bộ xã Phú Lộc", "grassroots", f"HU.CS-{token}", (Person("VP", address),))
    key = f"overdue:CS-{token}:resolution_review"
    notice = DeadlineNotice("overdue", key, unit.unit_id, "resolution_review", clock("2023-05-15T00:00:00+07:00").now())
    [mail] = composer().deadline(notice, unit, clock().now(), Origin("review.deadlines.overdue.HU.CS"))
    outbox = MongoOutbox(database)
    await outbox.ensure_indexes()
    await outbox.add([mail], int(time.time() * 1000))

    dying = _sender(DiesBeforeTheMark(outbox), settings, FakeAnnouncer())
    await dying.drain_once()
    with pytest.raises(Crash):
        await asyncio.gather(*dying._tasks)
    first = await outbox.get(mail.id)
    assert first is not None and first.state == "sending"
    assert [m.rcpt_tos for m in smtp.messages if address in m.rcpt_tos] == [[address]]

    announcer = FakeAnnouncer()
    restarted = _sender(outbox, settings, announcer)
    running = asyncio.create_task(restarted.run())
    try:
        await eventually(lambda: _state(outbox, mail.id, "sent"), what="the resend to be recorded")
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    copies = [m.message for m in smtp.messages if address in m.rcpt_tos]
    assert len(copies) == 2
    assert copies[0]["Message-ID"] == copies[1]["Message-ID"] == mail.message_id
    assert copies[1]["X-Midterm-Event"] == key
    assert await outbox.due(int(time.time() * 1000) + 10**9, 10) == []  # nothing left that could send it again
    assert [event_id for event_id, _ in announcer.sent_events] == [mail.id]


async def _state(outbox: MongoOutbox, entry_id: str, state: str) -> bool:
    entry = await outbox.get(entry_id)
    return entry is not None and entry.state == state
