"""A tiny health probe for containers: exit 0 when the service answers review.query.health.<service>."""

from __future__ import annotations

import asyncio
import json
import os
import sys

import nats


async def probe(service: str, url: str, timeout: float = 3.0) -> bool:
    try:
        nc = await nats.connect(url, connect_timeout=timeout, max_reconnect_attempts=0, allow_reconnect=False)
    except Exception:
        return False
    try:
        reply = await nc.request(f"review.query.health.{service}", b"{}", timeout=timeout)
        return json.loads(reply.data).get("status") == "ok"
    except Exception:
        return False
    finally:
        await nc.close()


def main() -> None:
    service = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("MIDTERM_SERVICE", "intake")
    ok = asyncio.run(probe(service, os.environ.get("NATS_URL", "nats://127.0.0.1:4222")))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
