"""`midterm`: the platform's one command. `midterm --help` lists what it does."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from cli import commands
from cli.bus import BusError
from cli.stack import SERVICES, Stack

EXIT_USAGE = 2


def nats_url(args: argparse.Namespace) -> str:
    if getattr(args, "nats", None):
        return str(args.nats)
    if os.environ.get("NATS_URL"):
        return os.environ["NATS_URL"]
    stack = Stack.load()
    return stack.nats_url if stack else "nats://127.0.0.1:4222"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="midterm", description="Mid-term review campaign platform (sơ kết giữa nhiệm kỳ)")
    p.add_argument("--nats", help="NATS URL (default: $NATS_URL, else the local stack's, else nats://127.0.0.1:4222)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="start the whole platform and play the sample campaign (what `make run` does)")
    run.add_argument("--once", action="store_true", help="stop after the campaign (also MIDTERM_RUN_ONCE=1)")
    run.add_argument("--campaign", type=Path, help="campaign file (default: samples/campaign.yaml)")
    run.add_argument("--quiet", action="store_true", help="no live view, one line per step")

    stack = sub.add_parser("stack", help="start or stop the local stack under var/")
    stack.add_argument("action", choices=["up", "down", "status"])

    units = sub.add_parser("units", help="the unit registry")
    units_sub = units.add_subparsers(dest="units_command", required=True, metavar="ACTION")
    imp = units_sub.add_parser("import", help="publish a whole registry (.yaml or .csv) on review.units.upsert")
    imp.add_argument("file", type=Path)

    submit = sub.add_parser("submit", help="validate a submission locally, publish it and wait for the outcome")
    submit.add_argument("file", type=Path)
    submit.add_argument("--timeout", type=float, default=30.0)

    status = sub.add_parser("status", help="obligations and their status, as a table")
    status.add_argument("--scope", help="a unit id (default: the whole province)")
    status.add_argument("--json", action="store_true", help="print the raw reply")

    draft = sub.add_parser("draft", help="the compiled draft of a scope")
    draft.add_argument("--scope", help="a district or the province root (default: root)")
    draft.add_argument("--format", choices=["json", "md", "markdown", "docx"], default="md")
    draft.add_argument("-o", "--output", type=Path, help="write to a file (docx default: draft-<scope>.docx)")

    cat = sub.add_parser("catalog", help="the document catalogue")
    cat_sub = cat.add_subparsers(dest="catalog_command", required=True, metavar="ACTION")
    search = cat_sub.add_parser("search", help="search numbers and titles, with or without diacritics")
    search.add_argument("query", nargs="+")
    search.add_argument("--limit", type=int, default=20)

    sub.add_parser("sweep", help="ask the deadline service to sweep now; prints what it published")

    clock = sub.add_parser("clock", help="set the manual clock of every service (MIDTERM_CLOCK=manual)")
    clock.add_argument("now", help="e.g. 2023-05-16T08:00:00+07:00")

    outline = sub.add_parser("outline", help="the outline (đề cương) a unit writes its report to")
    outline.add_argument("--report-type", required=True, help="e.g. resolution_review")
    outline.add_argument("--format", choices=["json", "md", "docx"], default="md")
    outline.add_argument("-o", "--output", type=Path, help="write to a file (docx default: outline-<type>.docx)")

    api = sub.add_parser("asyncapi", help="write each service's AsyncAPI document")
    api.add_argument("folder", type=Path, nargs="?", default=Path("deploy/asyncapi"))
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return dispatch(args)
    except (commands.CommandError, BusError) as exc:
        print(f"midterm: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def dispatch(args: argparse.Namespace) -> int:
    url = nats_url(args)
    aio: Callable[[Coroutine[Any, Any, int]], int] = asyncio.run
    match args.command:
        case "run":
            from cli.run import run_platform

            once = args.once or os.environ.get("MIDTERM_RUN_ONCE") == "1"
            return run_platform(once=once, campaign=args.campaign, quiet=args.quiet or not sys.stdout.isatty())
        case "stack":
            return stack_command(args.action)
        case "units":
            from cli.registry import import_registry

            return aio(import_registry(url, args.file))
        case "submit":
            return aio(commands.submit(url, args.file, args.timeout))
        case "status":
            return aio(commands.status(url, args.scope, args.json))
        case "draft":
            return aio(commands.draft(url, args.scope, args.format, args.output))
        case "catalog":
            return aio(commands.catalog(url, " ".join(args.query), args.limit))
        case "sweep":
            return aio(commands.sweep(url))
        case "clock":
            return aio(commands.set_clock(url, args.now, SERVICES))
        case "outline":
            return aio(commands.outline(url, args.report_type, args.format, args.output))
        case "asyncapi":
            from cli.asyncapi import write_all

            return write_all(args.folder)
    return EXIT_USAGE


def stack_command(action: str) -> int:
    current = Stack.load()
    if action == "up":
        if current:
            print(f"the stack is already up (NATS {current.nats_url}); `midterm stack down` first")
            return 1
        stack = Stack().up()
        print(f"up: NATS {stack.nats_url}, MongoDB {stack.mongodb_uri}, SMTP 127.0.0.1:{stack.smtp_port}, "
              f"mail in var/mail/, logs in var/log/; dashboard http://127.0.0.1:{stack.dashboard_port}/")
        return 0
    if action == "status":
        print("down" if not current else f"up: NATS {current.nats_url}, pids {current.pids}")
        return 0
    if not current:
        print("the stack is not up")
        return 0
    current.down()
    print("down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
