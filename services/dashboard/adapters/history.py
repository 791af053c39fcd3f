"""Reading events back from the stream `REVIEW` with a short-lived consumer (no durable state of our own).

The consumer is ephemeral, in memory, acks nothing and is deleted after the read (or by the server after
`inactive_threshold` if we are cut off mid-read).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence

from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from services.dashboard.adapters.bus import Bus, Unavailable
from services.dashboard.domain.unit import StreamEvent
from shared.streams import STREAM_NAME

BATCH = 512


async def read(bus: Bus, filters: Sequence[str], *, last_per_subject: bool = False, start_seq: int | None = None,
               limit: int = 200_000, timeout: float = 5.0) -> list[StreamEvent]:
    nc = bus.client()
    js = nc.jetstream(timeout=timeout)
    name = f"dashboard-{uuid.uuid4().hex[:16]}"
    many = len(filters) > 1
    policy = DeliverPolicy.ALL
    if last_per_subject:
        policy = DeliverPolicy.LAST_PER_SUBJECT
    elif start_seq and start_seq > 1:
        policy = DeliverPolicy.BY_START_SEQUENCE
    config = ConsumerConfig(
        name=name,
        filter_subject=None if many else filters[0],
        filter_subjects=list(filters) if many else None,
        deliver_policy=policy,
        opt_start_seq=start_seq if policy == DeliverPolicy.BY_START_SEQUENCE else None,
        ack_policy=AckPolicy.NONE,
        inactive_threshold=30.0,
        mem_storage=True,
        num_replicas=1,
    )
    try:
        info = await js.add_consumer(STREAM_NAME, config)
    except NotFoundError:
        return []  # no stream yet: nothing happened yet
    except Exception as exc:  # noqa: BLE001 - timeouts and a dropped connection
        raise Unavailable("timeout") from exc
    events: list[StreamEvent] = []
    try:
        pending = info.num_pending or 0
        if pending:
            sub = await js.pull_subscribe_bind(name, stream=STREAM_NAME)
            try:
                while pending > 0 and len(events) < limit:
                    for msg in await sub.fetch(batch=min(BATCH, pending), timeout=timeout):
                        events.append(_event(msg))
                        pending = msg.metadata.num_pending
            finally:
                await sub.unsubscribe()
    except Unavailable:
        raise
    except Exception as exc:  # noqa: BLE001
        raise Unavailable("timeout") from exc
    finally:
        try:
            await js.delete_consumer(STREAM_NAME, name)
        except Exception:  # noqa: BLE001 - it expires by itself
            pass
    return events


def _event(msg) -> StreamEvent:  # noqa: ANN001 - a nats-py JetStream message
    try:
        data = json.loads(msg.data)
    except ValueError:
        data = {}
    meta = msg.metadata
    return StreamEvent(msg.subject, data if isinstance(data, dict) else {}, meta.timestamp, meta.sequence.stream)
