"""The validation of CONTRACT section 2, in its order, with every error found."""

from __future__ import annotations

import json

from services.intake.domain.submissions import examine
from tests.infra.data import example_submission, grassroots_submission

SUBJECT = "review.submissions.submit.TP.TP-XPL"


def run(body, tree, plan, subject=SUBJECT, header=None):
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return examine(data, subject, header, tree.view, plan)


def codes(verdict):
    return [p.code for p in verdict.problems]


def test_the_example_grassroots_report_passes_with_its_deadline(tree, plan):
    verdict = run(grassroots_submission("TP-XPL"), tree, plan)
    assert verdict.accepted and verdict.obligation.due_at.isoformat() == "2023-05-15T00:00:00+07:00"


def test_the_example_inspection_report_of_a_district_passes(tree, plan):
    verdict = run(example_submission("submission-inspection.json"), tree, plan, "review.submissions.submit.TP")
    assert verdict.accepted, verdict.problems


def test_a_payload_over_the_limit_is_too_large_before_anything_is_parsed(tree, plan):
    verdict = run(b"{" + b" " * (256 * 1024), tree, plan, header="abc")
    assert codes(verdict) == ["too_large"] and verdict.facts.submission_id == "abc"


def test_invalid_utf8_and_lone_surrogates_are_invalid_json(tree, plan):
    assert codes(run(b'{"a": "\xff"}', tree, plan)) == ["invalid_json"]
    assert codes(run(b'{"a": "\\ud800"}', tree, plan)) == ["invalid_json"]


def test_nesting_deeper_than_the_decoder_allows_is_invalid_json(tree, plan):
    assert codes(run(b"[" * 100_000 + b"]" * 100_000, tree, plan)) == ["invalid_json"]


def test_a_json_value_that_is_not_an_object_is_a_schema_error(tree, plan):
    assert codes(run(b"[1, 2]", tree, plan)) == ["schema"]


def test_checks_run_in_contract_order_and_all_are_reported(tree, plan):
    body = grassroots_submission("TP-XPL", period={"start": "2020-01", "end": "2023-03"})
    body["content"]["targets"][1]["code"] = "NOPE"
    body["content"]["lessons"] = [7]
    verdict = run(body, tree, plan, subject="review.submissions.submit.TP.TP-CTX")
    assert codes(verdict) == ["schema", "subject_mismatch", "wrong_period", "unknown_target"]
    assert [p.field for p in verdict.problems] == ["content.lessons[0]", "unit_id", "period",
                                                   "content.targets[1].code"]


def test_an_exempt_unit_is_not_also_told_its_period_is_wrong(tree, plan):
    body = grassroots_submission("TP-CTX", period={"start": "2019-01", "end": "2019-12"})
    assert codes(run(body, tree, plan, subject="review.submissions.submit.TP.TP-CTX")) == ["exempt"]


def test_a_report_type_the_plan_does_not_ask_is_not_obliged(tree, plan):
    assert codes(run(grassroots_submission("TP-XPL", report_type="agency_review"), tree, plan)) == ["not_obliged"]


def test_the_propaganda_plan_is_asked_only_of_the_agency_with_that_role(tree, plan):
    body = example_submission(unit_id="BTG", report_type="propaganda_plan", period=None)
    assert run(body, tree, plan, subject="review.submissions.submit.BTG").accepted


def test_an_unknown_unit_is_reported_and_its_targets_still_checked(tree, plan):
    body = grassroots_submission("TP-NEW")
    body["content"]["targets"][0]["code"] = "ZZZ"
    assert codes(run(body, tree, plan, subject="review.submissions.submit.TP.TP-NEW")) == [
        "unknown_unit", "unknown_target"]


def test_a_missing_required_section_is_a_schema_error_on_that_section(tree, plan):
    body = grassroots_submission("TP-XPL")
    body["content"]["leadership"] = ""
    verdict = run(body, tree, plan)
    assert [(p.code, p.field) for p in verdict.problems] == [("schema", "content.leadership")]


def test_a_submitter_is_kept_for_the_rejection_even_when_the_schema_fails(tree, plan):
    body = grassroots_submission("TP-XPL")
    body["content"]["targets"] = "many"
    verdict = run(body, tree, plan)
    assert verdict.facts.submitted_by.email == "vanphong.xaphuloc@example.vn"
    assert verdict.facts.submission_id == body["submission_id"]
