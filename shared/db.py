"""The MongoDB connection, through mongomotor (pymongo's AsyncMongoClient underneath).

The stand-in `nx-27017` answers `buildinfo` without `versionArray`, which mongomotor reads at connect:
the version is then parsed from the `version` string instead.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter
from typing import Any
from urllib.parse import urlparse

import mongomotor
from mongoengine import connection as me_connection
from mongomotor import connection as mm_connection
from pymongo import monitoring
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import AutoReconnect, ConnectionFailure, NetworkTimeout, ServerSelectionTimeoutError

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    AutoReconnect,
    ConnectionFailure,
    NetworkTimeout,
    ServerSelectionTimeoutError,
    ConnectionError,
    TimeoutError,
)


def _server_version(alias: str = me_connection.DEFAULT_CONNECTION_NAME) -> tuple[int, ...]:
    info = me_connection.get_connection(alias).server_info()
    numbers = info.get("versionArray")
    if not numbers:
        numbers = [int(p) for p in str(info.get("version", "0.0")).split(".") if p.isdigit()] or [0, 0]
    return tuple(int(n) for n in numbers[:2])


mm_connection.get_mongodb_version = _server_version  # type: ignore[assignment]


def database_name(uri: str) -> str:
    name = urlparse(uri).path.lstrip("/").split("?")[0]
    return name or "midterm"


def connect(uri: str, alias: str = me_connection.DEFAULT_CONNECTION_NAME) -> AsyncDatabase[Any]:
    """Connect and return the database named by the URI's path. Connects nothing at import time."""
    trace = os.environ.get("MIDTERM_DB_TRACE")
    mongomotor.connect(
        host=uri,
        db=database_name(uri),
        alias=alias,
        serverSelectionTimeoutMS=5000,
        connectTimeoutMS=5000,
        tz_aware=True,
        **({"event_listeners": [CommandTrace.writing_to(trace)]} if trace else {}),
    )
    db: AsyncDatabase[Any] = me_connection.get_db(alias)
    return db


async def close(alias: str = me_connection.DEFAULT_CONNECTION_NAME) -> None:
    """Close the client first: mongomotor.disconnect() raises inside a running loop otherwise."""
    client = me_connection._connections.pop(alias, None)
    if client is not None:
        await client.close()
    sync_alias = mm_connection.utils.get_sync_alias(alias)
    sync_client = me_connection._connections.pop(sync_alias, None)
    if sync_client is not None:
        sync_client.close()
    for name in (alias, sync_alias):
        me_connection._dbs.pop(name, None)
        me_connection._connection_settings.pop(name, None)


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, TRANSIENT_ERRORS)


class CommandTrace(monitoring.CommandListener):
    """Opt-in (`MIDTERM_DB_TRACE=<file prefix>`, for benchmarks): per command and collection, how many commands,
    documents and milliseconds of round trip this process spent; written to `<prefix>.<pid>.json` every second,
    cumulative, so a benchmark reads where the database's work came from between two moments."""

    WRITES = {"insert": "documents", "update": "updates", "delete": "deletes"}

    def __init__(self, path: str) -> None:
        self.path = path
        self.counts: Counter[str] = Counter()
        self._started: dict[int, str] = {}
        self._lock = threading.Lock()

    @classmethod
    def writing_to(cls, prefix: str) -> CommandTrace:
        trace = cls(f"{prefix}.{os.getpid()}.json")
        threading.Thread(target=trace._dump_every_second, daemon=True, name="db-trace").start()
        return trace

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        name = event.command_name
        collection = event.command.get(name) if name != "getMore" else event.command.get("collection")
        key = f"{name} {collection if isinstance(collection, str) else ''}".strip()
        docs = len(event.command.get(self.WRITES.get(name, ""), ()) or ())
        with self._lock:
            self._started[event.request_id] = key
            self.counts[f"{key} | n"] += 1
            self.counts[f"{key} | docs"] += docs

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._done(event.request_id, event.duration_micros)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._done(event.request_id, event.duration_micros)

    def _done(self, request_id: int, micros: int) -> None:
        with self._lock:
            key = self._started.pop(request_id, None)
            if key is not None:
                self.counts[f"{key} | ms"] += micros // 1000

    def _dump_every_second(self) -> None:
        while True:
            time.sleep(1.0)
            with self._lock:
                data = json.dumps(dict(self.counts))
            tmp = f"{self.path}.tmp"
            with open(tmp, "w") as handle:
                handle.write(data)
            os.replace(tmp, self.path)
