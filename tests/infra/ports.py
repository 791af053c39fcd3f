"""Re-exported from devstack (shared with `make run` and the benchmarks)."""

from devstack.ports import *  # noqa: F403
