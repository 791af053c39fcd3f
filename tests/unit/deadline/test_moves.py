"""Which extensions are refused, and the deadline a return sets."""

from __future__ import annotations

from services.deadline.domain.moves import refuse_extension, resubmit_deadline
from services.deadline.domain.obligations import Obligation, moved, with_accepted
from tests.unit.deadline.conftest import at

DUE = at("2023-05-15 00:00")
OB = Obligation("CS017", "resolution_review", DUE, path="HU03.CS017")


def code(ob, due: str, path: str = "HU03.CS017") -> str | None:
    refusal = refuse_extension(ob, at(due), path)
    return refusal.code if refusal else None


def test_a_later_deadline_for_an_owed_obligation_is_allowed():
    assert code(OB, "2023-05-15 00:01") is None


def test_a_deadline_equal_to_the_current_one_is_not_later():
    assert code(OB, "2023-05-15 00:00") == "not_later"


def test_an_earlier_deadline_is_not_later():
    assert code(OB, "2023-05-01 00:00") == "not_later"


def test_the_current_deadline_is_the_moved_one_not_the_plans():
    assert code(moved(OB, "extension:e1", at("2023-06-01 00:00")), "2023-05-20 00:00") == "not_later"


def test_an_obligation_that_does_not_exist_or_was_removed_is_unknown():
    assert code(None, "2023-06-01 00:00") == "unknown_obligation"
    assert code(Obligation("CS017", "resolution_review", DUE, removed=True), "2023-06-01 00:00") == "unknown_obligation"


def test_an_extension_sent_on_another_units_subject_is_a_subject_mismatch():
    assert code(OB, "2023-06-01 00:00", path="HU05.CS099") == "subject_mismatch"


def test_an_answered_obligation_has_no_deadline_left_to_extend():
    assert code(with_accepted(OB, 1, "s1", False, at("2023-05-20 00:00")), "2023-06-01 00:00") == "already_submitted"


def test_a_returned_obligation_can_be_given_more_time():
    ob = moved(with_accepted(OB, 1, "s1", True, at("2023-05-10 00:00")), "return:d1", at("2023-05-25 00:00"),
               returned_version=1)
    assert code(ob, "2023-06-01 00:00") is None


def test_a_return_without_a_date_is_due_seven_days_after_the_decision():
    assert resubmit_deadline(at("2023-05-16 10:30"), None) == at("2023-05-23 10:30")
    assert resubmit_deadline(at("2023-05-16 10:30"), at("2023-05-20 00:00")) == at("2023-05-20 00:00")
