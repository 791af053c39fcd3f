"""The mail relay through aiosmtplib: a few kept-open connections (STARTTLS and login when configured), each
SMTP reply turned into an `Outcome` the domain decides on. A connection that failed is dropped and reopened."""

from __future__ import annotations

import asyncio

import aiosmtplib
from aiosmtplib import (
    SMTPException,
    SMTPRecipientsRefused,
    SMTPResponseException,
)

from services.notifier.domain import message
from services.notifier.domain.mail import Mail
from services.notifier.domain.retry import Outcome, Result
from shared.settings import Settings


class SmtpRelay:
    def __init__(self, settings: Settings, connections: int = 4, timeout: float = 30.0) -> None:
        self.settings = settings
        self.timeout = timeout
        self._idle: asyncio.Queue[aiosmtplib.SMTP] = asyncio.Queue()
        for _ in range(connections):
            self._idle.put_nowait(self._client())

    def _client(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(hostname=s.smtp_host, port=s.smtp_port, timeout=self.timeout,
                               start_tls=bool(s.smtp_starttls), use_tls=False)

    async def _open(self, client: aiosmtplib.SMTP) -> None:
        if client.is_connected:
            return
        await client.connect()
        if self.settings.smtp_username:
            await client.login(self.settings.smtp_username, self.settings.smtp_password or "")

    async def send(self, mail: Mail) -> Outcome:
        client = await self._idle.get()
        try:
            await self._open(client)
            sender = self.settings.mail_from
            # the bytes `send_message` would send, flattened once and cheaply (domain/message.py)
            await client.sendmail(sender, [mail.recipient], message.render(mail, sender),
                                  mail_options=_options(sender, mail.recipient))
            return Outcome.sent()
        except SMTPRecipientsRefused as exc:
            refused = exc.recipients[0]
            return Outcome.of_reply(refused.code, refused.message)
        except SMTPResponseException as exc:
            if exc.code in (421,) or not client.is_connected:
                await _drop(client)
            return Outcome.of_reply(exc.code, exc.message)
        except ValueError as exc:  # an address aiosmtplib refuses to put on the wire: no retry helps
            return Outcome(Result.permanent, f"invalid address: {exc}"[:300])
        except (SMTPException, OSError, TimeoutError) as exc:
            await _drop(client)
            return Outcome.unreachable(f"{type(exc).__name__}: {exc}")
        finally:
            self._idle.put_nowait(client)

    async def close(self) -> None:
        while not self._idle.empty():
            client = self._idle.get_nowait()
            if client.is_connected:
                try:
                    await asyncio.wait_for(client.quit(), 5)
                except Exception:
                    client.close()


async def _drop(client: aiosmtplib.SMTP) -> None:
    try:
        client.close()
    except Exception:  # already gone
        pass


def _options(sender: str, recipient: str) -> list[str]:
    """SMTPUTF8 for an address that is not ASCII, as `send_message` would ask (the relay refuses it if it can't)."""
    return [] if (sender + recipient).isascii() else ["SMTPUTF8"]
