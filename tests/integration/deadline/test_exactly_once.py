"""Each deadline event once per key across a restart and across two instances sweeping at once."""

from __future__ import annotations

import json
from collections import Counter

from tests.infra.client import capture
from tests.infra.wait import eventually


def _ids(cap, token: str) -> list[str]:
    return [h.get("Nats-Msg-Id", "") for _, _, h in cap.messages if token in h.get("Nats-Msg-Id", "")]


async def _obligations(scenario) -> int:
    return len((await scenario.status()).get("obligations", []))


async def test_a_restart_between_two_sweeps_at_the_same_moment_publishes_nothing_new(nc, scenario, deadline):
    first = await deadline()
    cap = await capture(nc, "review.deadlines.>")
    await scenario.register()
    await eventually(lambda: _obligations_are(scenario, 8), what="8 obligations")
    await scenario.at("2023-05-16T00:00:00+07:00")
    assert await scenario.sweep() == {"reminders": 0, "overdue": 2, "escalations": 2}

    assert first.stop() == 0
    await deadline()
    await scenario.at("2023-05-16T00:00:00+07:00")
    assert await scenario.sweep() == {"reminders": 0, "overdue": 0, "escalations": 0}
    ids = await eventually(lambda: len(_ids(cap, scenario.token)) == 4 and _ids(cap, scenario.token),
                           what="four events")
    assert len(set(ids)) == 4
    await cap.stop()


async def test_two_deadline_instances_sweeping_at_once_publish_each_event_once(nc, scenario, deadline):
    units = 120
    district = scenario.id("TP")
    for i in range(units):
        scenario.add(unit_id=scenario.id(f"CS{i:03d}"), name=f"Đảng bộ xã số {i}", level="grassroots",
                     parent_id=district, founded_on="1990-01-01")
    one = await deadline(MIDTERM_SWEEP_SECONDS="0.05")  # both sweep on their timers, over and over
    two = await deadline(MIDTERM_SWEEP_SECONDS="0.05")
    cap = await capture(nc, "review.deadlines.>")
    await scenario.register()
    await eventually(lambda: _obligations_are(scenario, 8 + units), timeout=30, what="all obligations")

    await scenario.at("2023-05-22T00:00:00+07:00")  # grassroots: overdue and both escalations are owed
    expected = 3 * (units + 1) + 3  # every grassroots unit but the exempt one, and the propaganda plan
    await eventually(lambda: len(_ids(cap, scenario.token)) >= expected, timeout=30, what="every event")
    counted = await eventually(lambda: _logged_total(one, two) >= expected and _logged_total(one, two),
                               timeout=15, what="sweep logs")

    ids = Counter(_ids(cap, scenario.token))
    assert len(ids) == expected and set(ids.values()) == {1}
    assert counted == expected
    await cap.stop()


async def _obligations_are(scenario, count: int) -> bool:
    return await _obligations(scenario) == count


def _logged_total(*processes) -> int:
    total = 0
    for proc in processes:
        for line in proc.logs().splitlines():
            if '"sweep_done"' in line:
                entry = json.loads(line)
                total += entry["reminders"] + entry["overdue"] + entry["escalations"]
    return total
