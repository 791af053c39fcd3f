"""The draft query's additions: a part at a time, and a clear `too_large` instead of a reply that cannot be sent."""

from __future__ import annotations

import json
from types import SimpleNamespace

from services.compiler.domain.model import UnitInfo
from services.compiler.domain.tree import Tree
from services.compiler.queries import DraftQueries

DRAFT = {"scope": "TU", "version": 3, "updated_at": "2023-05-20T08:00:00+07:00", "coverage": {"expected": 2},
         "sections": {"leadership": [{"unit_id": "TP", "text": "Lãnh đạo, chỉ đạo " * 40}]}, "sources": []}


def queries(max_bytes: int | None) -> DraftQueries:
    tree = Tree([UnitInfo("TU", "Tỉnh ủy", "province"), UnitInfo("TP", "Huyện ủy", "district", "TU", "TP")])
    compiler = SimpleNamespace(tree=lambda: tree)

    class Store:
        async def latest(self, scope):
            return {"version": 3, "draft": DRAFT} if scope == "TU" else None

    return DraftQueries(compiler, Store(), context=None, max_bytes=max_bytes)  # type: ignore[arg-type]


def body(reply) -> dict:
    return json.loads(reply) if isinstance(reply, bytes) else reply


async def test_parts_give_the_header_and_the_parts_asked_for():
    reply = body(await queries(None).draft({"scope": "TU", "parts": ["coverage"]}))
    assert reply == {"scope": "TU", "version": 3, "updated_at": DRAFT["updated_at"], "coverage": {"expected": 2}}


async def test_an_unknown_part_is_a_schema_error():
    assert body(await queries(None).draft({"scope": "TU", "parts": ["nothing"]}))["error"]["code"] == "schema"


async def test_a_draft_larger_than_one_message_is_refused_with_the_way_to_ask_for_it():
    small = queries(max_bytes=500)
    error = body(await small.draft({"scope": "TU"}))["error"]
    assert error["code"] == "too_large" and "parts" in error["message"]
    assert body(await small.draft({"scope": "TU", "parts": ["coverage"]}))["coverage"] == {"expected": 2}


async def test_the_reply_is_utf8_as_it_is():
    reply = await queries(None).draft({"scope": "TU"})
    assert isinstance(reply, bytes) and "Lãnh đạo".encode() in reply
