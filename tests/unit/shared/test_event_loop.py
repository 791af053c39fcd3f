"""The services' event loop: uvloop by default, the standard loop when MIDTERM_EVENT_LOOP=asyncio."""

from __future__ import annotations

import asyncio

import pytest
import uvloop
from pydantic import ValidationError

from shared.service import loop_factory
from shared.settings import Settings


def test_services_run_on_uvloop_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MIDTERM_EVENT_LOOP", raising=False)
    factory = loop_factory(Settings().event_loop)
    assert factory is not None
    loop = factory()
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()


def test_the_standard_loop_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIDTERM_EVENT_LOOP", "asyncio")
    assert loop_factory(Settings().event_loop) is None  # asyncio.Runner's default: the standard loop
    with asyncio.Runner(loop_factory=loop_factory("asyncio")) as runner:
        assert not isinstance(runner.get_loop(), uvloop.Loop)


def test_an_unknown_loop_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIDTERM_EVENT_LOOP", "trio")
    with pytest.raises(ValidationError):
        Settings()
