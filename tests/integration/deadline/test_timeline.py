"""The seed's timeline played with the manual clock: the propaganda plan (due 25/3/2023), grassroots
reports (15/5/2023), district reports (15/7/2023)."""

from __future__ import annotations

from tests.infra.client import capture
from tests.infra.wait import eventually


def _keys(cap, token: str) -> list[str]:
    return sorted(h.get("Nats-Msg-Id", "") for _, _, h in cap.messages if token in h.get("Nats-Msg-Id", ""))


async def _registered(scenario, count: int) -> None:
    await scenario.register()
    await eventually(lambda: _count(scenario, count), what=f"{count} obligations")


async def _count(scenario, count: int) -> bool:
    return len((await scenario.status()).get("obligations", [])) == count


async def test_the_propaganda_plan_is_reminded_noticed_and_escalated_on_the_seed_dates(nc, scenario, deadline):
    await deadline()
    cap = await capture(nc, "review.deadlines.>")
    await _registered(scenario, 8)
    btg = scenario.id("BTG")

    await scenario.at("2023-03-17T23:59:00+07:00")
    assert await scenario.sweep() == {"reminders": 0, "overdue": 0, "escalations": 0}
    await scenario.at("2023-03-18T00:00:00+07:00")
    assert await scenario.sweep() == {"reminders": 1, "overdue": 0, "escalations": 0}
    await scenario.at("2023-03-24T12:00:00+07:00")
    assert await scenario.sweep() == {"reminders": 1, "overdue": 0, "escalations": 0}
    await scenario.at("2023-03-25T00:00:00+07:00")
    assert await scenario.sweep() == {"reminders": 0, "overdue": 1, "escalations": 0}
    assert (await scenario.statuses())[("BTG", "propaganda_plan")] == "overdue"
    await scenario.at("2023-04-01T00:00:00+07:00")  # both escalation moments passed since the last sweep
    assert await scenario.sweep() == {"reminders": 0, "overdue": 0, "escalations": 2}

    expected = sorted([f"reminder:{btg}:propaganda_plan:P7D", f"reminder:{btg}:propaganda_plan:P1D",
                       f"overdue:{btg}:propaganda_plan", f"escalated:{btg}:propaganda_plan:1",
                       f"escalated:{btg}:propaganda_plan:2"])
    await eventually(lambda: _keys(cap, scenario.token) == expected, what="the five events")
    bodies = {h["Nats-Msg-Id"]: (s, b) for s, b, h in cap.messages}
    subject, body = bodies[f"escalated:{btg}:propaganda_plan:2"]
    assert subject == f"review.deadlines.escalated.{btg}"
    assert body == {"unit_id": btg, "report_type": "propaganda_plan", "due_at": "2023-03-25T00:00:00+07:00",
                    "round": 1, "level": 2, "after": "P7D"}
    await cap.stop()


async def test_a_submission_arriving_between_two_sweeps_stops_the_overdue_notice(nc, scenario, deadline):
    await deadline()
    changes = await capture(nc, "review.obligations.changed.>")
    await _registered(scenario, 8)
    xpl = scenario.id("TP-XPL")

    await scenario.at("2023-05-14T12:00:00+07:00")  # both reminder moments passed since the last sweep
    assert await scenario.sweep() == {"reminders": 2, "overdue": 1, "escalations": 2}  # + the propaganda plan
    submission = await scenario.accepted("TP-XPL", "resolution_review", on_time=True)
    await eventually(lambda: _status_is(scenario, ("TP-XPL", "resolution_review"), "submitted"), what="submitted")
    await scenario.at("2023-05-15T00:00:00+07:00")
    assert await scenario.sweep() == {"reminders": 0, "overdue": 0, "escalations": 0}

    statuses = await scenario.statuses(scenario.id("TP"))
    assert statuses[("TP-XPL", "resolution_review")] == "submitted"
    assert statuses[("TP-CTX", "resolution_review")] == "exempt"
    submitted = await eventually(lambda: changes.where(unit_id=xpl, status="submitted"), what="changed event")
    assert submitted[0] | {"changed_at": None} == {
        "unit_id": xpl, "unit_name": "Đảng bộ xã Phú Lộc", "path": f"{scenario.id('TP')}.{xpl}",
        "report_type": "resolution_review", "due_at": "2023-05-15T00:00:00+07:00", "status": "submitted",
        "submission_id": submission, "version": 1, "changed_at": None, "parent_id": scenario.id("TP"),
        "level": "grassroots", "on_time": True, "round": 1}
    await changes.stop()


async def test_reports_missing_in_july_are_overdue_then_escalated_and_never_reminded_late(nc, scenario, deadline):
    await deadline()
    await _registered(scenario, 8)

    await scenario.at("2023-07-15T00:00:00+07:00")  # a service that slept since January catches up
    assert await scenario.sweep() == {"reminders": 0, "overdue": 7, "escalations": 4}
    await scenario.at("2023-07-22T00:00:00+07:00")
    assert await scenario.sweep() == {"reminders": 0, "overdue": 0, "escalations": 10}
    await scenario.accepted("TP", "resolution_review", on_time=False, due_at="2023-07-15T00:00:00+07:00",
                            received_at="2023-07-23T09:00:00+07:00")
    await eventually(lambda: _status_is(scenario, ("TP", "resolution_review"), "late"), what="late")

    statuses = await scenario.statuses()
    assert sorted(statuses.values()) == ["exempt", "late"] + ["overdue"] * 6


async def _status_is(scenario, key: tuple[str, str], status: str) -> bool:
    return (await scenario.statuses()).get(key) == status
