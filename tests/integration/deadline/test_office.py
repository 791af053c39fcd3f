"""CONTRACT section 10 through the public subjects: returns (the `decided` event published here, standing in
for intake), extensions, deadline rounds and milestones."""

from __future__ import annotations

from collections import Counter

from shared import subjects
from tests.infra.client import capture
from tests.infra.wait import eventually

XPL = ("TP-XPL", "resolution_review")


async def _registered(scenario, count: int = 8) -> None:
    await scenario.register()
    await eventually(lambda: _count(scenario, count), what=f"{count} obligations")


async def _count(scenario, count: int) -> bool:
    return len((await scenario.status()).get("obligations", [])) == count


async def _row(scenario, name: str, report_type: str) -> dict:
    reply = await scenario.status(scenario.id(name))
    return next(r for r in reply["obligations"] if r["report_type"] == report_type)


async def _becomes(scenario, name: str, report_type: str, status: str) -> dict:
    async def check():
        row = await _row(scenario, name, report_type)
        return row if row["status"] == status else None
    return await eventually(check, what=f"{name} {report_type} {status}")


def _keys(cap, unit_id: str) -> Counter:
    return Counter(h.get("Nats-Msg-Id", "") for s, _, h in cap.messages
                   if s.startswith(("review.deadlines.reminder.", "review.deadlines.overdue.",
                                    "review.deadlines.escalated.")) and h.get("Nats-Msg-Id", "").split(":")[1] == unit_id)


async def test_a_returned_report_is_returned_with_the_new_deadline_until_a_new_version_decides_submitted_or_late(
        nc, scenario, deadline):
    await deadline()
    changes = await capture(nc, "review.obligations.changed.>")
    await _registered(scenario)
    first = await scenario.accepted("TP-XPL", "resolution_review", received_at="2023-05-10T09:00:00+07:00")
    district = await scenario.accepted("TP", "resolution_review", due_at="2023-07-15T00:00:00+07:00",
                                       received_at="2023-07-10T09:00:00+07:00")
    await _becomes(scenario, "TP", "resolution_review", "submitted")
    await _becomes(scenario, *XPL, "submitted")

    await scenario.decided("TP-XPL", "resolution_review", first, decided_at="2023-05-16T10:00:00+07:00",
                           resubmit_by="2023-05-25T00:00:00+07:00")
    await scenario.decided("TP", "resolution_review", district, decided_at="2023-07-12T10:00:00+07:00")
    row = await _becomes(scenario, *XPL, "returned")
    assert row["due_at"] == "2023-05-25T00:00:00+07:00" and row["submission_id"] == first
    row = await _becomes(scenario, "TP", "resolution_review", "returned")
    assert row["due_at"] == "2023-07-19T10:00:00+07:00"  # no resubmit_by: 7 days after the decision
    xpl = scenario.id("TP-XPL")
    announced = await eventually(lambda: changes.where(unit_id=xpl, status="returned"), what="returned event")
    assert announced[-1]["due_at"] == "2023-05-25T00:00:00+07:00"

    again = await scenario.accepted("TP-XPL", "resolution_review", version=2,
                                    received_at="2023-05-24T09:00:00+07:00")
    await scenario.accepted("TP", "resolution_review", version=2, due_at="2023-07-15T00:00:00+07:00",
                            received_at="2023-07-20T09:00:00+07:00")
    row = await _becomes(scenario, *XPL, "submitted")
    assert (row["submission_id"], row["version"]) == (again, 2)
    await _becomes(scenario, "TP", "resolution_review", "late")
    await changes.stop()


async def test_a_returned_report_is_reminded_in_its_new_round_and_stays_returned_past_the_new_deadline(
        nc, scenario, deadline):
    await deadline()
    cap = await capture(nc, "review.deadlines.>")
    await _registered(scenario)
    first = await scenario.accepted("TP-XPL", "resolution_review")
    await _becomes(scenario, *XPL, "submitted")
    await scenario.decided("TP-XPL", "resolution_review", first, decided_at="2023-05-16T10:00:00+07:00",
                           resubmit_by="2023-05-25T00:00:00+07:00")
    await _becomes(scenario, *XPL, "returned")

    for now in ("2023-05-20T00:00:00+07:00", "2023-05-25T00:00:00+07:00"):  # the P1D moment is slept through
        await scenario.at(now)
        await scenario.sweep()
    xpl = scenario.id("TP-XPL")
    expected = Counter([f"reminder:{xpl}:resolution_review:P7D:2", f"overdue:{xpl}:resolution_review:2"])
    await eventually(lambda: _keys(cap, xpl) == expected, what="round-2 events")
    assert (await _row(scenario, *XPL))["status"] == "returned"
    await cap.stop()


