"""Mail waiting to be delivered, written in the same transaction as what caused it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from consult.db import UTCDateTime
from consult.db import utcnow
from consult.extensions import db


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_pending", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: None until delivered; a delivered message is kept for the record.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The SMTP error of the last failed attempt (no message content).
    last_error: Mapped[str | None] = mapped_column(String(500))
    #: The sender (host:pid:random) that claimed it to send it, and when: two senders at once
    #: never take the same message; a claim older than MAIL_CLAIM_SECONDS (its sender died)
    #: may be taken over. After a delivery the sender stays named.
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
