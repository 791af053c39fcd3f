"""The JetStream stream and the consumer policy, in one place.

One stream, `REVIEW`, holds every inbound message and every event (never the `review.query.*` and
`review.admin.*` request subjects, which are core request-reply). It keeps messages for the whole
campaign, so the audit can be read from it. Consumers are durable pull consumers that ack explicitly
after the write they cause, redeliver with a bounded count, and go to `review.dlq.<service>` after it.
"""

from __future__ import annotations

from datetime import timedelta

from faststream.nats import JStream
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, DiscardPolicy, StorageType, StreamConfig
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError

STREAM_NAME = "REVIEW"
STREAM_SUBJECTS = [
    "review.units.upsert",
    "review.units.rejected",
    "review.units.changed.>",
    "review.submissions.>",
    "review.deadlines.>",
    "review.obligations.>",
    "review.drafts.>",
    "review.notifications.>",
    "review.dlq.>",
    "review.catalog.register",
]
DUPLICATE_WINDOW = timedelta(minutes=2)
MAX_AGE = timedelta(days=730)  # a term is five years; the review campaign runs well inside two
MAX_MSG_SIZE = 1024 * 1024  # intake answers `too_large` above 256 KiB; the stream refuses above 1 MiB

# FastStream must not declare the stream itself (it would rewrite the subjects): `ensure_stream` does.
STREAM = JStream(STREAM_NAME, declare=False)


def stream_config(replicas: int = 1) -> StreamConfig:
    return StreamConfig(
        name=STREAM_NAME,
        subjects=STREAM_SUBJECTS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        max_age=MAX_AGE.total_seconds(),
        max_msg_size=MAX_MSG_SIZE,
        duplicate_window=DUPLICATE_WINDOW.total_seconds(),
        num_replicas=replicas,
    )


async def ensure_stream(js: JetStreamContext, replicas: int = 1) -> None:
    """Create the stream, or bring an existing one to this configuration (idempotent, safe to race)."""
    config = stream_config(replicas)
    try:
        await js.stream_info(STREAM_NAME)
    except NotFoundError:
        try:
            await js.add_stream(config)
            return
        except Exception:  # another service created it meanwhile: fall through to the update
            pass
    await js.update_stream(config)


def consumer_config(
    durable: str,
    filter_subject: str,
    *,
    max_deliver: int,
    ack_wait_seconds: float,
    max_ack_pending: int = 2000,
) -> ConsumerConfig:
    return ConsumerConfig(
        durable_name=durable,
        filter_subject=filter_subject,
        ack_policy=AckPolicy.EXPLICIT,
        deliver_policy=DeliverPolicy.ALL,
        ack_wait=ack_wait_seconds,
        max_deliver=max_deliver,
        max_ack_pending=max_ack_pending,
    )
