"""Vietnamese messages from the data file: every code has one, fields and values are named."""

from __future__ import annotations

from services.intake.domain import problems as p
from services.intake.domain.problems import Problem

CODES = [p.TOO_LARGE, p.INVALID_JSON, p.SCHEMA, p.UNKNOWN_UNIT, p.UNIT_INACTIVE, p.SUBJECT_MISMATCH, p.NOT_OBLIGED,
         p.EXEMPT, p.WRONG_PERIOD, p.UNKNOWN_TARGET, p.DUPLICATE_SUBMISSION_ID, p.UNKNOWN_PARENT,
         p.WRONG_PARENT_LEVEL, p.DUPLICATE_ROOT, p.CHILDREN_MISMATCH]


def test_every_error_code_has_a_vietnamese_template(messages):
    assert set(CODES) - {p.SCHEMA} <= set(messages.codes)


def test_a_message_names_the_field_and_the_value(messages):
    text = messages.text(Problem(p.UNKNOWN_TARGET, "content.targets[0].code", {"value": "XYZ"}))
    assert text == "Chỉ tiêu 'XYZ' (trường content.targets[0].code) không có trong kế hoạch."


def test_a_schema_message_follows_the_kind_of_fault_with_a_default(messages):
    assert messages.text(Problem(p.SCHEMA, "content.leadership", kind="missing")) == \
        "Thiếu trường bắt buộc content.leadership."
    assert "content.x" in messages.text(Problem(p.SCHEMA, "content.x", kind="some_new_pydantic_type"))


def test_a_long_list_of_errors_is_cut_with_a_count_of_the_rest(messages):
    items = messages.render([Problem(p.UNKNOWN_TARGET, f"f{i}", {"value": "X"}) for i in range(105)], limit=100)
    assert len(items) == 101 and "5" in items[-1]["message"]


def test_a_huge_field_name_is_shortened(messages):
    assert len(Problem(p.SCHEMA, "$" * 10_000).field) <= 201
