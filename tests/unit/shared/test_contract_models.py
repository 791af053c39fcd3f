"""The contract models accept every example payload of CONTRACT.md and refuse each way a payload can be wrong,
naming the field."""

from __future__ import annotations

import copy
import unicodedata

import pytest
from pydantic import ValidationError

from shared.contract import (
    Accepted,
    CatalogRegister,
    Draft,
    Escalated,
    ObligationChanged,
    Overdue,
    Rejected,
    Reminder,
    StatusReply,
    Submission,
    Unit,
)
from tests.infra.data import example_submission, example_units

UNIT = {"unit_id": "CS017", "name": "Đảng bộ xã Tân Phú", "level": "grassroots",
        "parent_id": "HU03", "founded_on": "1976-02-03", "roles": [],
        "contacts": [{"name": "Lê Thị B", "email": "vanphong@tanphu.example.vn", "role": "office"}],
        "supervisors": [{"name": "Trần Văn C", "email": "tvc@tinhuy.example.vn"}],
        "active": True}

SUBMISSION = {
    "submission_id": "0b6c1d2e-1111", "unit_id": "CS017", "report_type": "resolution_review",
    "period": {"start": "2020-04", "end": "2023-03"}, "supersedes": None,
    "submitted_by": {"name": "Lê Thị B", "email": "vanphong@tanphu.example.vn"},
    "content": {
        "leadership": "…",
        "targets": [{"code": "NEW_MEMBERS", "value": 42, "status": "achieved", "note": "…"}],
        "achievements": ["…"], "shortcomings": [{"text": "…", "cause": "…"}], "lessons": ["…"],
        "models": [{"title": "…", "description": "…"}], "adjustments": ["…"], "next_tasks": ["…"],
        "proposals": [{"to": "province", "text": "…"}],
        "inspection": {"inspections": 12, "supervisions": 30, "members_disciplined": 3,
                       "organizations_disciplined": 0},
        "conference": {"held_on": "2023-06-20", "attendees": 150}},
    "documents": [{"number": "05-BC/HU", "issued_on": "2023-06-25", "title": "Báo cáo sơ kết …"}],
}

DRAFT = {"scope": "TU", "version": 7, "updated_at": "2023-07-16T08:00:00+07:00",
         "coverage": {"expected": 0, "submitted": 0, "late": 0, "overdue": 0, "pending": 0, "exempt": 0},
         "targets": [{"code": "NEW_MEMBERS", "name": "…", "unit": "người", "aggregate": "sum",
                      "value": 0, "reported_by": 0, "achieved": 0, "on_track": 0, "at_risk": 0,
                      "not_achieved": 0}],
         "inspection": {"inspections": 0, "supervisions": 0, "members_disciplined": 0,
                        "organizations_disciplined": 0},
         "sections": {"leadership": [{"unit_id": "…", "text": "…"}], "achievements": [], "shortcomings": [],
                      "lessons": [], "models": [], "adjustments": [], "next_tasks": [],
                      "proposals": {"central": [], "province": [], "district": []}},
         "sources": [{"submission_id": "…", "unit_id": "…", "report_type": "…", "version": 1}]}


def _paths(exc: ValidationError) -> set[str]:
    return {".".join(str(p) for p in err["loc"]) for err in exc.errors()}


def test_the_contract_unit_example_validates():
    assert Unit.model_validate(UNIT).level == "grassroots"


def test_the_shared_example_registry_validates():
    units = [Unit.model_validate(u) for u in example_units()]
    assert [u.unit_id for u in units][:2] == ["TU", "TP"]


def test_the_contract_submission_example_validates():
    assert Submission.model_validate(SUBMISSION).content.targets[0].value == 42


@pytest.mark.parametrize("name", ["submission-grassroots.json", "submission-inspection.json"])
def test_the_shared_example_submissions_validate(name):
    Submission.model_validate(example_submission(name))


