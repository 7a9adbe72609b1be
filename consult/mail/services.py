"""Queue mail in the outbox (same transaction as its cause); deliver it over SMTP later."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate
from email.utils import make_msgid

from flask import current_app
from flask import render_template
from sqlalchemy import func
from sqlalchemy import select

from consult.db import utcnow
from consult.extensions import db
from consult.mail.models import OutboxMessage


def queue_mail(recipient: str, subject: str, body_text: str) -> OutboxMessage:
    """Put a message in the outbox; it leaves when ``flask consult send-mail`` runs."""
    message = OutboxMessage(recipient=recipient, subject=subject, body_text=body_text)
    db.session.add(message)
    db.session.flush()
    return message


def queue_template(recipient: str, subject: str, template: str, **context) -> OutboxMessage:
    """Render ``templates/mail/<template>.txt`` in the active locale and queue it."""
    return queue_mail(recipient, subject, render_template(f"mail/{template}.txt", **context))


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    remaining: int = 0


def _connect() -> smtplib.SMTP:
    cfg = current_app.config
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


def _build(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain="consult")
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body_text)
    return email


def deliver_pending(limit: int = 500) -> DeliveryReport:
    """Send due messages; a message that fails stays queued with a growing delay.

    Each message is committed on its own, so a crash never sends one twice in bulk.
    """
    report = DeliveryReport()
    now = utcnow()
    due = db.session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.next_attempt_at <= now,
            OutboxMessage.attempts < current_app.config["MAIL_MAX_ATTEMPTS"],
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    smtp: smtplib.SMTP | None = None
    try:
        for message in due:
            message.attempts += 1
            try:
                if smtp is None:
                    smtp = _connect()
                smtp.send_message(_build(message))
            except (OSError, smtplib.SMTPException) as exc:
                message.last_error = f"{type(exc).__name__}: {exc}"[:500]
                # 1, 2, 4 … minutes, at most a day.
                message.next_attempt_at = utcnow() + timedelta(
                    minutes=min(2 ** (message.attempts - 1), 24 * 60)
                )
                report.failed += 1
                smtp = None
            else:
                message.sent_at = utcnow()
                message.last_error = None
                report.sent += 1
            db.session.commit()
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
    report.remaining = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    )
    return report
