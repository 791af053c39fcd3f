"""Fixtures of the notifier's integration tests: a database per test, a unique token per test (unit ids, emails,
durable-consumer suffix) because NATS, its REVIEW stream and the SMTP sink are shared by the whole session."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from shared import db as shared_db


@pytest.fixture
def token() -> str:
    return uuid.uuid4().hex[:8]


@pytest_asyncio.fixture
async def database(mongo_uri: str) -> AsyncIterator[Any]:
    alias = f"nt-{uuid.uuid4().hex[:8]}"
    yield shared_db.connect(mongo_uri, alias=alias)
    await shared_db.close(alias)


@pytest.fixture
def notifier_env(token: str) -> dict[str, str]:
    return {
        "MIDTERM_CONSUMER_SUFFIX": f"-{token}",
        "MIDTERM_OFFICE_EMAIL": f"vanphong-{token}@tinhuy.example.vn",
        "MIDTERM_EDITORIAL_EMAILS": f"bientap1-{token}@tinhuy.example.vn,bientap2-{token}@tinhuy.example.vn",
        "MIDTERM_NOW": "2023-05-18T09:00:00+07:00",
    }
