"""The deadline service's wiring (no broker started): what its subscribers are built with."""

from __future__ import annotations

from services.deadline.app import QUERY_WORKERS, wire
from shared import subjects
from shared.service import build_runtime
from shared.settings import Settings


def test_the_queries_are_answered_many_at_once_and_the_clock_one_at_a_time():
    """A compiler round asks ~700 districts' milestones together: answered one at a time, each waited behind the
    others' database round trips, past the compiler's timeout."""
    rt = build_runtime("deadline", Settings(LOG_LEVEL="WARNING"))
    wire(rt)
    workers = {s.subject.broker_address: getattr(s, "max_workers", 1) for s in rt.broker.subscribers}
    assert QUERY_WORKERS > 1
    assert workers[subjects.QUERY_MILESTONES] == QUERY_WORKERS
    assert workers[subjects.QUERY_STATUS] == QUERY_WORKERS
    assert workers["review.admin.deadline.clock"] == 1
