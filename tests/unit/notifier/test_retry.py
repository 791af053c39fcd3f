from services.notifier.domain.retry import Action, Outcome, Result, decide
from shared.settings import Settings

DELAY = Settings(MIDTERM_RETRY_SECONDS=30).retry_delay


def test_a_4xx_reply_is_retried_after_the_doubling_back_off():
    outcome = Outcome.of_reply(451, "try later")
    assert outcome.result is Result.transient
    assert [decide(outcome, n, 8, DELAY).delay for n in (1, 2, 3)] == [30, 60, 120]
    assert decide(outcome, 1, 8, DELAY).action is Action.retry


def test_an_unreachable_relay_is_a_passing_failure():
    assert decide(Outcome.unreachable("ConnectionRefusedError"), 1, 8, DELAY).action is Action.retry


def test_a_5xx_reply_fails_at_once_with_its_reason():
    decision = decide(Outcome.of_reply(550, "mailbox unavailable"), 1, 8, DELAY)
    assert decision.action is Action.fail
    assert decision.reason == "550 mailbox unavailable"


def test_a_passing_failure_fails_for_good_once_the_attempts_are_used_up():
    decision = decide(Outcome.of_reply(421, "busy"), 8, 8, DELAY)
    assert decision.action is Action.fail
    assert "8 attempts" in decision.reason


def test_the_back_off_never_exceeds_ten_minutes():
    assert decide(Outcome.unreachable("down"), 7, 20, DELAY).delay == 600
