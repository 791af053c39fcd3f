"""Wiring only: the aiohttp application, its routes, the NATS bus, the live hub and the optional login."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from services.dashboard import views
from services.dashboard.adapters.bus import Bus
from services.dashboard.auth import BasicAuth, parse_users
from services.dashboard.live import Hub
from services.dashboard.render import Renderer
from services.dashboard.source import Source
from shared.settings import Settings

STATIC = Path(__file__).resolve().parent / "static"
ID = r"{%s:[A-Za-z0-9_-]{1,64}}"
HUB = web.AppKey("hub", Hub)
BUS = web.AppKey("bus", Bus)

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@web.middleware
async def security_headers(request: web.Request,
                           handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    response = await handler(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def build_app(settings: Settings, log: Any) -> web.Application:
    hub = Hub()
    bus = Bus(settings.nats_url, log, on_change=hub.changed, on_state=hub.state)
    users = parse_users(settings.dashboard_users)
    middlewares = [security_headers] + ([BasicAuth(users).middleware] if users else [])
    app = web.Application(middlewares=middlewares)
    app[HUB], app[BUS] = hub, bus
    app[views.SOURCE] = Source(bus)
    app[views.RENDERER] = Renderer()
    app[views.CONNECTED] = lambda: bus.connected
    app.router.add_get("/", views.overview_page)
    app.router.add_get("/districts/" + ID % "unit_id", views.district_page)
    app.router.add_get("/units/" + ID % "unit_id", views.unit_page)
    app.router.add_get("/drafts", views.drafts_page)
    app.router.add_get("/drafts/" + ID % "scope" + ".docx", views.draft_docx)
    app.router.add_get("/drafts/" + ID % "scope", views.draft_page)
    app.router.add_get("/catalog", views.catalog_page)
    app.router.add_get("/events", hub.handle)
    app.router.add_get("/healthz", views.health)
    app.router.add_static("/static/", STATIC, append_version=False)

    async def start(_: web.Application) -> None:
        bus.start()
        log.info("dashboard_login", enabled=bool(users), users=len(users))

    async def shutdown(_: web.Application) -> None:
        hub.close()  # ends the open event streams, so the server can stop

    async def cleanup(_: web.Application) -> None:
        await bus.close()

    app.on_startup.append(start)
    app.on_shutdown.append(shutdown)
    app.on_cleanup.append(cleanup)
    return app
