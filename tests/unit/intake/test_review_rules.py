"""Which review decision may follow which (CONTRACT section 10; the table is in domain/review.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.intake.domain.review import Standing, State, is_locked, judge, resubmit_deadline, standings
from shared.clock import VIETNAM
from shared.contract.office import DecisionKind

ACCEPT, RETURN, REOPEN = DecisionKind.accept, DecisionKind.return_, DecisionKind.reopen
NOW = datetime(2023, 5, 20, 9, tzinfo=VIETNAM)


def test_accepting_the_latest_undecided_version_locks_the_obligation():
    ruling = judge(ACCEPT, 2, 2, None)
    assert ruling.standing == Standing(2, State.LOCKED, 1) and ruling.code is None


def test_returning_the_latest_undecided_version_returns_it():
    assert judge(RETURN, 1, 1, None).standing == Standing(1, State.RETURNED, 1)


def test_a_decision_on_an_older_version_is_not_latest():
    ruling = judge(ACCEPT, 1, 2, None)
    assert ruling.code == "not_latest" and ruling.params == {"version": 1, "latest": 2}


@pytest.mark.parametrize("kind", [ACCEPT, RETURN, REOPEN])
def test_a_returned_version_takes_no_decision_until_a_new_version_comes(kind):
    assert judge(kind, 1, 1, Standing(1, State.RETURNED, 1)).code == "invalid_transition"


def test_a_new_version_after_a_return_awaits_review_again():
    returned = Standing(1, State.RETURNED, 1)
    assert judge(ACCEPT, 2, 2, returned).standing == Standing(2, State.LOCKED, 2)


@pytest.mark.parametrize("kind", [ACCEPT, RETURN])
def test_an_accepted_version_can_be_neither_accepted_nor_returned_again(kind):
    ruling = judge(kind, 1, 1, Standing(1, State.LOCKED, 1))
    assert ruling.code == "invalid_transition" and ruling.params["state"] == "locked"


def test_a_reopen_unlocks_an_accepted_version():
    assert judge(REOPEN, 1, 1, Standing(1, State.LOCKED, 3)).standing == Standing(1, State.OPEN, 4)


def test_a_reopen_of_a_version_never_accepted_is_refused():
    assert judge(REOPEN, 1, 1, None).code == "invalid_transition"


def test_only_an_accept_not_yet_reopened_locks():
    assert is_locked(Standing(2, State.LOCKED, 1), 2)
    assert not is_locked(Standing(2, State.OPEN, 2), 2)
    assert not is_locked(None, 2)


def test_the_standing_of_an_obligation_is_its_last_decision():
    docs = [{"obligation": "A:r", "version": 1, "state": "locked", "seq": 1},
            {"obligation": "A:r", "version": 1, "state": "open", "seq": 2},
            {"obligation": "B:r", "version": 3, "state": "returned", "seq": 1}]
    assert standings(list(reversed(docs))) == {"A:r": Standing(1, State.OPEN, 2), "B:r": Standing(3, State.RETURNED, 1)}


def test_a_return_without_a_date_gives_seven_days_from_the_decision():
    assert resubmit_deadline(RETURN, None, NOW, timedelta(days=7)) == (NOW + timedelta(days=7), None)


def test_a_return_keeps_the_date_the_reviewer_gives():
    later = NOW + timedelta(days=3)
    assert resubmit_deadline(RETURN, later, NOW, timedelta(days=7)) == (later, None)


def test_a_resubmission_date_not_after_the_decision_is_refused():
    assert resubmit_deadline(RETURN, NOW, NOW, timedelta(days=7))[1] == "resubmit_not_after"


def test_a_resubmission_date_on_an_accept_is_refused():
    assert resubmit_deadline(ACCEPT, NOW + timedelta(days=1), NOW, timedelta(days=7))[1] == "resubmit_only_for_return"
