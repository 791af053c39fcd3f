import json
from datetime import datetime, timedelta

import pytest

from services.notifier.handlers import HANDOFF_WAIT, Handlers, UnknownUnit
from shared.clock import VIETNAM
from shared.messaging import Inbound, Terminal
from tests.unit.notifier.fakes import (
    EDITORS,
    PHU_LOC,
    FakeDigests,
    FakeLog,
    FakeOutbox,
    FakePublisher,
    FakeUnits,
    FakeWall,
    clock,
    composer,
)


def _inbound(subject: str, payload: dict, msg_id: str | None = None) -> Inbound:
    headers = {"Nats-Msg-Id": msg_id} if msg_id else {}
    return Inbound(subject, json.dumps(payload).encode(), headers, msg_id or "seq:1", msg_id or "seq:1")


class World:
    def __init__(self, *units, at="2023-05-18T09:00:00+07:00"):
        self.units, self.outbox, self.digests = FakeUnits(*units), FakeOutbox(), FakeDigests()
        self.publisher, self.log, self.clock, self.woken = FakePublisher(), FakeLog(), clock(at), []
        self.handlers = Handlers(self.units, self.outbox, self.digests, composer(), self.clock, self.publisher,
                                 self.log, digest_window=timedelta(hours=1), handoff=self,
                                 wall=FakeWall())

        self.lease: int | None = None  # the sender's side (Handoff): None, no room: entries written due
        self.taken: list = []
        self.waits: list[float] = []  # the handlers' waits for room (`room`), by their timeout
        self.room_comes: int | None = None  # the lease a wait for room ends with (None: the wait times out)

    def lease_until(self) -> int | None:
        return self.lease

    async def room(self, timeout: float) -> None:
        self.waits.append(timeout)
        if self.room_comes is not None:
            self.lease = self.room_comes

    def take(self, mails) -> None:
        self.taken.extend(mails)

    def wake(self) -> None:
        self.woken.append(1)

    def keys(self) -> list[str]:
        return sorted(self.outbox.entries)


OVERDUE = {"unit_id": "TP-XPL", "report_type": "resolution_review", "due_at": "2023-05-15T00:00:00+07:00"}


async def test_with_room_at_the_sender_new_entries_are_written_leased_and_handed_over_once():
    world = World(PHU_LOC)
    world.lease = 99_000
    event = _inbound("review.deadlines.overdue.TP.TP-XPL", OVERDUE, "overdue:TP-XPL:resolution_review")
    await world.handlers.deadline(event)
    await world.handlers.deadline(event)  # redelivered: nothing new, nothing handed over again
    assert sorted(m.id for m in world.taken) == world.keys() and len(world.taken) == 2
    assert {world.outbox.due_ts[k] for k in world.keys()} == {99_000}
    assert {e.state for e in world.outbox.entries.values()} == {"sending"} and not world.woken
    assert world.waits == []  # room at once: no wait


async def test_an_overdue_event_queues_one_entry_per_contact_and_wakes_the_sender():
    world = World(PHU_LOC)
    await world.handlers.deadline(_inbound("review.deadlines.overdue.TP.TP-XPL", OVERDUE, "overdue:TP-XPL:resolution_review"))
    assert world.keys() == ["overdue:TP-XPL:resolution_review|bithu.xaphuloc@example.vn",
                            "overdue:TP-XPL:resolution_review|vanphong.xaphuloc@example.vn"]
    assert world.woken
    assert world.waits == [HANDOFF_WAIT]  # it waited for room first, bounded, and none came: written due
    assert {e.state for e in world.outbox.entries.values()} == {"pending"} and not world.taken


async def test_a_full_sender_is_waited_for_and_the_mails_then_handed_to_it_leased():
    world = World(PHU_LOC)
    world.room_comes = 42_000  # the sender drains while the handler waits
    await world.handlers.deadline(_inbound("review.deadlines.overdue.TP.TP-XPL", OVERDUE, "overdue:TP-XPL:resolution_review"))
    assert world.waits == [HANDOFF_WAIT]
    assert sorted(m.id for m in world.taken) == world.keys() and len(world.taken) == 2
    assert {world.outbox.due_ts[k] for k in world.keys()} == {42_000} and not world.woken


