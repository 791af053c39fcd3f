"""A problem found in an inbound message: an error code of CONTRACT section 2, the field, and the values
its Vietnamese message names (the wording lives in data/messages.vi.yaml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as _field

TOO_LARGE = "too_large"
INVALID_JSON = "invalid_json"
SCHEMA = "schema"
UNKNOWN_UNIT = "unknown_unit"
UNIT_INACTIVE = "unit_inactive"
SUBJECT_MISMATCH = "subject_mismatch"
NOT_OBLIGED = "not_obliged"
EXEMPT = "exempt"
WRONG_PERIOD = "wrong_period"
UNKNOWN_TARGET = "unknown_target"
DUPLICATE_SUBMISSION_ID = "duplicate_submission_id"

# Registry upserts (CONTRACT section 1: "the same error shape as submissions").
UNKNOWN_PARENT = "unknown_parent"
WRONG_PARENT_LEVEL = "wrong_parent_level"
DUPLICATE_ROOT = "duplicate_root"
CHILDREN_MISMATCH = "children_mismatch"

# Submissions after an accept (CONTRACT section 10).
LOCKED = "locked"

# Review decisions (CONTRACT section 10): `schema` as above, and these.
UNKNOWN_SUBMISSION = "unknown_submission"
NOT_LATEST = "not_latest"
INVALID_TRANSITION = "invalid_transition"
DUPLICATE_DECISION_ID = "duplicate_decision_id"

MAX_FIELD = 200


@dataclass(frozen=True)
class Problem:
    code: str
    field: str | None = None
    params: Mapping[str, object] = _field(default_factory=dict)
    kind: str | None = None  # for `schema`: the pydantic error type, which picks the wording

    def __post_init__(self) -> None:
        if self.field is not None and len(self.field) > MAX_FIELD:
            object.__setattr__(self, "field", self.field[:MAX_FIELD] + "…")
