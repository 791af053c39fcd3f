"""The `make run` mail catcher: an aiosmtpd server that writes each message as an `.eml` file."""

from __future__ import annotations

import argparse
import hashlib
import signal
import threading
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class EmlWriter:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.count = len(list(folder.glob("*.eml")))
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        data = bytes(envelope.content)
        with self.lock:
            self.count += 1
            digest = hashlib.sha256(data).hexdigest()[:10]
            name = f"{self.count:06d}-{digest}.eml"
        envelope_lines = f"X-Envelope-From: {envelope.mail_from}\r\nX-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n"
        (self.folder / name).write_bytes(envelope_lines.encode() + data)
        return "250 Message accepted for delivery"


def serve(folder: Path, port: int, host: str = "127.0.0.1") -> None:
    controller = Controller(EmlWriter(folder), hostname=host, port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        stop.wait()
    finally:
        controller.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="Write every mail received to an .eml file")
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--port", type=int, default=2525)
    args = parser.parse_args()
    serve(args.dir, args.port)


if __name__ == "__main__":
    main()
