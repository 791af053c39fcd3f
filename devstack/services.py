"""A service as a subprocess (`python -m services.<name>`), ready when it answers its health query."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nats

from devstack.process import terminate

ROOT = Path(__file__).resolve().parents[1]


class ServiceProcess:
    def __init__(self, name: str, env: dict[str, str], log_path: Path | None = None) -> None:
        self.name = name
        self.env = {**os.environ, "LOG_FORMAT": "json", **env}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = log_path or Path(tempfile.mkdtemp(prefix=f"midterm-{name}-")) / "service.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)

    def spawn(self) -> subprocess.Popen[bytes]:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", f"services.{self.name}"], cwd=ROOT, env=self.env, stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self.proc

    async def start(self, timeout: float = 30.0) -> ServiceProcess:
        self.spawn()
        await self.wait_healthy(timeout)
        return self

    async def wait_healthy(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        nc = await nats.connect(self.env["NATS_URL"], connect_timeout=2, max_reconnect_attempts=2)
        try:
            while time.monotonic() < deadline:
                if self.proc and self.proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.logs()[-3000:]}")
                try:
                    await nc.request(f"review.query.health.{self.name}", b"{}", timeout=0.5)
                    return
                except Exception:
                    await asyncio.sleep(0.1)
        finally:
            await nc.close()
        raise TimeoutError(f"{self.name} not healthy within {timeout}s:\n{self.logs()[-3000:]}")

    def logs(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM, wait for the drain; kill if it does not exit in time. Returns the exit code."""
        return terminate(self.proc, timeout)

    def kill9(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
