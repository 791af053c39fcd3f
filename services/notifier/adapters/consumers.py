"""The shared consumer policy, with two local knobs the notifier's tests need (see the report to the lead):

- `MIDTERM_CONSUMER_SUFFIX`: appended to every durable name, so a notifier started against a NATS server shared
  with earlier runs gets its own consumers instead of resuming theirs;
- `MIDTERM_CONSUMER_DELIVER=new`: a consumer created now starts at the stream's end instead of replaying the
  whole campaign (an existing durable resumes where it stopped either way, so restarts lose nothing).

Production leaves both unset: the durable names and the policy are exactly those of `shared.messaging`.
"""

from __future__ import annotations

import os
from typing import Any

from faststream import AckPolicy
from faststream.nats import NatsMessage, PullSub
from nats.js.api import DeliverPolicy

from shared.messaging import Consumers, Handler
from shared.streams import STREAM, consumer_config


class NotifierConsumers(Consumers):
    def __init__(self, *args: Any, suffix: str | None = None, deliver: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.suffix = os.environ.get("MIDTERM_CONSUMER_SUFFIX", "") if suffix is None else suffix
        deliver = os.environ.get("MIDTERM_CONSUMER_DELIVER", "all") if deliver is None else deliver
        self.deliver_new = deliver.lower() == "new"

    def consume(self, subject: str, durable: str, handler: Handler, *, max_workers: int = 1,
                batch_size: int = 16, description: str | None = None) -> Any:
        durable = f"{durable}{self.suffix}"
        config = consumer_config(
            durable, subject, max_deliver=self.settings.max_deliver,
            ack_wait_seconds=self.settings.ack_wait_seconds,
            max_ack_pending=max(1000, max_workers * batch_size * 4),
        )
        if self.deliver_new:
            config.deliver_policy = DeliverPolicy.NEW
        options: dict[str, Any] = {"max_workers": max_workers} if max_workers > 1 else {}
        subscriber = self.broker.subscriber(
            subject, stream=STREAM, durable=durable, config=config,
            pull_sub=PullSub(batch_size=batch_size, timeout=1.0), ack_policy=AckPolicy.MANUAL,
            description=description, **options,
        )

        async def on_message(msg: NatsMessage) -> None:  # the annotation makes FastStream pass the message
            await self.guard(msg, handler)

        on_message.__name__ = f"on_{durable.replace('-', '_')}"
        return subscriber(on_message)
