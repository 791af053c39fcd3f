"""The organisation tree: level rules, paths, moves, unchanged upserts."""

from __future__ import annotations

from services.intake.domain.units import UnitTree
from shared.contract.units import Unit

NOW = "2023-02-01T08:00:00+07:00"


def unit(**fields) -> Unit:
    base = {"unit_id": "X", "name": "Đảng bộ xã X", "level": "grassroots", "parent_id": "TP"}
    return Unit.model_validate({**base, **fields})


def test_paths_are_the_ids_below_the_root(tree):
    assert tree.view("TU").path == "" and tree.view("TP").path == "TP"
    assert tree.view("TP-XPL").path == "TP.TP-XPL" and tree.view("BTG").path == "BTG"


def test_level_rules_name_their_codes(tree):
    assert [p.code for p in tree.check(unit(parent_id="NOPE"))] == ["unknown_parent"]
    assert [p.code for p in tree.check(unit(parent_id="TU"))] == ["wrong_parent_level"]
    assert [p.code for p in tree.check(unit(level="agency", parent_id="TP"))] == ["wrong_parent_level"]
    assert [p.code for p in tree.check(unit(level="district", parent_id=None))] == ["unknown_parent"]
    assert [p.code for p in tree.check(unit(unit_id="TU2", level="province", parent_id=None))] == ["duplicate_root"]
    assert [p.code for p in tree.check(unit(unit_id="TP", level="agency", parent_id="TU"))] == ["children_mismatch"]


def test_an_unchanged_upsert_changes_nothing(tree):
    same = Unit.model_validate({k: v for k, v in tree.get("TP-XPL").items()
                                if k not in ("path", "changed_at", "content_hash", "revision")})
    assert tree.apply(same, NOW) == []


def test_a_move_gives_the_new_path_and_a_new_revision(tree):
    for doc in tree.apply(unit(unit_id="HU2", level="district", parent_id="TU", name="Huyện ủy B"), NOW):
        tree.commit(doc)
    moved = Unit.model_validate({**{k: v for k, v in tree.get("TP-XPL").items()
                                    if k not in ("path", "changed_at", "content_hash", "revision")},
                                 "parent_id": "HU2"})
    [doc] = tree.apply(moved, NOW)
    assert doc["path"] == "HU2.TP-XPL" and doc["revision"] == 2 and doc["changed_at"] == NOW
    tree.commit(doc)
    assert tree.view("TP-XPL").path == "HU2.TP-XPL"


def test_a_moved_parent_carries_its_children_to_new_paths():
    tree = UnitTree([
        {"unit_id": "R", "name": "R", "level": "province", "parent_id": None, "path": "", "revision": 1},
        {"unit_id": "D", "name": "D", "level": "district", "parent_id": "R", "path": "OLD", "revision": 1},
        {"unit_id": "G", "name": "G", "level": "grassroots", "parent_id": "D", "path": "OLD.G", "revision": 1},
    ])
    changed = tree.apply(Unit(unit_id="D", name="D", level="district", parent_id="R"), NOW)
    assert [(d["unit_id"], d["path"]) for d in changed] == [("D", "D"), ("G", "D.G")]
    assert changed[1]["revision"] == 2
