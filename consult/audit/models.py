"""AuditEvent: one row per consequential staff action (moderation, roles, exports)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from consult.db import UTCDateTime
from consult.db import utcnow
from consult.extensions import db


class AuditEvent(db.Model):
    """Who did what to which record, when, and why. Rows are only ever added."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_subject", "subject_type", "subject_id"),
        Index("ix_audit_events_consultation_at", "consultation_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The staff member who acted; kept when the account goes (SET NULL keeps the event).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: A dotted verb, e.g. "moderation.publish", "moderation.redact", "accounts.change_role".
    action: Mapped[str] = mapped_column(String(60))
    #: What was acted on: a table name and its id (a contribution, a user …).
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultations.id", ondelete="SET NULL")
    )
    #: Why, in the actor's words or as a reason code.
    reason: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    #: Further facts as JSON (e.g. how many spans were removed); never the removed text itself.
    details: Mapped[str] = mapped_column(Text, default="{}")

    actor: Mapped[object | None] = relationship("User")
