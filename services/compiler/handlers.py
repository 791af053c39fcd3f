"""Use cases: keep the projections from the events, mark the scopes they touch, and recompute each dirty
scope at most once per debounce window in the background.

Crash safety: a handler acks only after its projection write and a persisted dirty mark for every scope
it touches (`compiler_dirty`); the loop clears a mark only if no handler re-marked it meanwhile, so a
killed compiler recomputes on start-up whatever it had not yet published.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Protocol

from pydantic import ValidationError

from services.compiler.adapters.store import Store, obligation_row, unit_info, unpack_draft
from services.compiler.domain.coverage import CoverageRows
from services.compiler.domain.draft import PARTS, compile_draft, content_json, source_versions
from services.compiler.domain.model import TargetSpec, report_key
from services.compiler.domain.tree import FEEDING_TYPES, Tree
from shared import subjects
from shared.clock import ManualClock, SystemClock, iso
from shared.contract import Accepted, DraftUpdated, ObligationChanged, UnitChanged
from shared.locks import KeyedLocks
from shared.messaging import Event, Inbound, Publisher, Terminal
from shared.plan import Plan
from shared.timing import Stopwatch


class MilestoneSource(Protocol):
    async def of_scope(self, scope: str) -> list[dict[str, Any]] | None: ...


RECOMPUTES_AT_ONCE = 8
MILESTONES_TTL = timedelta(seconds=60)  # of campaign time: the longest a scope's milestones answer is used
MAX_PAUSE = 1.5  # seconds: the longest window between recomputes of the province (CONTRACT § 4: "a couple of seconds")
MAX_ROUND_PAUSE = 20.0  # seconds: the longest window between rounds of the other scopes, in a burst only
ROUND_PAUSE_FACTOR = 4  # a round of 700 district recomputes taking 3 s waits 12 s: a fifth of the process
BURST_ROUND = 32  # scopes recomputed in one round from which the longer pause applies


class _Ask:
    """`recompute`'s default: ask the milestone source itself."""


ASK = _Ask()


class SubmissionNotYetStored(Exception):
    """The accepted event overtook intake's write: retry later (redelivery with back-off)."""


