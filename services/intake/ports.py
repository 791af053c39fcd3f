"""What the use cases need from the outside world; the real adapters are in adapters/, fakes in the tests."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from shared.messaging import Event


class EventPublisher(Protocol):
    async def publish(self, event: Event) -> None: ...

    async def publish_many(self, events: Iterable[Event]) -> int: ...


class SubmissionStore(Protocol):
    async def summaries(self) -> list[dict[str, Any]]: ...

    async def by_ids(self, ids: list[str]) -> dict[str, dict[str, Any]]: ...

    async def versions(self, obligations: list[str]) -> dict[str, list[dict[str, Any]]]: ...

    async def insert(self, docs: list[dict[str, Any]]) -> dict[int, str]: ...

    async def mark_published(self, ids: list[str]) -> None: ...


class CatalogStore(Protocol):
    async def add_many(self, docs: list[dict[str, Any]]) -> None: ...

    async def put(self, doc: dict[str, Any]) -> None: ...
