from __future__ import annotations

from datetime import datetime

import pytest

from shared.clock import VIETNAM
from shared.plan import Plan, parse_plan

PLAN = {
    "campaign": "test", "title": "Sơ kết", "exempt_if_founded_within_months": 12,
    "reminders_before": ["P7D", "P1D"], "escalate_after": ["P3D", "P7D"],
    "obligations": [
        {"level": "grassroots", "report_type": "resolution_review", "due": "2023-05-15T00:00:00+07:00"},
        {"level": "district", "report_type": "resolution_review", "due": "2023-07-15T00:00:00+07:00"},
        {"level": "district", "report_type": "inspection_review", "due": "2023-07-15T00:00:00+07:00"},
        {"level": "agency", "report_type": "agency_review", "due": "2023-07-15T00:00:00+07:00"},
        {"level": "agency", "role": "propaganda", "report_type": "propaganda_plan",
         "due": "2023-03-25T00:00:00+07:00"},
    ],
}


@pytest.fixture
def plan() -> Plan:
    return parse_plan(PLAN)


def at(text: str) -> datetime:
    """`2023-05-15 00:00` in Vietnam time."""
    return datetime.fromisoformat(text).replace(tzinfo=VIETNAM)