class Compiler:
    def __init__(self, store: Store, plan: Plan, clock: SystemClock | ManualClock, publisher: Publisher,
                 log: Any, debounce_seconds: float = 0.5, milestones: MilestoneSource | None = None) -> None:
        self.store = store
        self.milestones = milestones
        self.milestone_names = {m.id: m.name or m.id for m in plan.milestones}
        self.targets = [TargetSpec(t.code, t.name, t.unit, t.aggregate, t.goal) for t in plan.targets]
        self.clock = clock
        self.publisher = publisher
        self.log = log
        self.debounce = debounce_seconds
        self.coverage = CoverageRows()
        self.versions: dict[str, int] = {}
        self._tree = Tree([])  # changed in place per unit (Tree.put)
        self._locks = KeyedLocks()
        self._last_milestones: dict[str, list[dict[str, Any]]] = {}
        # scope -> until when (campaign time) its last answer stands: see `_milestones`
        self._milestones_until: dict[str, datetime] = {}
        self._evidence_types = {m.evidence.report_type.value for m in plan.milestones if m.evidence}
        # scope -> recompute epoch at which this process last persisted a mark (see `mark`)
        self._marked: dict[str, int] = {}
        self._epoch: dict[str, int] = {}
        # scope -> (digest of the report versions its last version was compiled from, that version, its content
        # as stored when this process wrote it, ~8 KB a district): `_same_parts`
        self._parts: dict[str, tuple[bytes, int, bytes | None]] = {}
        # scope -> its pointer (`version`, `hash`, `published`, `updated_at`) as this process last wrote or read it:
        # one compiler process writes them all (deploy/README), so a recompute does not read it back
        self._heads: dict[str, dict[str, Any]] = {}
        self.recomputations = 0
        self.versions_written = 0
        self.province_ms: list[float] = []  # the last recomputes of the province, wall ms (stats: how long it takes)
        self.province_tick_ms: list[float] = []  # the last ticks of the provincial loop that recomputed, wall ms
        self.province_steps: dict[str, float] = {}  # the last of them, by step (ms)
        self.parts_reused = 0

    async def load(self) -> None:
        self._tree = Tree(unit_info(d) for d in await self.store.units())
        for doc in await self.store.coverage():
            self.coverage.put(doc["_id"], obligation_row(doc))
        self.versions = await self.store.report_versions(FEEDING_TYPES)

    def tree(self) -> Tree:
        return self._tree

    # --- handlers ---------------------------------------------------------------------------------------

    async def on_accepted(self, inbound: Inbound) -> None:
        accepted = _parse(Accepted, inbound)
        if accepted.report_type.value not in FEEDING_TYPES:
            return
        key = report_key(accepted.unit_id, accepted.report_type.value)
        path = subjects.path_after(inbound.subject, "review.submissions.accepted")
        async with self._locks.hold(key):
            if self.versions.get(key, 0) > accepted.version:
                return  # an older version arriving after a newer one changes nothing
            if self.versions.get(key, 0) < accepted.version:
                pinned = self._feeds_root(accepted.unit_id)
                report = {"unit_id": accepted.unit_id, "report_type": accepted.report_type.value,
                          "submission_id": accepted.submission_id, "version": accepted.version}
                if self.store.would_cache(key, pinned):
                    stored = await self.store.submission(accepted.submission_id)
                    if stored is None:
                        raise SubmissionNotYetStored(accepted.submission_id)
                    report["version"] = stored.version or accepted.version
                    if self.versions.get(key, 0) >= report["version"]:
                        return
                    path = stored.path or path
                    report["content"] = stored.content
                # else its content is read when a recompute needs it: a full cache (a national burst: 26 000 of
                # 42 740 reports) would turn it away, and reading it here read it twice
                self.store.take_report(key, report, pinned=pinned)
                self.versions[key] = report["version"]
        # equal version: a redelivery after a crash before the mark; mark again
        await self.mark(self._report_scopes(accepted.unit_id, path))

    async def on_obligation(self, inbound: Inbound) -> None:
        event = _parse(ObligationChanged, inbound)
        key = report_key(event.unit_id, event.report_type.value)
        order = (int(event.changed_at.timestamp() * 1000), event.version or 0)
        async with self._locks.hold(f"obligation:{key}"):
            current = self.coverage.rows.get(key)
            if current is not None and order < current.order:
                return
            # a milestone's evidence comes with a version (the deadline's `with_accepted`): a status change alone
            # (overdue, returned, extended) leaves every milestone as it was; a storm of 10 000 overdue notices
            # re-asked the milestones of every district
            new_evidence = current is None or current.version != event.version
            doc = {"unit_id": event.unit_id, "unit_name": event.unit_name, "path": event.path,
                   "report_type": event.report_type.value, "status": event.status.value,
                   "due_at": iso(event.due_at), "version": event.version, "submission_id": event.submission_id,
                   "parent_id": event.parent_id, "level": event.level, "changed_ts": order[0]}
            await self.store.save_coverage(key, doc)
            self.coverage.put(key, obligation_row(doc))
        scopes = self.tree().scopes_above(event.unit_id, event.path)
        if new_evidence and event.report_type.value in self._evidence_types:  # ask the deadline again
            self._forget_milestones(scopes)
        await self.mark(scopes)

    async def on_unit(self, inbound: Inbound) -> None:
        unit = _parse(UnitChanged, inbound)
        doc = {"unit_id": unit.unit_id, "name": unit.name, "level": unit.level.value,
               "parent_id": unit.parent_id, "path": unit.path, "active": unit.active}
        await self.store.save_unit(doc)
        after = self.tree()
        touched = after.scopes_above(unit.unit_id)  # where it was
        after.put(unit_info(doc))  # in place: a national registry is not rebuilt per change
        touched |= after.scopes_above(unit.unit_id, unit.path)
        if after.is_scope(unit.unit_id):
            touched.add(unit.unit_id)
        # a renamed or moved scope changes the header of every draft below it: cheap, coalesced
        touched.update(u.unit_id for u in after.below(unit.unit_id) if after.is_scope(u.unit_id))
        self._forget_milestones(touched)  # which milestones apply depends on the unit
        await self.mark(touched)

    # --- dirty marks and the loop -----------------------------------------------------------------------

    async def mark(self, scopes: Iterable[str]) -> None:
        """Persist a mark unless this process already persisted one that no recompute has taken since:
        in a burst, only the first message per scope and window writes."""
        need = [s for s in set(scopes) if self._marked.get(s) != self._epoch.get(s, 0)]
        if not need:
            return
        taken = {s: self._epoch.get(s, 0) for s in need}
        await self.store.mark_dirty(need)
        self._marked.update(taken)

    async def run(self) -> None:
        """Recompute dirty scopes (those left by a crash first), then every debounce window, in two loops: the
        provincial draft (the Office's headline) on its own, so it never waits behind a round of 700 districts;
        the other scopes in rounds. A loop's window stretches with its last round (`pause_after`): the handlers
        keep most of the process, and in a burst a district is not recompiled for each of its 60 reports."""
        await asyncio.gather(self._loop(True), self._loop(False))

    async def _loop(self, root: bool) -> None:
        while True:
            started = time.perf_counter()
            done = 0
            try:
                done = await self.tick(root=root)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database is down: the marks stay, the next window retries
                self.log.warning("recompute_failed", reason=f"{type(exc).__name__}: {exc}"[:300])
            busy = time.perf_counter() - started
            if root and done:
                self.province_tick_ms = [*self.province_tick_ms[-9:], round(busy * 1000, 2)]
            if root and done and self.province_ms:
                # its own compiling, not its waits on the database and the deadline service: under a burst those
                # were most of a tick, and the pause twice them made a provincial version every ~3 s
                busy = min(busy, self.province_ms[-1] / 1000)
            await asyncio.sleep(pause_after(busy, done, self.debounce, root))

    async def tick(self, root: bool | None = None) -> int:
        """Recompute the dirty scopes: all of them (`root` None; the province first), only the province (True) or
        all but the province (False). A few at a time, so one's database reads and writes overlap another's
        compiling (700 districts in a national round)."""
        top = self.tree().root()
        top_id = top.unit_id if top is not None else None
        if root and top_id is None:
            return 0  # no province yet: nothing for the provincial loop
        watch = Stopwatch()
        ready: dict[str, list[dict[str, Any]] | None] = {}
        if root and top_id is not None and self._marked.get(top_id) == self._epoch.get(top_id, 0):
            # a mark this process wrote and no recompute took yet: the province's milestones are asked while the
            # mark is read, two waits of the provincial loop in one
            marks, ready[top_id] = await asyncio.gather(self.store.dirty([top_id]), self._milestones(top_id))
        else:
            marks = await self.store.dirty([top_id] if root and top_id is not None else None)
        dirty = sorted(((s, g) for s, g in marks.items() if root is None or (s == top_id) == root),
                       key=lambda item: (item[0] != top_id, item[0]))
        # asked together: a slow deadline service costs one timeout per window, not one per scope
        asks = [scope for scope, _ in dirty if scope not in ready]
        found = await asyncio.gather(*(self._milestones(scope) for scope in asks))
        milestones = {**ready, **dict(zip(asks, found, strict=True))}
        gate = asyncio.Semaphore(RECOMPUTES_AT_ONCE)
        watch.add("marks_milestones", watch.started)

        async def one(scope: str, gen: int) -> None:
            async with gate:
                # after this, a handler whose report this recompute might miss persists a fresh mark
                self._epoch[scope] = self._epoch.get(scope, 0) + 1
                steps = watch if scope == top_id and root else None
                await self.recompute(scope, milestones[scope], steps)
                cleared = time.perf_counter()
                await self.store.clear_dirty(scope, gen)
                if steps is not None:
                    steps.add("clear", cleared)
                    self.province_steps = steps.laps

        results = await asyncio.gather(*(one(scope, gen) for scope, gen in dirty), return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:  # the marks of those stay: the next window retries them
            raise failures[0]
        return len(dirty)

    async def recompute(self, scope: str, milestones: list[dict[str, Any]] | None | _Ask = ASK,
                        watch: Stopwatch | None = None) -> dict[str, Any] | None:
        """`watch` gets the time of each step (the provincial loop's: stats `province_steps_ms`)."""
        tree = self.tree()
        if not tree.is_scope(scope):
            return None
        watch = watch or Stopwatch()
        started = lap = time.perf_counter()
        rows = self.coverage.in_scope(tree, scope)
        # the reports it is compiled from, by version (this process writes them all: `versions` knows every key)
        sources = source_versions(tree, scope, self.versions, rows)
        signature = hashlib.blake2b(repr(sources).encode(), digest_size=16).digest()  # 700 of these stay in memory
        parts = await self._same_parts(scope, signature)
        reports = {} if parts is not None else await self.store.reports([key for key, _, _ in sources],
                                                                        pinned=self._is_root(scope))
        if isinstance(milestones, _Ask):
            milestones = await self._milestones(scope)
        lap = watch.add("reports", lap)
        content = compile_draft(tree, scope, reports, rows, self.targets, milestones, self.milestone_names, parts)
        self.recomputations += 1
        digest, encoded = content_json(content)
        lap = watch.add("compile", lap)
        latest = await self._head(scope)
        if self._is_root(scope):
            self.province_ms = [*self.province_ms[-9:], _ms(started)]
        if latest and latest.get("hash") == digest:
            known = self._parts.get(scope)
            kept = known[2] if known is not None and known[1] == latest["version"] else None
            self._parts[scope] = (signature, latest["version"], kept)
            if not latest.get("published"):
                await self._publish(scope, {"version": latest["version"],
                                            "updated_at": latest.get("updated_at") or iso(self.clock.now())})
            self.log.info("draft_unchanged", scope=scope, recomputations=self.recomputations,
                          duration_ms=_ms(started))
            return None
        version = int(latest["version"]) + 1 if latest else 1
        head = {"scope": scope, "version": version, "updated_at": iso(self.clock.now())}
        draft = {**head, **{k: v for k, v in content.items() if k != "scope"}}
        packed = await self.store.save_draft(scope, version, digest, draft, encoded)
        lap = watch.add("store", lap)
        self._heads[scope] = {"version": version, "hash": digest, "published": False, "updated_at": head["updated_at"]}
        self._parts[scope] = (signature, version, packed)
        self.versions_written += 1
        await self._publish(scope, draft)
        watch.add("publish", lap)
        self.log.info("draft_recomputed", scope=scope, version=version, recomputations=self.recomputations,
                      sources=len(draft["sources"]), duration_ms=_ms(started))
        return draft

    async def _same_parts(self, scope: str, signature: bytes) -> dict[str, Any] | None:
        """The PARTS of the scope's last version when it was compiled from these same report versions: from its
        content as this process stored it (else read back, one compressed document) instead of its reports (a
        district's ~60, most of them not in the cache at national scale; the province's 740 are all cached, but
        compiling them took most of its recompute)."""
        known = self._parts.get(scope)
        if known is None or known[0] != signature:
            return None
        previous = unpack_draft(known[2]) if known[2] is not None else await self.store.draft(scope, known[1])
        if previous is None or any(part not in previous for part in PARTS):
            return None
        self.parts_reused += 1
        return {part: previous[part] for part in PARTS}

    async def _head(self, scope: str) -> dict[str, Any] | None:
        """The scope's pointer: as this process last wrote it, else read (once: the first recompute after a start)."""
        if scope not in self._heads:
            found = await self.store.head(scope)
            if found is None:
                return None
            at = found.get("updated_at") or (found.get("draft") or {}).get("updated_at")  # `draft`: before issue 8
            self._heads[scope] = {"version": int(found["version"]), "hash": found.get("hash"),
                                  "published": bool(found.get("published")), "updated_at": at}
        return self._heads[scope]

    async def _milestones(self, scope: str) -> list[dict[str, Any]] | None:
        """The deadline service's answer; when it does not answer in time, the last answer it gave for the
        scope (a busy deadline service must not make the annex come and go, each time a new draft version).

        An answer stands until a milestone's evidence or a unit below the scope changes (the handlers forget it),
        until the next due date it lists passes, and at most MILESTONES_TTL of campaign time: a burst of 40 000
        reports asked it of all 700 districts at every round, and nothing in it changed."""
        if self.milestones is None or not self.tree().is_scope(scope):
            return None
        now = self.clock.now()
        until = self._milestones_until.get(scope)
        if until is not None and now < until and scope in self._last_milestones:
            return self._last_milestones[scope]
        rows = await self.milestones.of_scope(scope)
        if rows is None:
            return self._last_milestones.get(scope)
        self._last_milestones[scope] = rows
        self._milestones_until[scope] = min([now + MILESTONES_TTL, *_due_dates_after(rows, now)])
        return rows

    def _forget_milestones(self, scopes: Iterable[str]) -> None:
        for scope in scopes:
            self._milestones_until.pop(scope, None)

    async def _publish(self, scope: str, draft: dict[str, Any]) -> None:
        event = DraftUpdated(scope=scope, version=draft["version"], updated_at=draft["updated_at"])
        await self.publisher.publish(Event(subjects.drafts_updated(scope), event,
                                           msg_id=f"draft:{scope}:{draft['version']}"))
        await self.store.mark_published(scope, draft["version"])
        head = self._heads.get(scope)
        if head is not None and head["version"] == draft["version"]:
            head["published"] = True

    # --- helpers ------------------------------------------------------------------------------------------

    def _report_scopes(self, unit_id: str, path: str) -> set[str]:
        """The scope a report feeds: the unit's parent now (a moved unit counts in its new district) and
        the parent its path names, in case the projection has not heard of the unit yet."""
        tree = self.tree()
        found: set[str] = set()
        unit = tree.get(unit_id)
        if unit and unit.parent_id:
            found.add(unit.parent_id)
        parts = [p for p in path.split(".") if p]
        if len(parts) >= 2:
            found.add(parts[-2])
        elif parts and tree.root() is not None:
            found.add(tree.root().unit_id)  # type: ignore[union-attr]
        return {s for s in found if s not in tree.units or tree.is_scope(s)}

    def _is_root(self, scope: str) -> bool:
        root = self.tree().root()
        return root is not None and root.unit_id == scope

    def _feeds_root(self, unit_id: str) -> bool:
        unit = self.tree().get(unit_id)
        return unit is not None and unit.parent_id is not None and self._is_root(unit.parent_id)

    def stats(self) -> dict[str, Any]:
        return {"recomputations": self.recomputations, "versions_written": self.versions_written,
                "parts_reused": self.parts_reused, "province_recompute_ms": self.province_ms,
                "province_tick_ms": self.province_tick_ms, "province_steps_ms": self.province_steps,
                "report_cache": self.store.cache_stats()}


def pause_after(busy: float, recomputed: int, debounce: float, root: bool) -> float:
    """The window after a round of recomputes that took `busy` seconds. A few scopes (a draft or two changed):
    twice the round, at most MAX_PAUSE, so a change shows within a couple of seconds (CONTRACT § 4). A burst's
    round of districts (BURST_ROUND scopes or more): ROUND_PAUSE_FACTOR times it, at most MAX_ROUND_PAUSE."""
    if root or recomputed < BURST_ROUND:
        return max(debounce, min(2 * busy, MAX_PAUSE))
    return max(debounce, min(ROUND_PAUSE_FACTOR * busy, MAX_ROUND_PAUSE))


def _due_dates_after(rows: Iterable[dict[str, Any]], now: datetime) -> list[datetime]:
    """The due dates the rows list that are still ahead: when one passes, a `pending` row may become `missing`."""
    found = []
    for row in rows:
        try:
            due = datetime.fromisoformat(str(row.get("due_at")))
        except ValueError:
            continue
        if due.tzinfo is not None and due > now:
            found.append(due)
    return found


def _parse(model: Any, inbound: Inbound) -> Any:
    try:
        return model.model_validate_json(inbound.data)
    except ValidationError as exc:
        raise Terminal(f"invalid payload: {exc.errors()[0]['msg']}") from None


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
