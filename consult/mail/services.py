"""Queue mail in the outbox (same transaction as its cause); deliver it over SMTP later.

Delivery claims messages before sending them (one UPDATE, ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL), so two senders at once (two workers, a worker and ``flask consult send-mail``)
never send one message twice. A claim whose sender died expires after MAIL_CLAIM_SECONDS.
"""

from __future__ import annotations

import smtplib
import ssl
import sys
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate
from email.utils import make_msgid
from secrets import token_hex

from flask import current_app
from flask import render_template
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from consult import jobs
from consult.db import utcnow
from consult.extensions import db
from consult.jobs.runner import worker_name
from consult.mail.models import OutboxMessage

#: Messages one sender claims at a time: few, so two senders share a long queue between them.
CLAIM_BATCH = 20


def queue_mail(recipient: str, subject: str, body_text: str) -> OutboxMessage:
    """Put a message in the outbox; a worker sends it once the transaction commits."""
    message = OutboxMessage(recipient=recipient, subject=subject, body_text=body_text)
    db.session.add(message)
    db.session.flush()
    jobs.kick("mail.send")
    return message


def queue_template(recipient: str, subject: str, template: str, **context) -> OutboxMessage:
    """Render ``templates/mail/<template>.txt`` in the active locale and queue it."""
    return queue_mail(recipient, subject, render_template(f"mail/{template}.txt", **context))


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    remaining: int = 0


def _connect() -> smtplib.SMTP | _Console:
    cfg = current_app.config
    if cfg["MAIL_BACKEND"] == "console":
        return _Console()
    if cfg["MAIL_USE_SSL"]:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            cfg["MAIL_SERVER"],
            cfg["MAIL_PORT"],
            timeout=cfg["MAIL_TIMEOUT"],
            context=ssl.create_default_context(),
        )
    else:
        smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"])
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
    if cfg["MAIL_USERNAME"]:
        smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
    return smtp


def _build(message: Claimed) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain="consult")
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body_text)
    return email


class _Console:
    """MAIL_BACKEND=console (``make run``): print each message instead of sending it."""

    def send_message(self, email: EmailMessage) -> None:
        body = email.get_content()
        sys.stdout.write(
            f"--- mail to {email['To']}: {email['Subject']}\n{body.rstrip()}\n--- end of mail\n"
        )
        sys.stdout.flush()

    def quit(self) -> None:
        pass


@dataclass(frozen=True, order=True)
class Claimed:
    """A message claimed for sending, read before the transaction ends."""

    id: int
    recipient: str
    subject: str
    body_text: str
    attempts: int


def _due(now):
    cfg = current_app.config
    expired = now - timedelta(seconds=cfg["MAIL_CLAIM_SECONDS"])
    return (
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.next_attempt_at <= now,
        OutboxMessage.attempts < cfg["MAIL_MAX_ATTEMPTS"],
        or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < expired),
    )


def claim(sender: str, limit: int) -> list[Claimed]:
    """Claim up to ``limit`` due messages for ``sender`` and commit; return them by id.

    One UPDATE: PostgreSQL skips rows another sender is claiming (SKIP LOCKED) and checks the
    condition again on each row it takes; SQLite runs one writer at a time.
    """
    now = utcnow()
    due = _due(now)
    # Materialized: PostgreSQL runs it once. As a plain IN (subquery) it may run it again
    # for each row, skip the rows this very UPDATE has just locked, and claim more than
    # ``limit`` (seen: 3 of a limit of 2).
    ids = (
        select(OutboxMessage.id)
        .where(*due)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("due")
        .prefix_with("MATERIALIZED")
    )
    rows = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(select(ids.c.id)), *due)
        .values(claimed_by=sender, claimed_at=now)
        .returning(
            OutboxMessage.id,
            OutboxMessage.recipient,
            OutboxMessage.subject,
            OutboxMessage.body_text,
            OutboxMessage.attempts,
        )
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted(Claimed(*row) for row in rows)


def _record(message: Claimed, sender: str, **values) -> None:
    """Write the outcome of one attempt, if the claim is still ours, and commit."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.claimed_by == sender)
        .values(attempts=message.attempts + 1, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def deliver_pending(limit: int = 500) -> DeliveryReport:
    """Claim and send due messages; a message that fails stays queued with a growing delay.

    Each outcome is committed on its own, so a crash never sends one twice in bulk.
    """
    sender = f"{worker_name()}:{token_hex(4)}"
    report = DeliveryReport()
    transport: smtplib.SMTP | _Console | None = None
    try:
        while report.sent + report.failed < limit:
            batch = claim(sender, min(CLAIM_BATCH, limit - report.sent - report.failed))
            if not batch:
                break
            for message in batch:
                try:
                    if transport is None:
                        transport = _connect()
                    transport.send_message(_build(message))
                except (OSError, smtplib.SMTPException) as exc:
                    attempt = message.attempts + 1
                    _record(
                        message,
                        sender,
                        last_error=f"{type(exc).__name__}: {exc}"[:500],
                        # 1, 2, 4 … minutes, at most a day.
                        next_attempt_at=utcnow()
                        + timedelta(minutes=min(2 ** (attempt - 1), 24 * 60)),
                        claimed_by=None,
                        claimed_at=None,
                    )
                    report.failed += 1
                    transport = None
                else:
                    _record(message, sender, sent_at=utcnow(), last_error=None)
                    report.sent += 1
    finally:
        if transport is not None:
            try:
                transport.quit()
            except (OSError, smtplib.SMTPException):
                pass
    report.remaining = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    )
    db.session.commit()
    return report
