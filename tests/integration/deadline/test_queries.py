"""The status query for any scope, health and the manual clock, and the registry's changes seen through them."""

from __future__ import annotations

from pymongo import AsyncMongoClient

from shared import subjects
from tests.infra.client import capture, request
from tests.infra.wait import eventually


async def _registered(scenario, count: int) -> None:
    await scenario.register()
    await eventually(lambda: _count(scenario, count), what=f"{count} obligations")


async def _count(scenario, count: int) -> bool:
    return len((await scenario.status()).get("obligations", [])) == count


async def test_the_root_scope_lists_every_obligation_in_the_contract_shape(scenario, deadline):
    await deadline()
    await _registered(scenario, 8)
    reply = await scenario.status(scenario.id("TU"))
    assert reply["as_of"] == "2023-01-01T08:00:00+07:00"
    assert set(reply) == {"as_of", "obligations"}
    row = next(r for r in reply["obligations"] if r["report_type"] == "propaganda_plan")
    assert row == {"unit_id": scenario.id("BTG"), "unit_name": "Ban Tuyên giáo Tỉnh ủy", "path": scenario.id("BTG"),
                   "report_type": "propaganda_plan", "due_at": "2023-03-25T00:00:00+07:00", "status": "pending",
                   "submission_id": None, "version": None}


async def test_a_district_scope_covers_the_district_and_its_grassroots_units_only(scenario, deadline):
    await deadline()
    await _registered(scenario, 8)
    statuses = await scenario.statuses(scenario.id("TP"))
    assert sorted(statuses) == [("TP", "conference_result"), ("TP", "inspection_review"),
                                ("TP", "resolution_review"), ("TP", "self_criticism"),
                                ("TP-CTX", "resolution_review"), ("TP-XPL", "resolution_review")]


async def test_a_grassroots_scope_covers_that_unit_alone(scenario, deadline):
    await deadline()
    await _registered(scenario, 8)
    assert await scenario.statuses(scenario.id("TP-CTX")) == {("TP-CTX", "resolution_review"): "exempt"}


async def test_an_unknown_scope_is_an_error(scenario, deadline):
    await deadline()
    reply = await scenario.status("NOWHERE")
    assert reply["error"]["code"] == "unknown_scope"


async def test_health_and_the_manual_clock_answer(nc, deadline):
    await deadline()
    assert (await request(nc, subjects.health("deadline")))["status"] == "ok"
    reply = await request(nc, subjects.admin_clock("deadline"), {"now": "2023-05-15T00:00:00+07:00"})
    assert reply == {"now": "2023-05-15T00:00:00+07:00"}


async def test_a_deactivated_unit_is_announced_removed_once_and_leaves_the_status_reply(nc, scenario, deadline):
    await deadline()
    changes = await capture(nc, "review.obligations.changed.>")
    await _registered(scenario, 8)
    xpl = scenario.units[scenario.id("TP-XPL")]
    await scenario.changed({**xpl, "active": False})
    await eventually(lambda: _count(scenario, 7), what="7 obligations")
    removed = await eventually(lambda: changes.where(unit_id=xpl["unit_id"], status="removed"), what="removed")
    await scenario.changed({**xpl, "active": False})  # the same registry state again changes nothing
    await scenario.changed({**xpl, "active": False, "name": "Đảng bộ xã Phú Lộc (cũ)"})
    await eventually(lambda: len(changes.where(unit_id=xpl["unit_id"], status="removed")) == 2, what="rename")
    assert removed[0]["path"] == scenario.path(xpl["unit_id"])
    await changes.stop()


async def test_a_unit_moved_to_another_district_is_announced_with_its_new_path(nc, scenario, deadline):
    await deadline()
    changes = await capture(nc, "review.obligations.changed.>")
    other = scenario.add(unit_id=scenario.id("LG"), name="Huyện ủy Lâm Giang", level="district",
                         parent_id=scenario.id("TU"), founded_on="1976-02-03")
    await _registered(scenario, 12)
    xpl = {**scenario.units[scenario.id("TP-XPL")], "parent_id": other["unit_id"]}
    scenario.add(**xpl)
    await scenario.changed(xpl)
    new_path = f"{other['unit_id']}.{xpl['unit_id']}"
    moved = await eventually(lambda: changes.where(unit_id=xpl["unit_id"], path=new_path), what="new path")
    assert moved[0]["parent_id"] == other["unit_id"]
    assert ("TP-XPL", "resolution_review") in await scenario.statuses(other["unit_id"])
    assert ("TP-XPL", "resolution_review") not in await scenario.statuses(scenario.id("TP"))
    await changes.stop()


async def test_an_accepted_event_that_overtakes_its_unit_is_not_lost(scenario, deadline, mongo_uri):
    await deadline()
    submission = await scenario.accepted("TP-XPL", "resolution_review", on_time=True)
    kept = AsyncMongoClient(mongo_uri).get_default_database()["obligations"]
    await eventually(lambda: kept.find_one({"_id": f"{scenario.id('TP-XPL')}:resolution_review"}), what="kept")
    await scenario.register()
    await eventually(lambda: _count(scenario, 8), what="8 obligations")
    reply = await scenario.status(scenario.id("TP-XPL"))
    assert [(r["status"], r["submission_id"]) for r in reply["obligations"]] == [("submitted", submission)]


async def test_a_large_scope_can_be_read_in_pages_that_add_up_to_the_whole(scenario, deadline, nc):
    await deadline()
    await _registered(scenario, 8)
    whole = (await scenario.status())["obligations"]
    pages, after = [], None
    while True:
        reply = await request(nc, subjects.QUERY_STATUS, {"limit": 3, **({"after": after} if after else {})})
        pages += reply["obligations"]
        after = reply["next"]
        if after is None:
            break
    assert pages == whole
