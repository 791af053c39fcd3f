"""Re-exported from devstack (shared with `make run` and the benchmarks)."""

from devstack.mongo import *  # noqa: F403
