"""The MongoDB connection, through mongomotor (pymongo's AsyncMongoClient underneath).

The stand-in `nx-27017` answers `buildinfo` without `versionArray`, which mongomotor reads at connect:
the version is then parsed from the `version` string instead.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import mongomotor
from mongoengine import connection as me_connection
from mongomotor import connection as mm_connection
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
    mongomotor.connect(
        host=uri,
        db=database_name(uri),
        alias=alias,
        serverSelectionTimeoutMS=5000,
        connectTimeoutMS=5000,
        tz_aware=True,
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
