"""The MIME message of an outbox entry: plain text plus an HTML alternative, the deterministic Message-ID and
the `X-Midterm-Event` header. Built the same way every time from what the outbox stored.

Built with the compat32 classes and `email.header.Header` on purpose: Python 3.11's default-policy folder drops
the space between two encoded words when it folds a long Vietnamese subject (`đại hội` arrives as `đạihội`);
the legacy encoder keeps spaces inside the encoded words.
"""

from __future__ import annotations

from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
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
    return msg
