"""Optional HTTP basic auth: `MIDTERM_DASHBOARD_USERS` = `name:bcrypt-hash` pairs, separated by commas,
spaces or new lines (a bcrypt hash holds neither). Empty: no login (for a dashboard behind the province's proxy
that authenticates itself, or on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import re
from collections.abc import Awaitable, Callable

import bcrypt
from aiohttp import web

OPEN_PATHS = frozenset({"/healthz"})
REALM = 'Basic realm="midterm", charset="UTF-8"'


def parse_users(spec: str) -> dict[str, bytes]:
    users: dict[str, bytes] = {}
    for entry in re.split(r"[,\s]+", spec.strip()):
        if not entry:
            continue
        name, sep, hashed = entry.partition(":")
        if not sep or not name or not hashed.startswith("$2"):
            raise ValueError(f"MIDTERM_DASHBOARD_USERS: expected name:bcrypt-hash, got {name or entry[:10]!r}")
        users[name] = hashed.encode()
    return users


class BasicAuth:
    def __init__(self, users: dict[str, bytes]) -> None:
        self.users = users
        # bcrypt is slow on purpose; a browser sends the header with every request (the live refreshes too),
        # so a header already verified is remembered by its digest, never in clear.
        self._verified: dict[str, str] = {}

    async def user(self, header: str | None) -> str | None:
        if not header or not header.startswith("Basic "):
            return None
        digest = hashlib.sha256(header.encode()).hexdigest()
        if digest in self._verified:
            return self._verified[digest]
        try:
            name, _, password = base64.b64decode(header[6:], validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        hashed = self.users.get(name)
        if hashed is None:
            return None
        ok = await asyncio.to_thread(bcrypt.checkpw, password.encode(), hashed)
        if not ok:
            return None
        if len(self._verified) > 1000:
            self._verified.clear()
        self._verified[digest] = name
        return name

    @web.middleware
    async def middleware(self, request: web.Request,
                         handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
        if request.path in OPEN_PATHS or await self.user(request.headers.get("Authorization")):
            return await handler(request)
        raise web.HTTPUnauthorized(text="Cần đăng nhập.", headers={"WWW-Authenticate": REALM})
