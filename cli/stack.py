"""The whole platform on this machine, under `var/`: nats-server (JetStream), the MongoDB wire server (or
MONGODB_URI), the mail catcher writing `.eml` files to `var/mail/`, and the services."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from devstack.mongo import MongoServer
from devstack.nats import NatsServer
from devstack.ports import free_port, wait_port

ROOT = Path(__file__).resolve().parents[1]
VAR = Path(os.environ.get("MIDTERM_VAR") or ROOT / "var")
STATE = VAR / "stack.json"
SERVICES = ("intake", "deadline", "compiler", "notifier")


def _port(preferred: int) -> int:
    """The usual port when it is free (and MIDTERM_FREE_PORTS is not set), else any free one."""
    import socket

    if os.environ.get("MIDTERM_FREE_PORTS"):
        return free_port()
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            return free_port()


@dataclass
class Stack:
    var: Path = VAR
    nats_port: int = 0
    mongo_port: int = 0
    smtp_port: int = 0
    dashboard_port: int = 0
    mongodb_uri: str = ""
    pids: dict[str, int] = field(default_factory=dict)
    env_extra: dict[str, str] = field(default_factory=dict)

    @property
    def nats_url(self) -> str:
        return f"nats://127.0.0.1:{self.nats_port}"

    def service_env(self) -> dict[str, str]:
        return {
            "NATS_URL": self.nats_url,
            "MONGODB_URI": self.mongodb_uri,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(self.smtp_port),
            **self.env_extra,
        }

    def up(self, services: tuple[str, ...] = SERVICES) -> Stack:
        """Start every component in its own session (so Ctrl-C reaches only the CLI, which stops them)."""
        for sub in ("nats", "db", "mail", "log", "out"):
            (self.var / sub).mkdir(parents=True, exist_ok=True)
        self.nats_port = self.nats_port or _port(4222)
        nats = NatsServer(port=self.nats_port, store=self.var / "nats")
        self._spawn("nats-server", [*nats.command()], wait=self.nats_port)
        if os.environ.get("MONGODB_URI"):
            self.mongodb_uri = os.environ["MONGODB_URI"]
        else:
            self.mongo_port = self.mongo_port or _port(27017)
            mongo = MongoServer(data=self.var / "db", port=self.mongo_port)
            self._spawn("nx-27017", mongo.nx_command(), wait=self.mongo_port)
            self.mongodb_uri = f"mongodb://127.0.0.1:{self.mongo_port}/midterm"
        self.smtp_port = self.smtp_port or _port(2525)
        self._spawn("mail", [sys.executable, "-m", "devstack.mail", "--dir", str(self.var / "mail"),
                             "--port", str(self.smtp_port)], wait=self.smtp_port)
        env = {**os.environ, **self.service_env()}
        for name in services:
            self._spawn(name, [sys.executable, "-m", f"services.{name}"], env=env)
        self.dashboard_port = self.dashboard_port or _port(8080)
        self._spawn("dashboard", [sys.executable, "-m", "services.dashboard"],
                    env={**env, "MIDTERM_DASHBOARD_PORT": str(self.dashboard_port)}, wait=self.dashboard_port)
        self.save()
        return self

    def _spawn(self, name: str, args: list[str], wait: int | None = None, env: dict[str, str] | None = None) -> None:
        with open(self.var / "log" / f"{name}.log", "ab") as log:
            proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        self.pids[name] = proc.pid
        self.save()
        if wait:
            wait_port(wait, timeout=30)

    def save(self) -> None:
        self.var.mkdir(parents=True, exist_ok=True)
        STATE.write_text(json.dumps({
            "nats_port": self.nats_port, "mongo_port": self.mongo_port, "smtp_port": self.smtp_port,
            "dashboard_port": self.dashboard_port,
            "mongodb_uri": self.mongodb_uri, "pids": self.pids, "env_extra": self.env_extra,
        }, indent=2))

    @classmethod
    def load(cls) -> Stack | None:
        if not STATE.exists():
            return None
        data = json.loads(STATE.read_text())
        return cls(nats_port=data["nats_port"], mongo_port=data["mongo_port"], smtp_port=data["smtp_port"],
                   dashboard_port=data.get("dashboard_port", 0),
                   mongodb_uri=data["mongodb_uri"], pids=data["pids"], env_extra=data.get("env_extra", {}))

    def down(self, timeout: float = 20.0) -> None:
        """SIGTERM the services first (they drain), then the servers; SIGKILL what is left after `timeout`."""
        order = [n for n in self.pids if n in SERVICES or n == "dashboard"] + [
            n for n in ("mail", "nx-27017", "nats-server") if n in self.pids]
        for name in order:
            _signal(self.pids[name], signal.SIGTERM)
            _wait_gone(self.pids[name], timeout)
        self.pids.clear()
        if STATE.exists():
            STATE.unlink()


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _alive(pid: int) -> bool:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_gone(pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.05)
    _signal(pid, signal.SIGKILL)
