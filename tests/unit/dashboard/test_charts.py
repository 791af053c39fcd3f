import pytest

from services.dashboard.domain.charts import stacked


def test_segments_are_proportional_to_the_counts_in_the_legend_order():
    bar = stacked("TP", {"pending": 2, "submitted": 1, "overdue": 1})
    assert [(s.status, s.count) for s in bar.segments] == [("submitted", 1), ("overdue", 1), ("pending", 2)]
    assert [s.x for s in bar.segments] == [0, 25, 50]
    assert [s.width for s in bar.segments] == [25, 25, 50]
    assert bar.total == 4


def test_the_last_segment_ends_exactly_at_the_full_width():
    bar = stacked("BM", {"submitted": 1, "late": 1, "overdue": 1})
    last = bar.segments[-1]
    assert last.x + last.width == pytest.approx(100.0)
    assert sum(s.width for s in bar.segments) == pytest.approx(100.0)


def test_an_empty_group_draws_no_segment():
    bar = stacked("SH", {})
    assert bar.total == 0 and bar.segments == ()


def test_statuses_outside_the_order_are_left_out():
    assert [s.status for s in stacked("x", {"removed": 3, "late": 1}).segments] == ["late"]
