"""The outbox: mail waits in the database and leaves over real SMTP; failures stay queued."""

from __future__ import annotations

import socket

import time_machine
from sqlalchemy import select

from consult.db import utcnow
from consult.extensions import db
from consult.mail.models import OutboxMessage
from consult.mail.services import queue_mail


def test_queued_mail_is_delivered_over_smtp(ctx, smtp_server, send_mail):
    queue_mail("borger@example.dk", "Kvittering", "Tak for dit høringssvar – æøå.")
    db.session.flush()
    result = send_mail()
    assert result.exit_code == 0, result.output
    assert "Sent 1" in result.output
    message = smtp_server.last_to("borger@example.dk")
    assert message["Subject"] == "Kvittering"
    assert "høringssvar – æøå" in message.get_payload(decode=True).decode("utf-8")
    row = db.session.scalar(select(OutboxMessage))
    assert row.sent_at is not None and row.attempts == 1
    # Nothing is sent twice.
    assert "Sent 0" in send_mail().output
    assert len(smtp_server.messages) == 1


def test_mail_stays_queued_while_smtp_is_down_and_leaves_later(app, ctx, smtp_server, send_mail):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    live_port = app.config["MAIL_PORT"]
    queue_mail("a@example.dk", "Hej", "Tekst")
    db.session.flush()
    app.config["MAIL_PORT"] = dead_port
    try:
        result = send_mail()
    finally:
        app.config["MAIL_PORT"] = live_port
    assert result.exit_code == 1
    assert "failed 1" in result.output and "still queued 1" in result.output
    row = db.session.scalar(select(OutboxMessage))
    db.session.refresh(row)
    assert row.sent_at is None and row.attempts == 1 and row.last_error
    # Not due again at once: the retry waits.
    assert "Sent 0" in send_mail().output
    with time_machine.travel(utcnow().timestamp() + 120, tick=False):
        result = send_mail()
    assert "Sent 1" in result.output
    assert smtp_server.last_to("a@example.dk")["Subject"] == "Hej"
