"""`python -m services.dashboard`: serve the pages until SIGTERM or SIGINT, then exit 0."""

from __future__ import annotations

from aiohttp import web

from services.dashboard.app import build_app
from shared import logging as slog
from shared.settings import Settings


def main() -> None:
    settings = Settings()
    log = slog.configure("dashboard", settings.log_format, settings.log_level)
    app = build_app(settings, log)
    host, port = settings.dashboard_host, settings.dashboard_port
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    log.info("service_started", url=f"http://{shown}:{port}/", nats=settings.nats_url)
    web.run_app(app, host=host, port=port, print=None, access_log=None, shutdown_timeout=5,
                handle_signals=True)
    log.info("service_stopped")


if __name__ == "__main__":
    main()
