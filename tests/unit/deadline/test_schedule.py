"""When reminders, the overdue notice and escalations are owed (plan: reminders P7D, P1D; escalations
P3D, P7D; grassroots due 15/5/2023 00:00)."""

from __future__ import annotations

from dataclasses import replace

from services.deadline.domain.obligations import Obligation
from services.deadline.domain.schedule import NEVER, epoch_ms, next_check, owed
from tests.unit.deadline.conftest import at

DUE = at("2023-05-15 00:00")
OB = Obligation("CS017", "resolution_review", DUE, path="HU03.CS017")


def keys(plan, ob, now) -> list[str]:
    return sorted(e.key for e in owed(ob, plan, now))


def test_nothing_is_owed_before_the_first_reminder_moment(plan):
    assert keys(plan, OB, at("2023-05-07 23:59")) == []


def test_the_seven_day_reminder_is_owed_from_its_moment(plan):
    assert keys(plan, OB, at("2023-05-08 00:00")) == ["reminder:CS017:resolution_review:P7D"]


def test_both_reminders_are_owed_when_both_moments_passed_before_the_deadline(plan):
    assert keys(plan, OB, at("2023-05-14 12:00")) == ["reminder:CS017:resolution_review:P1D",
                                                      "reminder:CS017:resolution_review:P7D"]


def test_no_reminder_is_owed_once_the_deadline_has_passed(plan):
    assert keys(plan, OB, DUE) == ["overdue:CS017:resolution_review"]


def test_a_published_key_is_not_owed_again(plan):
    sent = replace(OB, sent=frozenset({"reminder:CS017:resolution_review:P7D"}))
    assert keys(plan, sent, at("2023-05-14 00:00")) == ["reminder:CS017:resolution_review:P1D"]


def test_escalation_levels_follow_the_deadline_by_each_escalate_after(plan):
    sent = replace(OB, sent=frozenset({"overdue:CS017:resolution_review"}))
    assert keys(plan, sent, at("2023-05-17 23:59")) == []
    assert keys(plan, sent, at("2023-05-18 00:00")) == ["escalated:CS017:resolution_review:1"]
    assert keys(plan, sent, at("2023-05-22 00:00")) == ["escalated:CS017:resolution_review:1",
                                                        "escalated:CS017:resolution_review:2"]


def test_a_submitted_obligation_owes_nothing(plan):
    submitted = replace(OB, submission_id="s1", version=1, first_version=1, on_time=False)
    assert keys(plan, submitted, at("2023-06-01 00:00")) == []
    assert next_check(submitted, plan) == NEVER


def test_an_exempt_obligation_owes_nothing(plan):
    assert keys(plan, replace(OB, exempt=True), at("2023-06-01 00:00")) == []


def test_a_second_round_suffixes_every_key(plan):
    assert keys(plan, replace(OB, round=2), DUE) == ["overdue:CS017:resolution_review:2"]


def test_a_new_obligation_is_checked_at_its_first_reminder_moment(plan):
    assert next_check(OB, plan) == epoch_ms(at("2023-05-08 00:00"))


def test_after_a_sweep_the_next_check_is_the_next_moment_still_unpublished(plan):
    assert next_check(OB, plan, after=at("2023-05-08 00:00")) == epoch_ms(at("2023-05-14 00:00"))
    assert next_check(OB, plan, after=at("2023-05-22 00:00")) == NEVER