async def test_a_redelivered_event_adds_nothing_to_the_outbox():
    world = World(PHU_LOC)
    inbound = _inbound("review.deadlines.overdue.TP.TP-XPL", OVERDUE, "overdue:TP-XPL:resolution_review")
    await world.handlers.deadline(inbound)
    await world.handlers.deadline(inbound)
    assert len(world.keys()) == 2
    assert [line["new"] for line in world.log.events("mail_queued")] == [2, 0]


async def test_without_a_msg_id_header_the_key_is_built_from_the_payload_and_its_round():
    world = World(PHU_LOC)
    payload = {**OVERDUE, "level": 2, "after": "P7D", "round": 2}
    await world.handlers.deadline(_inbound("review.deadlines.escalated.TP.TP-XPL", payload))
    assert {e.mail.event_key for e in world.outbox.entries.values()} == {"escalated:TP-XPL:resolution_review:2:2"}


async def test_a_deadline_event_for_a_unit_not_yet_known_is_left_for_redelivery():
    world = World()
    with pytest.raises(UnknownUnit):
        await world.handlers.deadline(_inbound("review.deadlines.overdue.TP.TP-XPL", OVERDUE, "k"))
    assert world.keys() == []


async def test_a_payload_that_can_never_be_read_is_dead_lettered_and_answered():
    world = World(PHU_LOC)
    with pytest.raises(Terminal):
        await world.handlers.deadline(_inbound("review.deadlines.overdue.TP.TP-XPL", {"unit_id": "TP-XPL"}, "k"))
    assert world.publisher.events[0].subject == "review.dlq.notifier"


async def test_a_unit_change_becomes_the_recipients_of_later_events():
    world = World()
    unit = {"unit_id": "TP-XPL", "name": "Đảng bộ xã Phú Lộc", "level": "grassroots", "parent_id": "TP",
            "path": "TP.TP-XPL", "contacts": [{"name": "VP", "email": "vp@x.vn"}], "supervisors": []}
    await world.handlers.unit_changed(_inbound("review.units.changed.TP.TP-XPL", unit, "u1"))
    await world.handlers.deadline(_inbound("review.deadlines.overdue.TP.TP-XPL", OVERDUE, "overdue:TP-XPL:resolution_review"))
    assert world.keys() == ["overdue:TP-XPL:resolution_review|vp@x.vn"]


REJECTED = {"submission_id": "s-1", "unit_id": "TP-XPL", "subject": "review.submissions.submit.TP.TP-XPL",
            "received_at": "2023-05-10T09:00:00+07:00",
            "errors": [{"code": "unknown_target", "field": "content.targets[0].code", "message": "Chỉ tiêu 'XYZ'"}]}


async def test_a_rejection_is_mailed_to_the_submitter_under_its_submission_key():
    world = World(PHU_LOC)
    payload = {**REJECTED, "submitted_by": {"name": "Lê Thị B", "email": "lethib@example.vn"}}
    await world.handlers.rejected(_inbound("review.submissions.rejected", payload, "x"))
    assert world.keys() == ["rejected:s-1|lethib@example.vn"]


async def test_a_rejection_without_a_submitter_email_is_acknowledged_without_mail():
    world = World(PHU_LOC)
    await world.handlers.rejected(_inbound("review.submissions.rejected", REJECTED, "x"))
    assert world.keys() == []


def _draft(version: int) -> Inbound:
    body = {"scope": "TP", "version": version, "updated_at": "2023-07-20T09:00:00+07:00"}
    return _inbound("review.drafts.updated.TP", body, f"draft:TP:{version}")


