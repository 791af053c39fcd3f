"""The status query's scope, order and size rules, against fakes."""

from __future__ import annotations

import json

from services.deadline.domain.obligations import Obligation, UnitFacts
from services.deadline.status import Status
from shared.clock import ManualClock
from tests.unit.deadline.conftest import at
from tests.unit.deadline.fakes import FakeRegistry

DUE = at("2023-05-15 00:00")
OBS = [Obligation(f"CS{i}", "resolution_review", DUE, unit_name=f"Xã {i}", path=f"HU{i % 2}.CS{i}")
       for i in range(6)] + [Obligation("HU1", "self_criticism", DUE, path="HU1"),
                             Obligation("CS9", "resolution_review", DUE, path="HU1.CS9", removed=True)]
UNITS = [UnitFacts("HU1", "Huyện 1", "district", "HU1", "TU"), UnitFacts("TU", "Tỉnh", "province", "")]


def status(max_bytes: int | None = None) -> Status:
    registry = FakeRegistry(OBS, UNITS)
    return Status(ManualClock(at("2023-05-16 00:00")), registry, registry, max_bytes)


async def test_a_district_scope_lists_the_district_and_its_units_in_path_order_without_removed_ones():
    reply = json.loads(await status().reply({"scope": "HU1"}))
    assert [r["path"] for r in reply["obligations"]] == ["HU1", "HU1.CS1", "HU1.CS3", "HU1.CS5"]


async def test_the_status_is_computed_at_the_query_time_even_before_a_sweep():
    reply = json.loads(await status().reply({"scope": "TU"}))
    assert {r["status"] for r in reply["obligations"]} == {"overdue"}


async def test_a_reply_larger_than_a_message_may_be_is_refused_with_too_large():
    assert (await status(max_bytes=500).reply({}))["error"]["code"] == "too_large"


async def test_an_invalid_request_is_a_schema_error():
    assert (await status().reply({"scope": "not a unit id!"}))["error"]["code"] == "schema"
