"""The organisation tree: level rules, paths, moves, unchanged upserts."""

from __future__ import annotations

import pytest

from services.intake.domain.units import MissingDocument, UnitTree, unit_hash
from shared.contract.units import Unit
from tests.infra.data import example_units

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


def example(unit_id: str) -> dict:
    return next(u for u in example_units() if u["unit_id"] == unit_id)


def test_an_unchanged_upsert_changes_nothing(tree):
    assert tree.apply(Unit.model_validate(example("TP-XPL")), NOW) == []


def test_a_move_gives_the_new_path_and_a_new_revision(tree):
    for doc in tree.apply(unit(unit_id="HU2", level="district", parent_id="TU", name="Huyện ủy B"), NOW):
        tree.commit(doc)
    moved = Unit.model_validate({**example("TP-XPL"), "parent_id": "HU2"})
    [doc] = tree.apply(moved, NOW)
    assert doc["path"] == "HU2.TP-XPL" and doc["revision"] == 2 and doc["changed_at"] == NOW
    tree.commit(doc)
    assert tree.view("TP-XPL").path == "HU2.TP-XPL"


STORED = [
    {"unit_id": "R", "name": "R", "level": "province", "parent_id": None, "path": "", "revision": 1},
    {"unit_id": "D", "name": "D", "level": "district", "parent_id": "R", "path": "OLD", "revision": 1},
    {"unit_id": "G", "name": "G", "level": "grassroots", "parent_id": "D", "path": "OLD.G", "revision": 1,
     "contacts": [{"name": "Văn phòng G", "email": "vp-g@example.vn"}], "_id": "G", "published": True},
]


def test_a_moved_parent_carries_its_children_to_new_paths():
    tree = UnitTree(STORED)
    d = Unit(unit_id="D", name="D", level="district", parent_id="R")
    assert tree.needs(d) == ["G"]
    changed = tree.apply(d, NOW, {"G": STORED[2]})
    assert [(d["unit_id"], d["path"]) for d in changed] == [("D", "D"), ("G", "D.G")]
    assert changed[1]["revision"] == 2


def test_a_moved_child_keeps_every_field_of_its_stored_document_but_the_database_bookkeeping():
    changed = UnitTree(STORED).apply(Unit(unit_id="D", name="D", level="district", parent_id="R"), NOW,
                                     {"G": STORED[2]})
    child = changed[1]
    assert child["contacts"] == [{"name": "Văn phòng G", "email": "vp-g@example.vn"}]
    assert "_id" not in child and "published" not in child
    assert child["content_hash"] == unit_hash(child) and child["changed_at"] == NOW


def test_a_move_without_the_documents_of_the_descendants_is_refused():
    with pytest.raises(MissingDocument):
        UnitTree(STORED).apply(Unit(unit_id="D", name="D", level="district", parent_id="R"), NOW)


def test_an_upsert_that_moves_nothing_needs_no_document(tree):
    assert tree.needs(Unit.model_validate({**example("TP"), "name": "Huyện ủy mới"})) == []


def test_the_tree_keeps_no_contacts_and_a_restored_node_is_the_one_taken(tree):
    before = tree.node("TP-XPL")
    assert not hasattr(before, "contacts") and before.view.path == "TP.TP-XPL"
    moved = Unit.model_validate({**example("TP-XPL"), "parent_id": "TP", "name": "Tên mới"})
    [doc] = tree.apply(moved, NOW)
    tree.commit(doc)
    assert tree.view("TP-XPL").name == "Tên mới" and tree.node("TP-XPL").revision == before.revision + 1
    tree.restore("TP-XPL", before)
    assert tree.node("TP-XPL") == before and tree.apply(Unit.model_validate(example("TP-XPL")), NOW) == []