async def test_draft_updates_inside_an_hour_give_one_digest_then_the_latest_when_the_hour_ends():
    world = World(at="2023-07-20T09:00:00+07:00")
    for version in (1, 2, 3):
        await world.handlers.draft_updated(_draft(version))
    assert {e.mail.event_key for e in world.outbox.entries.values()} == {"digest:TP:1"}
    world.clock.set(datetime(2023, 7, 20, 9, 59, tzinfo=VIETNAM))
    assert await world.handlers.flush_digests() == 0
    world.clock.set(datetime(2023, 7, 20, 10, 0, tzinfo=VIETNAM))
    assert await world.handlers.flush_digests() == 1
    assert {e.mail.event_key for e in world.outbox.entries.values()} == {"digest:TP:1", "digest:TP:3"}
    assert sorted(e.mail.recipient for e in world.outbox.entries.values()) == sorted(EDITORS * 2)


DECIDED = {"decision_id": "d-1", "submission_id": "s-1", "unit_id": "TP-XPL", "report_type": "resolution_review",
           "decision": "return", "comment": "Đề nghị bổ sung số liệu chỉ tiêu kết nạp đảng viên.",
           "decided_at": "2023-05-18T09:00:00+07:00", "resubmit_by": "2023-05-25T00:00:00+07:00"}


async def test_a_returned_report_is_mailed_to_each_contact_under_its_decision_key():
    world = World(PHU_LOC)
    await world.handlers.decided(_inbound("review.submissions.decided.TP.TP-XPL", DECIDED, "decided:d-1"))
    assert world.keys() == ["returned:d-1|bithu.xaphuloc@example.vn", "returned:d-1|vanphong.xaphuloc@example.vn"]
    mail = next(iter(world.outbox.entries.values())).mail
    assert "25/05/2023" in mail.subject and "Đề nghị bổ sung số liệu" in mail.text


async def test_a_redelivered_return_adds_nothing_to_the_outbox():
    world = World(PHU_LOC)
    inbound = _inbound("review.submissions.decided.TP.TP-XPL", DECIDED, "decided:d-1")
    await world.handlers.decided(inbound)
    await world.handlers.decided(inbound)
    assert [line["new"] for line in world.log.events("mail_queued")] == [2, 0]


async def test_accepting_or_reopening_a_report_mails_nobody():
    world = World(PHU_LOC)
    for decision in ("accept", "reopen"):
        body = {**DECIDED, "decision": decision, "decision_id": f"d-{decision}"}
        await world.handlers.decided(_inbound("review.submissions.decided.TP.TP-XPL", body, f"x-{decision}"))
    assert world.keys() == []


async def test_a_return_without_a_new_deadline_gives_seven_days_from_the_decision():
    world = World(PHU_LOC)
    body = {k: v for k, v in DECIDED.items() if k != "resubmit_by"}
    await world.handlers.decided(_inbound("review.submissions.decided.TP.TP-XPL", body, "decided:d-1"))
    assert all("25/05/2023" in e.mail.subject for e in world.outbox.entries.values())


async def test_a_return_for_a_unit_not_yet_known_is_left_for_redelivery():
    world = World()
    with pytest.raises(UnknownUnit):
        await world.handlers.decided(_inbound("review.submissions.decided.TP.TP-XPL", DECIDED, "decided:d-1"))


async def test_a_rejection_that_names_its_report_type_names_the_report_in_the_mail():
    world = World(PHU_LOC)
    payload = {**REJECTED, "report_type": "inspection_review",
               "submitted_by": {"name": "Lê Thị B", "email": "lethib@example.vn"}}
    await world.handlers.rejected(_inbound("review.submissions.rejected", payload, "x"))
    mail = next(iter(world.outbox.entries.values())).mail
    assert "kiểm tra" in mail.subject.lower() and "kiểm tra" in mail.text.lower()


async def test_a_second_round_overdue_goes_out_under_its_round_key_and_says_the_deadline_moved():
    world = World(PHU_LOC)
    payload = {**OVERDUE, "due_at": "2023-05-25T00:00:00+07:00", "round": 2}
    await world.handlers.deadline(_inbound("review.deadlines.overdue.TP.TP-XPL", payload,
                                           "overdue:TP-XPL:resolution_review:2"))
    mails = [e.mail for e in world.outbox.entries.values()]
    assert {m.event_key for m in mails} == {"overdue:TP-XPL:resolution_review:2"}
    assert all("25/05/2023" in m.subject and "đã được điều chỉnh" in m.text for m in mails)
