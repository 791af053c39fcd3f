"""A MongoDB for the tests: MONGODB_URI if set; else a container when a Docker engine answers; else the
wire-protocol server nx-27017 as a process (SQLite underneath)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from devstack.ports import free_port, wait_port
from devstack.process import terminate


def docker_answers() -> bool:
    if not shutil.which("docker"):
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=5).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


class MongoServer:
    """`base_uri` has no database: `database_uri()` names a fresh one, so tests never share data."""

    def __init__(self, data: Path | None = None, port: int = 0) -> None:
        self.kind = ""
        self.base_uri = ""
        self.proc: subprocess.Popen[bytes] | None = None
        self.container = None
        self.data = data
        self.port = port
        if data:
            data.mkdir(parents=True, exist_ok=True)

    def start(self) -> MongoServer:
        given = os.environ.get("MONGODB_URI")
        if given:
            parsed = urlparse(given)
            self.kind, self.base_uri = "MONGODB_URI", urlunparse(parsed._replace(path="/"))
        elif docker_answers():
            from testcontainers.mongodb import MongoDbContainer

            self.container = MongoDbContainer("mongo:7")
            self.container.start()
            self.kind, self.base_uri = "testcontainers", self.container.get_connection_url().rstrip("/") + "/"
        else:
            self.port = self.port or free_port()
            self.data = self.data or Path(tempfile.mkdtemp(prefix="midterm-nx-"))
            self._start_nx()
            self.kind, self.base_uri = "nx-27017", f"mongodb://127.0.0.1:{self.port}/"
        return self

    def nx_command(self) -> list[str]:
        assert self.data is not None
        binary = Path(sys.executable).with_name("nx-27017")
        # nx logs every command at INFO: its log goes to /dev/null, or it grows by the gigabyte at scale.
        return [str(binary) if binary.exists() else "nx-27017", "--data-dir", str(self.data),
                "--host", "127.0.0.1", "-p", str(self.port), "--log-file", os.devnull,
                "--pid-file", str(self.data / "nx.pid")]

    def _start_nx(self) -> None:
        self.proc = subprocess.Popen(self.nx_command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port, timeout=30)

    def database_uri(self, name: str | None = None) -> str:
        return self.base_uri + (name or f"t_{uuid.uuid4().hex[:12]}")

    def stop(self) -> None:
        """Stop the process (nx only); `start()` brings it back on the same port with the same data."""
        terminate(self.proc)
        self.proc = None

    def cleanup(self) -> None:
        self.stop()
        if self.container is not None:
            self.container.stop()
        if self.data:
            shutil.rmtree(self.data, ignore_errors=True)
