"""Milestone evidence and the report's name on the accepted event (CONTRACT section 10)."""

from __future__ import annotations

from services.intake.domain.evidence import evidence


def test_a_conference_result_gives_the_day_the_conference_was_held(plan):
    submission = {"content": {"conference": {"held_on": "2023-06-20", "attendees": 150}}}
    assert evidence(plan, "conference_result", submission) == {"conference.held_on": "2023-06-20"}


def test_a_report_no_milestone_names_gives_no_evidence(plan):
    assert evidence(plan, "resolution_review", {"content": {"leadership": "…"}}) is None


def test_an_empty_evidence_field_is_left_out(plan):
    assert evidence(plan, "conference_result", {"content": {}}) == {}
