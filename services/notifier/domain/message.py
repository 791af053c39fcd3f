"""The MIME message of an outbox entry: plain text plus an HTML alternative, the deterministic Message-ID and
the `X-Midterm-Event` header. Built the same way every time from what the outbox stored.

Built with the compat32 classes and `email.header.Header` on purpose: Python 3.11's default-policy folder drops
the space between two encoded words when it folds a long Vietnamese subject (`đại hội` arrives as `đạihội`);
the legacy encoder keeps spaces inside the encoded words.
"""

from __future__ import annotations

import base64
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr

from services.notifier.domain.mail import Mail, Person

EVENT_HEADER = "X-Midterm-Event"
CORRELATION_HEADER = "X-Correlation-Id"


def _addresses(people: tuple[Person, ...]) -> str:
    return ", ".join(formataddr((p.name, p.email), charset="utf-8") for p in people)


def build(mail: Mail, sender: str) -> MIMEMultipart:
    msg = MIMEMultipart("alternative")
    msg["From"] = sender
    msg["To"] = _addresses(mail.to)
    if mail.cc:
        msg["Cc"] = _addresses(mail.cc)
    msg["Subject"] = Header(mail.subject, "utf-8")
    if mail.date:
        msg["Date"] = mail.date
    msg["Message-ID"] = mail.message_id
    msg[EVENT_HEADER] = mail.event_key
    if mail.correlation_id:
        msg[CORRELATION_HEADER] = mail.correlation_id
    msg.attach(MIMEText(mail.text, "plain", "utf-8"))
    msg.attach(MIMEText(mail.html, "html", "utf-8"))
    # Derived, not random: a resend is byte for byte the same message, and no regex scan of the body is needed
    # (base64 parts and encoded headers never hold a run of `=` like this one).
    msg.set_boundary("===============" + mail.message_id.strip("<>").split("@")[0] + "==")
    return msg


def render(mail: Mail, sender: str) -> bytes:
    """The message as the relay receives it: byte for byte what `aiosmtplib.send_message(build(...))` writes,
    assembled directly (the bodies base64 in 76-column lines, short ASCII headers as they are, the others folded
    by the same compat32 policy). Building and re-folding every header through the `email` package was the
    largest share of a mail's CPU; the unit tests compare the two."""
    boundary = "===============" + mail.message_id.strip("<>").split("@")[0] + "=="
    out = [_header("Content-Type", f'multipart/alternative; boundary="{boundary}"'), b"MIME-Version: 1.0\n",
           _header("From", sender), _header("To", _addresses(mail.to))]
    if mail.cc:
        out.append(_header("Cc", _addresses(mail.cc)))
    out.append(_header("Subject", Header(mail.subject, "utf-8")))
    if mail.date:
        out.append(_header("Date", mail.date))
    out += [_header("Message-ID", mail.message_id), _header(EVENT_HEADER, mail.event_key)]
    if mail.correlation_id:
        out.append(_header(CORRELATION_HEADER, mail.correlation_id))
    out.append(b"\n")
    for subtype, body in (("plain", mail.text), ("html", mail.html)):
        out += [f"--{boundary}\n".encode(), f'Content-Type: text/{subtype}; charset="utf-8"\n'.encode(),
                b"MIME-Version: 1.0\nContent-Transfer-Encoding: base64\n\n", base64.encodebytes(body.encode()),
                b"\n"]
    out.append(f"--{boundary}--\n".encode())
    return b"".join(out)


def _header(name: str, value: str | Header) -> bytes:
    if isinstance(value, str) and value.isascii() and len(name) + len(value) < 76 and "\n" not in value:
        return f"{name}: {value}\n".encode("ascii")
    return compat32.fold_binary(name, value)  # type: ignore[arg-type]  # compat32 folds a Header too
