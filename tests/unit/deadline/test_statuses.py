"""The status of an obligation follows from its facts and the clock."""

from __future__ import annotations

from services.deadline.domain.obligations import Obligation, moved, with_accepted
from services.deadline.domain.obligations import status_of as status
from tests.unit.deadline.conftest import at

DUE = at("2023-05-15 00:00")


def owed() -> Obligation:
    return Obligation("CS017", "resolution_review", DUE, unit_name="Đảng bộ xã Tân Phú", path="HU03.CS017")


def test_an_obligation_is_pending_until_its_deadline():
    assert status(owed(), at("2023-05-14 23:59")) == "pending"


def test_an_obligation_is_overdue_from_the_deadline_instant_without_a_submission():
    assert status(owed(), DUE) == "overdue"


def test_a_first_version_on_time_makes_it_submitted():
    assert status(with_accepted(owed(), 1, "s1", on_time=True), at("2023-06-01 00:00")) == "submitted"


def test_a_first_version_after_the_deadline_makes_it_late():
    assert status(with_accepted(owed(), 1, "s1", on_time=False), at("2023-06-01 00:00")) == "late"


def test_a_later_version_changes_the_submission_but_not_whether_it_was_on_time():
    first = with_accepted(owed(), 1, "s1", on_time=True)
    second = with_accepted(first, 2, "s2", on_time=False)
    assert (second.submission_id, second.version, status(second, DUE)) == ("s2", 2, "submitted")


def test_an_older_version_redelivered_after_a_newer_one_keeps_the_newer_submission():
    newer = with_accepted(with_accepted(owed(), 1, "s1", True), 2, "s2", False)
    assert with_accepted(newer, 1, "s1", True).submission_id == "s2"


def test_an_exempt_obligation_is_never_overdue():
    exempt = Obligation("CS099", "resolution_review", DUE, exempt=True)
    assert status(exempt, at("2023-09-01 00:00")) == "exempt"


def test_a_removed_obligation_is_removed_whatever_else_is_true():
    removed = Obligation("CS017", "resolution_review", DUE, removed=True, submission_id="s1", on_time=True)
    assert status(removed, DUE) == "removed"


def returned(ob: Obligation, version: int = 1, resubmit_by: str = "2023-05-25 00:00") -> Obligation:
    return moved(ob, "return:d1", at(resubmit_by), returned_version=version)


def first_on_time() -> Obligation:
    return with_accepted(owed(), 1, "s1", True, at("2023-05-10 09:00"))


def test_a_returned_version_makes_the_obligation_returned_with_the_new_deadline_in_round_two():
    ob = returned(first_on_time())
    assert (status(ob, at("2023-05-20 00:00")), ob.due_at, ob.round) == ("returned", at("2023-05-25 00:00"), 2)


def test_a_returned_obligation_stays_returned_past_its_new_deadline_until_a_new_version():
    assert status(returned(first_on_time()), at("2023-06-30 00:00")) == "returned"


def test_a_new_version_before_the_new_deadline_makes_a_returned_obligation_submitted():
    ob = with_accepted(returned(first_on_time()), 2, "s2", False, at("2023-05-24 23:59"))
    assert status(ob, at("2023-06-01 00:00")) == "submitted"


def test_a_new_version_on_or_after_the_new_deadline_makes_a_returned_obligation_late():
    ob = with_accepted(returned(first_on_time()), 2, "s2", True, at("2023-05-25 00:00"))
    assert status(ob, at("2023-06-01 00:00")) == "late"


def test_a_late_first_version_returned_and_resubmitted_in_time_is_submitted():
    late = with_accepted(owed(), 1, "s1", False, at("2023-05-20 09:00"))
    ob = with_accepted(returned(late, resubmit_by="2023-05-30 00:00"), 2, "s2", False, at("2023-05-28 09:00"))
    assert status(ob, at("2023-06-01 00:00")) == "submitted"


def test_a_redelivered_returned_version_does_not_answer_the_return():
    ob = returned(with_accepted(first_on_time(), 2, "s2", True, at("2023-05-12 09:00")), version=2)
    assert status(with_accepted(ob, 1, "s1", True, at("2023-05-10 09:00")), DUE) == "returned"


def test_an_extended_overdue_obligation_is_pending_again_until_its_new_deadline():
    ob = moved(owed(), "extension:e1", at("2023-06-01 00:00"))
    assert (status(ob, at("2023-05-20 00:00")), status(ob, at("2023-06-01 00:00"))) == ("pending", "overdue")


def test_a_first_version_within_an_extension_is_submitted_whatever_intake_judged_by_the_plan():
    ob = with_accepted(moved(owed(), "extension:e1", at("2023-06-01 00:00")), 1, "s1", False, at("2023-05-20 09:00"))
    assert status(ob, at("2023-06-02 00:00")) == "submitted"


def test_the_latest_versions_evidence_is_kept():
    ob = with_accepted(owed(), 1, "s1", True, DUE, {"conference.held_on": "2023-06-20"})
    ob = with_accepted(ob, 2, "s2", True, DUE, {"conference.held_on": "2023-06-22"})
    assert with_accepted(ob, 1, "s1", True, DUE, {"conference.held_on": "2023-06-20"}).evidence_of(
        "conference.held_on") == "2023-06-22"
