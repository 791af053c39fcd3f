"""Writes samples/registry.yaml: the fictional province of Lâm Giang (CONTRACT section 1), deterministically.

10 district-level committees of 30 grassroots organisations each, 6 advisory agencies, the root `TU`; the
example units of ../shared/examples (TU, TP, TP-XPL, TP-CTX, BTG) keep their ids and details. A few grassroots
units were founded within 12 months of the 15/05/2023 deadline, so the plan exempts them.

    .venv/bin/python -m samples.make_registry        # rewrites samples/registry.yaml
"""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path
from typing import Any

import yaml

OUT = Path(__file__).resolve().parent / "registry.yaml"
SEED = 20230515

DISTRICTS = [
    ("TP", "Huyện ủy Tân Phú", "tanphu"), ("LG", "Thành ủy Lâm Giang", "lamgiang"),
    ("HB", "Huyện ủy Hòa Bình", "hoabinh"), ("DT", "Huyện ủy Đông Thạnh", "dongthanh"),
    ("AN", "Thị ủy An Nhơn", "annhon"), ("PT", "Huyện ủy Phước Thành", "phuocthanh"),
    ("TH", "Huyện ủy Thạnh Hưng", "thanhhung"), ("VL", "Huyện ủy Vĩnh Lợi", "vinhloi"),
    ("CM", "Huyện ủy Cầu Mây", "caumay"),
    ("DKDN", "Đảng ủy Khối Doanh nghiệp tỉnh", "khoidn"),
]
AGENCIES = [
    ("VPTU", "Văn phòng Tỉnh ủy", []), ("BTC", "Ban Tổ chức Tỉnh ủy", []),
    ("UBKT", "Ủy ban Kiểm tra Tỉnh ủy", []), ("BTG", "Ban Tuyên giáo Tỉnh ủy", ["propaganda"]),
    ("BDV", "Ban Dân vận Tỉnh ủy", []), ("BNC", "Ban Nội chính Tỉnh ủy", []),
]
PLACES = ["An", "Bình", "Cát", "Đông", "Gia", "Hòa", "Hưng", "Khánh", "Long", "Mỹ", "Nghĩa", "Phú", "Phước",
          "Quang", "Sơn", "Tân", "Thạnh", "Thuận", "Trung", "Vĩnh", "Xuân", "Yên"]
SUFFIXES = ["Lộc", "Hòa", "Thành", "Phong", "Điền", "Hưng", "Lợi", "Thịnh", "An", "Tiến", "Mỹ", "Đức", "Hải",
            "Quới", "Trạch"]
FIRST = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Minh", "Hữu", "Ngọc", "Thanh", "Quốc", "Thu"]
LAST = ["An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Hùng", "Lan", "Long", "Mai", "Nam", "Sơn", "Tâm", "Tuấn"]


def ascii_slug(text: str) -> str:
    bare = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in bare if c.isalnum() and ord(c) < 128).lower()


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(MIDDLE)} {rng.choice(LAST)}"


def supervisor(rng: random.Random) -> dict[str, str]:
    name = person(rng)
    initials = "".join(w[0] for w in ascii_slug_words(name))
    return {"name": f"{name}, Ủy viên Ban Thường vụ Tỉnh ủy", "email": f"{initials}{rng.randint(1, 99)}@tinhuy.example.vn"}


def ascii_slug_words(text: str) -> list[str]:
    return [ascii_slug(w) for w in text.split()]


def examples() -> dict[str, dict[str, Any]]:
    path = Path(__file__).resolve().parents[2] / "shared" / "examples" / "units-sample.yaml"
    units = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {u["unit_id"]: {**u, "founded_on": str(u["founded_on"])} for u in units}


def build() -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    known = examples()
    units: list[dict[str, Any]] = [{**known["TU"], "roles": [], "active": True,
                                    "contacts": [{"name": "Văn phòng Tỉnh ủy", "email": "vanphong@tinhuy.example.vn",
                                                  "role": "office"}],
                                    "supervisors": []}]
    for unit_id, name, slug in DISTRICTS:
        if unit_id in known:
            units.append({"roles": [], "active": True, **known[unit_id]})
        else:
            units.append({"unit_id": unit_id, "name": name, "level": "district", "parent_id": "TU",
                          "founded_on": "1976-02-03", "roles": [], "active": True,
                          "contacts": [{"name": f"Văn phòng {name}", "email": f"vanphong@{slug}.example.vn",
                                        "role": "office"}],
                          "supervisors": [supervisor(rng)]})
    for unit_id, name, roles in AGENCIES:
        if unit_id in known:
            units.append({"active": True, **known[unit_id]})
        else:
            units.append({"unit_id": unit_id, "name": name, "level": "agency", "parent_id": "TU",
                          "founded_on": "1930-02-03", "roles": roles, "active": True,
                          "contacts": [{"name": f"Văn phòng {name}", "email": f"{unit_id.lower()}@tinhuy.example.vn",
                                        "role": "office"}],
                          "supervisors": [supervisor(rng)]})
    recent = 0
    for unit_id, _, slug in DISTRICTS:
        names: set[str] = set()
        members = [known[k] for k in ("TP-XPL", "TP-CTX") if unit_id == "TP"]
        for u in members:
            units.append({"roles": [], "active": True, "supervisors": [], **u})
        for n in range(len(members), 30):
            while True:
                place = f"{rng.choice(PLACES)} {rng.choice(SUFFIXES)}"
                if place not in names:
                    names.add(place)
                    break
            if unit_id == "DKDN" or n % 10 == 9:
                kind, name = "cb", f"Chi bộ Công ty Cổ phần {place}"
            else:
                kind = rng.choice(["x", "x", "x", "p", "tt"])
                name = {"x": "Đảng bộ xã", "p": "Đảng bộ phường", "tt": "Đảng bộ thị trấn"}[kind] + f" {place}"
            founded = f"{rng.randint(1945, 2015)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            if n % 12 == 5 and recent < 6:
                founded, recent = f"2022-{rng.randint(6, 12):02d}-{rng.randint(1, 28):02d}", recent + 1
            units.append({
                "unit_id": f"{unit_id}-{kind.upper()}{n + 1:02d}", "name": name, "level": "grassroots",
                "parent_id": unit_id, "founded_on": founded, "roles": [], "active": True,
                "contacts": [{"name": f"Văn phòng {name}", "role": "office",
                              "email": f"vanphong.{ascii_slug(place)}{n + 1}@{slug}.example.vn"}],
                "supervisors": [],
            })
    return units


def main() -> None:
    header = ("# Generated by samples/make_registry.py (deterministic): the fictional province of Lâm Giang.\n"
              "# `midterm units import samples/registry.yaml` publishes it on review.units.upsert.\n")
    OUT.write_text(header + yaml.safe_dump(build(), allow_unicode=True, sort_keys=False, width=120),
                   encoding="utf-8")


if __name__ == "__main__":
    main()
