"""Re-exported from devstack (shared with `make run` and the benchmarks)."""

from devstack.nats import *  # noqa: F403
