"""The fast path (pydantic's JSON parser straight from the bytes) agrees with the careful one, or steps aside."""

from __future__ import annotations

import json

import pytest

from services.intake.domain.decode import MAX_BYTES, parse, quick, validate
from shared.contract.submissions import Submission
from tests.infra.data import example_submission


@pytest.mark.parametrize("name", ["submission-grassroots.json", "submission-inspection.json"])
def test_a_valid_submission_is_the_same_model_either_way(name):
    data = json.dumps(example_submission(name), ensure_ascii=False).encode()
    assert quick(Submission, data) == validate(Submission, parse(data))[0]


@pytest.mark.parametrize("data", [
    b'{"submission_id": "\\ud800"}',  # a lone surrogate: the careful path calls it invalid_json
    b"{not json",
    b'{"submission_id": "x"}',
    b" " * (MAX_BYTES + 1),
])
def test_anything_not_valid_in_every_respect_is_left_to_the_careful_path(data):
    assert quick(Submission, data) is None
