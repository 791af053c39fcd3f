"""The unit registry (CONTRACT section 1): levels, paths, rejections, moves and deactivation."""

from __future__ import annotations

import uuid

import pytest

from shared import subjects
from tests.infra.client import publish
from tests.infra.wait import eventually


@pytest.fixture
def setup(province_intake):
    return province_intake


async def _rejection(intake, unit_id):
    hits = await eventually(lambda: intake.units_rejected.where(unit_id=unit_id), what=f"rejection of {unit_id}")
    return hits[0]


async def test_each_stored_unit_is_published_with_its_path_under_its_path(setup):
    intake, p = setup
    by_id = {(s, b["unit_id"]): b for s, b, _ in intake.units_changed.messages}
    root = by_id[("review.units.changed.root", p.id("TU"))]
    assert root["path"] == "" and root["parent_id"] is None
    leaf = by_id[(f"review.units.changed.{p.path('TP-XPL')}", p.id("TP-XPL"))]
    assert leaf["path"] == p.path("TP-XPL") and leaf["name"] == "Đảng bộ xã Phú Lộc"
    stored = await intake.db["units"].find_one({"_id": p.id("TP-XPL")})
    assert stored["path"] == p.path("TP-XPL")


async def test_an_upsert_under_an_unknown_parent_is_rejected_with_the_field(setup):
    intake, p = setup
    orphan = {**p.unit("TP-XPL"), "unit_id": p.id("ORPHAN"), "parent_id": p.id("NOWHERE")}
    await publish(intake.nc, subjects.UNITS_UPSERT, orphan)
    rejection = await _rejection(intake, p.id("ORPHAN"))
    assert [(e["code"], e["field"]) for e in rejection["errors"]] == [("unknown_parent", "parent_id")]
    assert rejection["subject"] == "review.units.upsert" and rejection["submission_id"] is None
    assert await intake.db["units"].find_one({"_id": p.id("ORPHAN")}) is None


async def test_a_grassroots_unit_directly_under_the_province_is_rejected_as_wrong_parent_level(setup):
    intake, p = setup
    await publish(intake.nc, subjects.UNITS_UPSERT, {**p.unit("TP-XPL"), "unit_id": p.id("GR"), "parent_id": p.id("TU")})
    rejection = await _rejection(intake, p.id("GR"))
    assert [e["code"] for e in rejection["errors"]] == ["wrong_parent_level"]


async def test_a_second_province_root_is_rejected(setup):
    intake, p = setup
    await publish(intake.nc, subjects.UNITS_UPSERT, {**p.unit("TU"), "unit_id": p.id("TU2")})
    rejection = await _rejection(intake, p.id("TU2"))
    assert [e["code"] for e in rejection["errors"]] == ["duplicate_root"]


async def test_a_district_with_grassroots_units_cannot_become_an_agency(setup):
    intake, p = setup
    await publish(intake.nc, subjects.UNITS_UPSERT, {**p.unit("TP"), "level": "agency"})
    rejection = await _rejection(intake, p.id("TP"))
    assert [e["code"] for e in rejection["errors"]] == ["children_mismatch"]


async def test_a_registry_upsert_that_is_not_json_is_rejected(setup):
    intake, p = setup
    ack = await publish(intake.nc, subjects.UNITS_UPSERT, b"\xff\xfe not json")
    await intake.handled(ack.seq, "units")
    assert any(e["errors"][0]["code"] == "invalid_json" for e in intake.units_rejected.bodies)


async def test_an_unchanged_upsert_publishes_nothing_new(setup):
    intake, p = setup
    before = len(intake.units_changed.where(unit_id=p.id("TP")))
    ack = await publish(intake.nc, subjects.UNITS_UPSERT, p.unit("TP"), msg_id=f"again-{uuid.uuid4()}")
    await intake.handled(ack.seq, "units")
    assert len(intake.units_changed.where(unit_id=p.id("TP"))) == before


async def test_a_grassroots_unit_moved_to_another_district_gets_its_new_path_and_submits_there(setup):
    intake, p = setup
    other = {**p.unit("TP"), "unit_id": p.id("HU2"), "name": "Huyện ủy Hòa Bình"}
    mover = {**p.unit("TP-XPL"), "unit_id": p.id("MV"), "name": "Đảng bộ xã Mỹ Vân"}
    await intake.seed([other, mover])
    await intake.seed([{**mover, "parent_id": p.id("HU2")}])
    new_path = f"{p.id('HU2')}.{p.id('MV')}"
    await eventually(lambda: intake.units_changed.where(unit_id=p.id("MV"), path=new_path), what="the move")
    old = p.submission("MV")
    await intake.submit(old, f"{p.id('TP')}.{p.id('MV')}")
    assert [e["code"] for e in (await intake.rejection(old["submission_id"]))["errors"]] == ["subject_mismatch"]
    new = p.submission("MV")
    await intake.submit(new, new_path)
    kind, event = await intake.outcome(new["submission_id"])
    assert kind == "accepted", event
    assert (await intake.stored(new["submission_id"]))["path"] == new_path


async def test_deactivation_is_published_and_then_refuses_submissions(setup):
    intake, p = setup
    unit = {**p.unit("TP-XPL"), "unit_id": p.id("DA"), "name": "Chi bộ Đa Lộc"}
    await intake.seed([unit])
    await publish(intake.nc, subjects.UNITS_UPSERT, {**unit, "active": False})
    await eventually(lambda: intake.units_changed.where(unit_id=p.id("DA"), active=False), what="deactivation")
    body = p.submission("DA")
    await intake.submit(body, f"{p.id('TP')}.{p.id('DA')}")
    assert [e["code"] for e in (await intake.rejection(body["submission_id"]))["errors"]] == ["unit_inactive"]
