from datetime import datetime, timedelta

from services.notifier.domain.digest import digest_key, on_tick, on_update
from shared.clock import VIETNAM

HOUR = timedelta(hours=1)
T0 = datetime(2023, 7, 20, 9, 0, tzinfo=VIETNAM)


def test_the_first_update_of_a_scope_is_mailed_at_once():
    step = on_update(None, "TP", 1, T0, T0, HOUR)
    assert step.mail_version == 1
    assert digest_key("TP", 1) == "digest:TP:1"


def test_updates_inside_the_hour_wait_and_the_latest_is_mailed_when_the_hour_ends():
    state = on_update(None, "TP", 1, T0, T0, HOUR).state
    second = on_update(state, "TP", 2, T0, T0 + timedelta(minutes=10), HOUR)
    third = on_update(second.state, "TP", 3, T0, T0 + timedelta(minutes=20), HOUR)
    assert second.mail_version is None and third.mail_version is None
    assert on_tick(third.state, T0 + timedelta(minutes=59), HOUR).mail_version is None
    flushed = on_tick(third.state, T0 + HOUR, HOUR)
    assert flushed.mail_version == 3
    assert flushed.state.window_start == T0 + HOUR and flushed.state.waiting_version is None


def test_a_redelivered_update_rewrites_the_same_digest_instead_of_a_new_one():
    state = on_update(None, "TP", 4, T0, T0, HOUR).state
    again = on_update(state, "TP", 4, T0, T0 + timedelta(minutes=5), HOUR)
    assert again.mail_version == 4 and again.state == state


def test_an_older_version_arriving_late_is_never_mailed():
    state = on_update(None, "TP", 5, T0, T0, HOUR).state
    assert on_update(state, "TP", 4, T0, T0 + 2 * HOUR, HOUR).mail_version is None


def test_an_update_after_a_quiet_hour_is_mailed_at_once_and_opens_a_new_window():
    state = on_update(None, "TP", 1, T0, T0, HOUR).state
    later = on_update(state, "TP", 2, T0, T0 + 2 * HOUR, HOUR)
    assert later.mail_version == 2 and later.state.window_start == T0 + 2 * HOUR


def test_a_zero_window_mails_every_new_version():
    state = on_update(None, "TP", 1, T0, T0, timedelta(0)).state
    assert on_update(state, "TP", 2, T0, T0, timedelta(0)).mail_version == 2