async def test_an_extended_overdue_obligation_is_pending_again_and_reminded_with_round_two_keys_only(
        nc, scenario, deadline):
    await deadline()
    cap = await capture(nc, "review.deadlines.>")
    changes = await capture(nc, "review.obligations.changed.>")
    await _registered(scenario)
    await scenario.at("2023-05-16T00:00:00+07:00")
    await scenario.sweep()
    await _becomes(scenario, *XPL, "overdue")

    ext = await scenario.extend("TP-XPL", "resolution_review", "2023-06-01T00:00:00+07:00")
    row = await _becomes(scenario, *XPL, "pending")
    assert row["due_at"] == "2023-06-01T00:00:00+07:00"
    xpl = scenario.id("TP-XPL")
    (extended,) = await eventually(lambda: [b for s, b, _ in cap.messages if s.startswith("review.deadlines.extended.")],
                                   what="extended")
    assert extended == {"extension_id": ext, "unit_id": xpl, "report_type": "resolution_review",
                        "due_at": "2023-06-01T00:00:00+07:00", "round": 2}
    pending = await eventually(lambda: changes.where(unit_id=xpl, status="pending",
                                                     due_at="2023-06-01T00:00:00+07:00"), what="changed")
    assert pending

    for now in ("2023-05-20T00:00:00+07:00", "2023-05-25T00:00:00+07:00", "2023-05-31T12:00:00+07:00",
                "2023-06-01T00:00:00+07:00", "2023-06-08T00:00:00+07:00", "2023-06-08T00:00:00+07:00"):
        await scenario.at(now)
        await scenario.sweep()
    base = f"{xpl}:resolution_review"
    expected = Counter([f"overdue:{base}", f"reminder:{base}:P7D:2", f"reminder:{base}:P1D:2",
                        f"overdue:{base}:2", f"escalated:{base}:1:2", f"escalated:{base}:2:2"])
    await eventually(lambda: _keys(cap, xpl) == expected, what="round-1 overdue, then round 2 only")
    await cap.stop()
    await changes.stop()


async def test_every_refused_extension_is_answered_with_its_code(nc, scenario, deadline):
    await deadline()
    cap = await capture(nc, subjects.EXTEND_REJECTED)
    await _registered(scenario)
    refused = {
        await scenario.extend("TP-XPL", "resolution_review", "2023-05-01T00:00:00+07:00"): "not_later",
        await scenario.extend("TP-XPL", "resolution_review", "2023-05-15T00:00:00+07:00"): "not_later",
        await scenario.extend("TP-XPL", "self_criticism", "2023-06-01T00:00:00+07:00"): "unknown_obligation",
        await scenario.extend("TP-XPL", "resolution_review", "2023-06-01T00:00:00+07:00",
                              path=scenario.path(scenario.id("TP-CTX"))): "subject_mismatch",
        await scenario.extend("TP-XPL", "resolution_review", "15/06/2023"): "schema",
        await scenario.extend("TP-XPL", "resolution_review", "2023-06-01T00:00:00+07:00", extra="x"): "schema",
    }
    await eventually(lambda: len(cap.bodies) == len(refused), what="every refusal")
    assert {b["id"]: b["errors"][0]["code"] for b in cap.bodies} == refused
    assert all(b["errors"][0]["message"] for b in cap.bodies)
    assert (await _row(scenario, *XPL))["due_at"] == "2023-05-15T00:00:00+07:00"
    await cap.stop()


async def test_milestones_are_met_late_missing_or_pending_for_each_unit_of_their_level(scenario, deadline):
    await deadline()
    for name in ("LG", "HB"):
        scenario.add(unit_id=scenario.id(name), name=f"Huyện ủy {name}", level="district",
                     parent_id=scenario.id("TU"), founded_on="1976-02-03")
    await _registered(scenario, 16)
    await scenario.accepted("TP", "conference_result", due_at="2023-07-15T00:00:00+07:00",
                            evidence={"conference.held_on": "2023-06-30"})
    await scenario.accepted("LG", "conference_result", due_at="2023-07-15T00:00:00+07:00",
                            evidence={"conference.held_on": "2023-06-20"})
    await _becomes(scenario, "LG", "conference_result", "submitted")
    await _becomes(scenario, "TP", "conference_result", "submitted")
    await scenario.at("2023-07-01T00:00:00+07:00")

    reply = await scenario.milestones(scenario.id("TU"))
    rows = {(r["unit_id"].removesuffix(f"-{scenario.token}"), r["milestone"]): (r["status"], r["met_on"])
            for r in reply["milestones"]}
    assert rows == {("TP", "district_conference"): ("late", "2023-06-30"),
                    ("LG", "district_conference"): ("met", "2023-06-20"),
                    ("HB", "district_conference"): ("missing", None),
                    ("TU", "provincial_conference"): ("pending", None)}
    row = next(r for r in reply["milestones"] if r["milestone"] == "provincial_conference")
    assert row["due_at"] == "2023-10-15T00:00:00+07:00"
    district = await scenario.milestones(scenario.id("TP"))
    assert [(r["milestone"], r["status"]) for r in district["milestones"]] == [("district_conference", "late")]
    await scenario.at("2023-10-15T00:00:00+07:00")
    reply = await scenario.milestones()
    assert [r["status"] for r in reply["milestones"] if r["milestone"] == "provincial_conference"] == ["missing"]
    assert (await scenario.milestones("NOWHERE"))["error"]["code"] == "unknown_scope"
