"""`make run`: the whole platform on this machine, playing the sample campaign with the manual clock.

Starts the stack under var/ (fresh each time), imports the sample registry, plays samples/campaign.yaml step
by step (clock, submissions, bad inputs, corrections, sweeps), shows a live view, leaves the drafts in
var/out/, and keeps the stack up until Ctrl-C (or stops at once with MIDTERM_RUN_ONCE=1).
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table

from cli.bus import BusError, connect, publish, request
from cli.campaign import Campaign, Generator, Outgoing, load_campaign
from cli.registry import load_units, publish_units
from cli.stack import SERVICES, VAR, Stack
from shared import subjects
from shared.plan import load_plan
from shared.settings import BUNDLED_PLAN

console = Console()
STATUSES = ("submitted", "late", "returned", "overdue", "pending", "exempt")
LABELS = {"submitted": "đúng hạn", "late": "muộn", "returned": "trả lại", "overdue": "quá hạn",
          "pending": "chưa đến hạn", "exempt": "miễn"}
OFFICE = "vanphong@tinhuy.example.vn"
EDITORIAL = "tobientap@tinhuy.example.vn"


def run_platform(once: bool, campaign: Path | None, quiet: bool) -> int:
    old = Stack.load()
    if old:
        old.down()
    for sub in ("nats", "db", "mail", "out", "log"):
        shutil.rmtree(VAR / sub, ignore_errors=True)
    plan = load_campaign(campaign) if campaign else load_campaign()
    stack = Stack(env_extra={
        "MIDTERM_CLOCK": "manual", "MIDTERM_NOW": plan.start, "MIDTERM_SWEEP_SECONDS": "3600",
        "MIDTERM_RETRY_SECONDS": "2", "MIDTERM_OFFICE_EMAIL": OFFICE, "MIDTERM_EDITORIAL_EMAILS": EDITORIAL,
        "LOG_FORMAT": "json",
    })
    console.print("[bold]midterm[/bold]: starting nats-server, the MongoDB wire server, the mail catcher and "
                  f"the services under {VAR}/ ...")
    stack.up()
    console.print(f"Dashboard: http://127.0.0.1:{stack.dashboard_port}/")
    try:
        code = asyncio.run(Player(stack, plan, quiet).play())
        if code == 0 and not once:
            console.print(f"\nThe stack stays up (NATS {stack.nats_url}); try `.venv/bin/midterm status --scope "
                          "TP`. Ctrl-C stops everything.")
            _wait_for_interrupt()
        return code
    except KeyboardInterrupt:
        return 130
    finally:
        console.print("stopping the services and servers ...")
        stack.down()
        console.print("stopped.")


def _wait_for_interrupt() -> None:
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    try:
        while not stop["now"]:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass


class Player:
    def __init__(self, stack: Stack, campaign: Campaign, quiet: bool) -> None:
        self.stack = stack
        self.campaign = campaign
        self.quiet = quiet
        self.plan = load_plan(BUNDLED_PLAN)
        self.units = load_units(campaign.registry)
        self.gen = Generator(self.plan, self.units, campaign.seed)
        self.outcomes: dict[str, str] = {}
        self.drafts_updated = 0
        self.rows: list[dict[str, Any]] = []
        self.step_title = "khởi động"
        self.now = campaign.start
        self.names = {u["unit_id"]: u["name"] for u in self.units}
        self.live: Live | None = None

    async def play(self) -> int:
        nc = await connect(self.stack.nats_url)
        try:
            await self._wait_healthy(nc)
            await self._follow(nc)
            await self._import_registry(nc)
            if self.quiet:
                await self._campaign(nc)
            else:
                with Live(self.view(), console=console, refresh_per_second=4) as live:
                    self.live = live
                    await self._campaign(nc)
                self.live = None
            console.print(self.view())
            await self._write_outputs(nc)
            return 0
        except BusError as exc:
            console.print(f"[red]{exc}[/red]\nlogs: {VAR / 'log'}")
            return 1
        finally:
            await nc.close()

    # --- the campaign ---------------------------------------------------------------------------

    async def _campaign(self, nc: Any) -> None:
        for number, step in enumerate(self.campaign.steps, start=1):
            await self._step(nc, number, step)
            await self._refresh(nc)
        self.step_title = "hoàn thành chiến dịch mẫu"
        await self._settle(nc)
        await self._refresh(nc)

    async def _step(self, nc: Any, number: int, step: Any) -> None:
        self.now, self.step_title = step.at, f"{number}/{len(self.campaign.steps)} {step.title}"
        for service in SERVICES:
            await request(nc, subjects.admin_clock(service), {"now": step.at}, timeout=10)
        outgoing: list[Outgoing] = []
        for spec in step.submit:
            outgoing += self.gen.submissions(spec, number)
        if step.corrections:
            outgoing += self.gen.corrections(step.corrections, number)
        outgoing += self.gen.bad(step.bad, number)
        await self._send(nc, outgoing)
        line = f"{step.at[:10]} {step.title}: {len(outgoing)} sent"
        if step.sweep:
            swept = await request(nc, subjects.ADMIN_SWEEP, {}, timeout=120)
            line += f"; sweep: {swept.get('reminders', 0)} reminders, {swept.get('overdue', 0)} overdue, " \
                    f"{swept.get('escalations', 0)} escalations"
        if self.quiet:
            console.print(line)

    async def _send(self, nc: Any, outgoing: list[Outgoing], timeout: float = 120.0) -> None:
        gate = asyncio.Semaphore(64)

        async def one(item: Outgoing) -> None:
            async with gate:
                await publish(nc, item.subject, item.body, msg_id=item.msg_id)

        await asyncio.gather(*(one(item) for item in outgoing))
        waiting = {item.msg_id for item in outgoing}
        deadline = time.monotonic() + timeout
        while waiting - self.outcomes.keys():
            if time.monotonic() > deadline:
                raise BusError(f"{len(waiting - self.outcomes.keys())} submissions got no outcome in {timeout}s")
            await asyncio.sleep(0.1)
            self._update()
        wrong = [i for i in outgoing if self.outcomes[i.msg_id] != i.expect]
        for item in wrong:
            console.print(f"[yellow]{item.note or item.msg_id}: expected {item.expect}, got "
                          f"{self.outcomes[item.msg_id]}[/yellow]")

    async def _follow(self, nc: Any) -> None:
        async def on_outcome(msg: Any) -> None:
            body = json.loads(msg.data)
            key = body.get("submission_id")
            if key:
                self.outcomes[key] = "accepted" if ".accepted." in msg.subject else "rejected"

        async def on_draft(_: Any) -> None:
            self.drafts_updated += 1

        await nc.subscribe(subjects.ACCEPTED_ALL, cb=on_outcome)
        await nc.subscribe(subjects.SUBMISSIONS_REJECTED, cb=on_outcome)
        await nc.subscribe(subjects.DRAFTS_UPDATED_ALL, cb=on_draft)

    async def _import_registry(self, nc: Any, timeout: float = 120.0) -> None:
        expected = sum(len(self.plan.rules_for(u["level"], u.get("roles", [])))
                       for u in self.units if u.get("active", True))
        await request(nc, subjects.admin_clock("intake"), {"now": self.campaign.start})
        await publish_units(nc, self.units)
        console.print(f"registry: {len(self.units)} units published; waiting for {expected} obligations ...")
        deadline = time.monotonic() + timeout
        while True:
            reply = await request(nc, subjects.QUERY_STATUS, {}, timeout=30)
            rows = reply.get("obligations", [])
            if len(rows) >= expected:
                return
            if time.monotonic() > deadline:
                raise BusError(f"only {len(rows)} of {expected} obligations after {timeout}s")
            await asyncio.sleep(0.5)

    async def _wait_healthy(self, nc: Any, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        for service in SERVICES:
            while True:
                try:
                    await request(nc, subjects.health(service), {}, timeout=1)
                    break
                except BusError:
                    if time.monotonic() > deadline:
                        raise BusError(f"{service} did not start; see {VAR / 'log' / (service + '.log')}") from None
                    await asyncio.sleep(0.2)

    async def _settle(self, nc: Any, quiet_for: float = 3.0, timeout: float = 90.0) -> None:
        """Wait until no draft is updated and no mail is written for `quiet_for` seconds."""
        deadline = time.monotonic() + timeout
        last = (self.drafts_updated, self._mails())
        still = time.monotonic()
        while time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            now = (self.drafts_updated, self._mails())
            if now != last:
                last, still = now, time.monotonic()
            elif time.monotonic() - still >= quiet_for:
                return
            self._update()

    async def _write_outputs(self, nc: Any) -> None:
        out = VAR / "out"
        out.mkdir(parents=True, exist_ok=True)
        district = next((u["unit_id"] for u in self.units if u["level"] == "district"), None)
        written = []
        for scope in ("TU", district):
            if not scope:
                continue
            md = await request(nc, subjects.QUERY_DRAFT, {"scope": scope, "format": "markdown"}, timeout=60)
            if "markdown" in md:
                (out / f"draft-{scope}.md").write_text(md["markdown"], encoding="utf-8")
                written.append(f"draft-{scope}.md")
            doc = await request(nc, subjects.QUERY_DRAFT, {"scope": scope, "format": "docx"}, timeout=60)
            if "docx_base64" in doc:
                (out / f"draft-{scope}.docx").write_bytes(base64.b64decode(doc["docx_base64"]))
                written.append(f"draft-{scope}.docx")
            js = await request(nc, subjects.QUERY_DRAFT, {"scope": scope, "format": "json"}, timeout=60)
            if "scope" in js:
                (out / f"draft-{scope}.json").write_text(json.dumps(js, ensure_ascii=False, indent=2), "utf-8")
        console.print(f"drafts in {out}/: {', '.join(written) or 'none'}; mails in {VAR / 'mail'}/: {self._mails()}")

    # --- the live view --------------------------------------------------------------------------

    async def _refresh(self, nc: Any) -> None:
        reply = await request(nc, subjects.QUERY_STATUS, {}, timeout=30)
        self.rows = reply.get("obligations", [])
        self._update()

    def _update(self) -> None:
        if self.live is not None:
            self.live.update(self.view())

    def _mails(self) -> int:
        folder = VAR / "mail"
        return len(list(folder.glob("*.eml"))) if folder.exists() else 0

    def view(self) -> Group:
        counts: dict[str, Counter[str]] = {}
        for row in self.rows:
            head = row["path"].split(".")[0] if row["path"] else row["unit_id"]
            counts.setdefault(head, Counter())[row["status"]] += 1
        table = Table(title=f"Sơ kết giữa nhiệm kỳ — {self.now[:10]} — {self.step_title}", expand=False)
        table.add_column("Đơn vị")
        for status in STATUSES:
            table.add_column(LABELS[status], justify="right")
        for head in sorted(counts, key=lambda h: self.names.get(h, h)):
            table.add_row(self.names.get(head, head), *(str(counts[head][s] or "") for s in STATUSES))
        accepted = sum(1 for v in self.outcomes.values() if v == "accepted")
        rejected = len(self.outcomes) - accepted
        summary = (f"báo cáo tiếp nhận {accepted}, bị từ chối {rejected} · thư đã gửi {self._mails()} · "
                   f"dự thảo cập nhật {self.drafts_updated}")
        return Group(table, summary)
