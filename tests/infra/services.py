"""Re-exported from devstack (shared with `make run` and the benchmarks)."""

from devstack.services import *  # noqa: F403
