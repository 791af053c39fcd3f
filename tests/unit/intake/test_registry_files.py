"""Loading a registry file: YAML and CSV give the same upserts; a bad row names itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.intake.registry import RegistryError, load_registry, tiers, upsert_id

SAMPLE = Path(__file__).resolve().parents[3] / "samples" / "registry.yaml"

CSV = """unit_id,name,level,parent_id,founded_on,roles,contacts,supervisors,active
TU,Tỉnh ủy Lâm Giang,province,,1930-02-03,,Văn phòng Tỉnh ủy <vanphong@tinhuy.example.vn> [office],,true
BTG,Ban Tuyên giáo Tỉnh ủy,agency,TU,1930-02-03,propaganda,Văn phòng <btg@tinhuy.example.vn>,Đỗ Minh Tuấn <dmtuan@tinhuy.example.vn>,
TP-XPL,Đảng bộ xã Phú Lộc,grassroots,TP,1976-05-10,,A <a@x.example.vn>; B <b@x.example.vn> [secretary],,false
TP,Huyện ủy Tân Phú,district,TU,1976-02-03,,,,
"""


def test_the_sample_registry_has_a_root_ten_districts_six_agencies_and_three_hundred_grassroots_units():
    units = load_registry(SAMPLE)
    levels = [u["level"] for u in units]
    assert (levels.count("province"), levels.count("district"), levels.count("agency"),
            levels.count("grassroots")) == (1, 10, 6, 300)
    assert {"TU", "TP", "TP-XPL", "TP-CTX", "BTG"} <= {u["unit_id"] for u in units}
    assert all(c["email"].endswith("example.vn") for u in units for c in u["contacts"])


def test_a_csv_registry_reads_roles_people_and_the_active_flag(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(CSV, encoding="utf-8")
    units = {u["unit_id"]: u for u in load_registry(path)}
    assert units["BTG"]["roles"] == ["propaganda"]
    assert units["BTG"]["supervisors"] == [{"name": "Đỗ Minh Tuấn", "email": "dmtuan@tinhuy.example.vn", "role": None}]
    assert [c.get("role") for c in units["TP-XPL"]["contacts"]] == [None, "secretary"]
    assert units["TP-XPL"]["active"] is False and units["TU"]["parent_id"] is None


def test_units_are_published_parents_first(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(CSV, encoding="utf-8")
    order = [[u["unit_id"] for u in tier] for tier in tiers(load_registry(path))]
    assert order == [["TU"], ["BTG", "TP"], ["TP-XPL"]]


def test_a_row_with_a_bad_level_is_refused_with_its_id(tmp_path):
    path = tmp_path / "units.yaml"
    path.write_text("- {unit_id: X1, name: Xã, level: commune, parent_id: TP}\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="X1.*level"):
        load_registry(path)


def test_the_same_unit_gets_the_same_publish_id_and_a_changed_one_another():
    unit = {"unit_id": "TP", "name": "Huyện ủy Tân Phú"}
    assert upsert_id(unit) == upsert_id(dict(unit))
    assert upsert_id(unit) != upsert_id({**unit, "name": "Thị ủy Tân Phú"})