def test_the_outcome_and_deadline_examples_validate():
    Accepted.model_validate({"submission_id": "x", "unit_id": "CS017", "report_type": "resolution_review",
                             "version": 1, "received_at": "2023-05-14T16:30:00+07:00",
                             "due_at": "2023-05-15T00:00:00+07:00", "on_time": True})
    Rejected.model_validate({"submission_id": None, "unit_id": None,
                             "subject": "review.submissions.submit.HU03.CS017",
                             "received_at": "2023-05-14T16:30:00+07:00",
                             "errors": [{"code": "unknown_target", "field": "content.targets[0].code",
                                         "message": "Chỉ tiêu 'XYZ' không có trong kế hoạch"}]})
    due = "2023-05-15T00:00:00+07:00"
    Reminder.model_validate({"unit_id": "CS017", "report_type": "resolution_review", "due_at": due,
                             "before": "P7D"})
    Overdue.model_validate({"unit_id": "CS017", "report_type": "resolution_review", "due_at": due})
    Escalated.model_validate({"unit_id": "CS017", "report_type": "resolution_review", "due_at": due,
                              "level": 1, "after": "P3D"})
    ObligationChanged.model_validate({"unit_id": "CS017", "unit_name": "Đảng bộ xã Tân Phú",
                                      "path": "HU03.CS017", "report_type": "resolution_review",
                                      "due_at": due, "status": "pending", "submission_id": None,
                                      "version": None, "changed_at": due})
    StatusReply.model_validate({"as_of": due, "obligations": [
        {"unit_id": "CS017", "unit_name": "x", "path": "HU03.CS017", "report_type": "resolution_review",
         "due_at": due, "status": "overdue", "submission_id": None, "version": None}]})
    CatalogRegister.model_validate({"number": "14-CTr/TU", "title": "Chương trình làm việc toàn khóa",
                                    "issued_on": "2020-12-22", "issuer": "Tỉnh ủy", "kind": "CTr",
                                    "url": "https://example.vn/14"})
    assert Draft.model_validate(DRAFT).version == 7


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda s: s.update(extra="x"), "extra"),
        (lambda s: s.update(report_type="annual_report"), "report_type"),
        (lambda s: s.update(unit_id="CS 017"), "unit_id"),
        (lambda s: s.update(unit_id="a" * 65), "unit_id"),
        (lambda s: s["period"].update(start="2020-13"), "period.start"),
        (lambda s: s["content"]["targets"][0].update(value=-1), "content.targets.0.value"),
        (lambda s: s["content"]["targets"][0].update(status="done"), "content.targets.0.status"),
        (lambda s: s["content"]["proposals"][0].update(to="ministry"), "content.proposals.0.to"),
        (lambda s: s["content"]["inspection"].update(inspections=-2), "content.inspection.inspections"),
        (lambda s: s["content"].update({"$where": "1"}), "content.$where"),
        (lambda s: s["submitted_by"].update(email="not an email"), "submitted_by.email"),
        (lambda s: s["documents"][0].update(issued_on="25/06/2023"), "documents.0.issued_on"),
    ],
)
def test_each_way_a_submission_can_be_wrong_fails_with_its_field_path(change, field):
    body = copy.deepcopy(SUBMISSION)
    change(body)
    with pytest.raises(ValidationError) as caught:
        Submission.model_validate(body)
    assert field in _paths(caught.value)


def test_a_unit_of_an_unknown_level_fails_on_level():
    with pytest.raises(ValidationError) as caught:
        Unit.model_validate({**UNIT, "level": "ward"})
    assert "level" in _paths(caught.value)


def test_a_timestamp_without_an_offset_is_refused():
    with pytest.raises(ValidationError) as caught:
        Overdue.model_validate({"unit_id": "CS017", "report_type": "resolution_review",
                                "due_at": "2023-05-15T00:00:00"})
    assert "due_at" in _paths(caught.value)


def test_vietnamese_text_comes_out_in_nfc_whatever_form_it_came_in():
    decomposed = unicodedata.normalize("NFD", "Đảng bộ xã Tân Phú")
    assert decomposed != "Đảng bộ xã Tân Phú"
    body = copy.deepcopy(SUBMISSION)
    body["content"]["leadership"] = decomposed
    body["content"]["lessons"] = [decomposed]
    parsed = Submission.model_validate(body)
    assert parsed.content.leadership == "Đảng bộ xã Tân Phú"
    assert parsed.content.lessons == ["Đảng bộ xã Tân Phú"]
    again = Submission.model_validate_json(parsed.model_dump_json())
    assert again.content.leadership == "Đảng bộ xã Tân Phú"
    assert Unit.model_validate({**UNIT, "name": decomposed}).name == "Đảng bộ xã Tân Phú"


def test_required_sections_are_reported_by_report_type():
    body = copy.deepcopy(SUBMISSION)
    body["content"].pop("leadership")
    assert Submission.model_validate(body).required_section() == "leadership"
    body["report_type"] = "inspection_review"
    assert Submission.model_validate(body).required_section() is None
    body["content"].pop("inspection")
    assert Submission.model_validate(body).required_section() == "inspection"
