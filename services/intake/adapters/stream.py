"""Reading the stream `REVIEW` back (the audit's only source): an ephemeral, in-memory consumer that acks
nothing, filtered on a few subjects, deleted after the read (or by the server after `inactive_threshold`)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError

from services.intake.domain.audit import Record
from shared.streams import STREAM_NAME

BATCH = 512


@dataclass(frozen=True)
class Read:
    records: list[Record]
    complete: bool  # False: `max_msgs` stopped the read before the end


async def read(js: JetStreamContext, filters: Sequence[str], *, start_seq: int = 1, max_msgs: int = 50_000,
               timeout: float = 5.0) -> Read:
    name = f"intake-audit-{uuid.uuid4().hex[:16]}"
    many = len(filters) > 1
    by_seq = start_seq > 1
    config = ConsumerConfig(
        name=name,
        filter_subject=None if many else filters[0],
        filter_subjects=list(filters) if many else None,
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE if by_seq else DeliverPolicy.ALL,
        opt_start_seq=start_seq if by_seq else None,
        ack_policy=AckPolicy.NONE,
        inactive_threshold=30.0,
        mem_storage=True,
        num_replicas=1,
    )
    try:
        info = await js.add_consumer(STREAM_NAME, config, timeout=timeout)
    except NotFoundError:
        return Read([], True)
    records: list[Record] = []
    pending = info.num_pending or 0
    try:
        if pending:
            sub = await js.pull_subscribe_bind(name, stream=STREAM_NAME)
            try:
                while pending > 0 and len(records) < max_msgs:
                    for msg in await sub.fetch(batch=min(BATCH, pending, max_msgs - len(records)),
                                               timeout=timeout):
                        records.append(_record(msg))
                        pending = msg.metadata.num_pending
            finally:
                await sub.unsubscribe()
    finally:
        try:
            await js.delete_consumer(STREAM_NAME, name)
        except Exception:  # it expires by itself after inactive_threshold
            pass
    return Read(records, pending <= 0)


def _record(msg: Any) -> Record:
    try:
        data = json.loads(msg.data)
    except ValueError:
        data = {}
    meta = msg.metadata
    return Record(meta.sequence.stream, msg.subject, data if isinstance(data, dict) else {}, meta.timestamp)
