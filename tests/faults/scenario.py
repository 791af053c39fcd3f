"""The campaign every fault test plays, with a fault injected into its burst or its deadline storm, and the
checks every fault test ends with (the oracles of tests/faults/province.py against what the platform holds).

The campaign: the registry arrives; a sweep at T1 sends the P7D reminders; a burst of submissions (and two
invalid ones) follows; a sweep at T2 sends the P1D reminders; the storm at T3 sends the overdue notices and the
first escalations. The burst's last few messages (`late`) are published by the fault while it is on.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from cli.campaign import Outgoing
from tests.faults.platform import Platform
from tests.faults.province import T1, T2, T3, Burst, Oracle, burst, draft_view, registry, same_draft
from tests.infra.wait import eventually

Publish = Callable[[], Awaitable[None]]
Strike = Callable[[Publish], Awaitable[None]]
# A fault is armed before its phase starts (subscriptions, counters) and returns the strike, which runs while
# the phase runs and publishes the `late` messages itself, while the fault is on.
Fault = Callable[[Platform, "Run"], Awaitable[Strike]]


def rng() -> random.Random:
    """Random moments, reproducible: MIDTERM_FAULT_SEED=<n> replays a run (the seed is printed)."""
    seed = int(os.environ.get("MIDTERM_FAULT_SEED") or random.randrange(1_000_000))
    print(f"[faults] MIDTERM_FAULT_SEED={seed}")
    return random.Random(seed)


@dataclass
class Run:
    units: list[dict[str, Any]]
    burst: Burst
    oracle: Oracle
    late: list[Outgoing] = field(default_factory=list)
    forged: set[str] = field(default_factory=set)  # poison: ids of events no service published
    sweep_errors: list[str] = field(default_factory=list)


def new_run() -> Run:
    units = registry()
    return Run(units, burst(units), Oracle(units))


async def send(p: Platform, items: list[Outgoing], timeout: float = 60) -> list[Any]:
    """Publish like a provincial system: each until the stream acks it (the broker may be restarting)."""
    gate = asyncio.Semaphore(32)

    async def one(item: Outgoing) -> Any:
        async with gate:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    # a short time-out: an ack lost to a broker restart is retried, the msg id dedups it
                    return await p.publish(item.subject, item.body, item.msg_id, timeout=2)
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    await asyncio.sleep(0.2)

    return list(await asyncio.gather(*(one(i) for i in items)))


async def play(p: Platform, run: Run, *, burst_fault: Fault | None = None, storm_fault: Fault | None = None,
               before_storm: Callable[[], Awaitable[None]] | None = None) -> None:
    oracle = run.oracle
    await p.start()
    await register(p, run.units)
    expected = set(oracle.obligations())
    await eventually(lambda: _rows_cover(p, expected), timeout=60, interval=0.5, what="every obligation")

    await p.at(T1)
    await p.sweep()
    oracle.swept(T1)

    first, run.late = run.burst.all[:-8], run.burst.all[-8:]
    oracle.submitted = [o.body for o in run.burst.good if isinstance(o.body, dict)]
    oracle.rejected = [o.body for o in run.burst.bad if isinstance(o.body, dict)]

    async def publish_late() -> None:
        await send(p, run.late)

    strike = await burst_fault(p, run) if burst_fault else None
    sending = asyncio.create_task(send(p, first))
    if strike:
        await strike(publish_late)
    else:
        await publish_late()
    await sending
    await p.wait_accepted(oracle.accepted_ids())
    await eventually(lambda: _submitted_seen(p, oracle), timeout=60, interval=0.5, what="statuses after the burst")

    await p.at(T2)
    await p.sweep()
    oracle.swept(T2)

    if before_storm:
        await before_storm()
    await p.at(T3)
    strike = await storm_fault(p, run) if storm_fault else None
    sweeping = asyncio.create_task(p.sweep(timeout=20))
    if strike:
        await strike(_nothing)
    try:
        await sweeping
    except Exception as exc:  # the fault took the sweep down with it: the operator sweeps again below
        run.sweep_errors.append(f"{type(exc).__name__}: {exc}")
    await eventually(lambda: _sweep_ok(p), timeout=60, interval=0.5, what="a complete sweep at T3")
    oracle.swept(T3)


async def register(p: Platform, units: list[dict[str, Any]]) -> None:
    """Tier by tier, each stored before the next: intake may handle one fetched batch out of stream order,
    so a child published right after its parent can be rejected `unknown_parent` (see test_registry.py)."""
    done = 0
    for level in (("province",), ("district", "agency"), ("grassroots",)):
        tier = [u for u in units if u["level"] in level]
        for unit in tier:
            await p.publish("review.units.upsert", unit, None)
        done += len(tier)
        await eventually(lambda n=done: _changed_at_least(p, n), timeout=60, interval=0.3, what=f"tier {level}")


async def _changed_at_least(p: Platform, n: int) -> bool:
    return len(await p.stream("review.units.changed.>")) >= n


async def _nothing() -> None:
    return None


async def _rows_cover(p: Platform, expected: set[tuple[str, str]]) -> bool:
    return expected <= {(r["unit_id"], r["report_type"]) for r in await p.status()}


async def _submitted_seen(p: Platform, oracle: Oracle) -> bool:
    rows = {(r["unit_id"], r["report_type"]): r["status"] for r in await p.status()}
    return all(rows.get(key) == "submitted" for key in oracle.done())


async def _sweep_ok(p: Platform) -> bool:
    try:
        reply = await p.sweep(timeout=20)
    except Exception:
        return False
    return "error" not in reply


# --- the checks every fault test ends with ---------------------------------------------------------------


async def converge(read: Callable[[], Awaitable[Any]], expected: Any, what: str, timeout: float = 90,
                   same: Callable[[Any, Any], bool] = lambda a, b: a == b) -> None:
    """Wait until `read()` equals `expected`; on time-out, fail showing both."""
    last: list[Any] = [None]

    async def check() -> bool:
        last[0] = await read()
        return same(last[0], expected)

    try:
        await eventually(check, timeout=timeout, interval=0.5, what=what)
    except AssertionError:
        got = last[0]
        if isinstance(got, set | dict) and isinstance(expected, set | dict):
            missing = sorted(set(expected) - set(got))[:10]
            extra = sorted(set(got) - set(expected))[:10]
            wrong = sorted(k for k in set(got) & set(expected) if isinstance(got, dict) and got[k] != expected[k])[:10]
            raise AssertionError(f"{what}: missing {missing}, unexpected {extra}, different {wrong}") from None
        assert got == expected, what


async def verify(p: Platform, run: Run, *, resend_window: bool = False, dead_letters: set[str] | None = None) -> None:
    """Everything the issue asks after each fault, against the oracle."""
    oracle = run.oracle
    # every accepted submission: one accepted event, one stored document, version 1; each rejection once
    accepted = await p.accepted_ids()
    accepted = Counter({k: n for k, n in accepted.items() if k not in run.forged})
    assert dict(accepted) == dict.fromkeys(oracle.accepted_ids(), 1), "accepted events, once each"
    rejected = await p.stream("review.submissions.rejected")
    assert sorted(b["submission_id"] for _, b, _ in rejected if b) == sorted(
        b["submission_id"] for b in oracle.rejected), "rejected events, once each"
    stored = await p.db()["submissions"].find({}, {"version": 1}).to_list(None)
    assert sorted(d["_id"] for d in stored) == sorted(oracle.accepted_ids()), "stored submissions"
    assert {d.get("version") for d in stored} == {1}, "no submission stored as a second version"

    # every obligation once, with the right status
    async def statuses() -> dict[tuple[str, str], Any]:
        rows = await p.status()
        keys = [(r["unit_id"], r["report_type"]) for r in rows]
        return {k: ("listed twice" if keys.count(k) > 1 else r["status"]) for k, r in zip(keys, rows, strict=True)}

    await converge(statuses, oracle.statuses(T3), "obligation statuses")

    # every due event once in the stream
    due = await p.msg_ids("review.deadlines.*.>")
    due = {k: n for k, n in due.items()
           if k.split(":")[0] in ("reminder", "overdue", "escalated") and k not in run.forged}
    assert due == dict.fromkeys(oracle.due_events(), 1), "due events, once each"

    # every mail once (a second copy with the same Message-ID only where CONTRACT § 8 admits it)
    want = oracle.mails()
    await converge(lambda: _aset(set(p.mails())), want, "every expected mail at the SMTP server", timeout=120)
    await converge(lambda: _unsettled(p), [], "the outbox settled", timeout=120)
    outbox = await p.db()["outbox"].find({}, {"state": 1}).to_list(None)
    assert sorted(d["_id"] for d in outbox) == sorted(f"{k}|{r}" for k, r in want), "outbox entries"
    counts, message_ids = p.mails(), p.message_ids()
    doubled = {k: n for k, n in counts.items() if n > 1}
    if resend_window:
        doubled = {k: n for k, n in doubled.items() if n > 2 or len(message_ids[k]) > 1}
    assert doubled == {}, "mails sent twice"

    # drafts equal to a recomputation from scratch
    for scope in ["FT", *(u["unit_id"] for u in run.units if u["level"] == "district")]:
        await converge(lambda s=scope: _draft(p, s), oracle.draft(scope, T3), f"the draft of {scope}",
                       same=same_draft)

    # nothing good was dead-lettered
    dlq = await p.msg_ids("review.dlq.>")
    assert set(dlq) == (dead_letters or set()), "dead letters"


async def _aset(value: Any) -> Any:
    return value


async def _unsettled(p: Platform) -> list[str]:
    docs = await p.db()["outbox"].find({"state": {"$ne": "sent"}}, {"state": 1}).to_list(None)
    return sorted(f"{d['_id']}={d.get('state')}" for d in docs)


async def _draft(p: Platform, scope: str) -> dict[str, Any]:
    return draft_view(await p.draft(scope))
