"""The status of an obligation follows from its facts and the clock."""

from __future__ import annotations

from services.deadline.domain.obligations import Obligation, with_accepted
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
