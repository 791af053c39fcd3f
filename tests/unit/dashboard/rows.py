"""Plain status rows for the view-model tests."""

from __future__ import annotations

from services.dashboard.domain.rows import Person, Row, UnitInfo, parse_time

AS_OF = parse_time("2023-05-20T09:00:00+07:00")
DUE = "2023-05-15T00:00:00+07:00"
LATER = "2023-07-15T00:00:00+07:00"


def row(unit_id: str, path: str, status: str, due: str = DUE, report: str = "resolution_review",
        version: int | None = None, name: str | None = None) -> Row:
    return Row(unit_id, name or f"Đơn vị {unit_id}", path, report, parse_time(due), status,
               f"{unit_id}-{report}-v{version}" if version else None, version)


def unit(unit_id: str, level: str, parent: str | None = None, supervisors: tuple[str, ...] = (),
         name: str | None = None) -> UnitInfo:
    return UnitInfo(unit_id, name or f"Đơn vị {unit_id}", level, parent,
                    supervisors=tuple(Person(s) for s in supervisors))
