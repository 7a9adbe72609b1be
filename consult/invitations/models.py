"""Invitation: one organisation on a consultation's høringsliste."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from consult.db import UTCDateTime
from consult.db import utcnow
from consult.extensions import db


class Invitation(db.Model):
    """An organisation invited to respond. It has answered when a submitted response of the
    consultation comes from its e-mail address or carries its name (computed, never stored)."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("consultation_id", "organisation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    organisation: Mapped[str] = mapped_column(String(200))
    #: Where the invitation and reminders go; lower-cased. Empty when only the name is known.
    email: Mapped[str] = mapped_column(String(254), default="")
    respondent_type_id: Mapped[int | None] = mapped_column(ForeignKey("respondent_types.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When the first invitation e-mail was queued (None: not invited by e-mail yet).
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminder_count: Mapped[int] = mapped_column(default=0)

    respondent_type: Mapped[object | None] = relationship("RespondentType")
