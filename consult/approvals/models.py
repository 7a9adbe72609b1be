"""Party -> approvers (users with the role approver); Approval: one decision on one text.

An approval holds what was approved: the version and a fingerprint of the document (the
version's text, the trail and the replies the memo quotes). A decision counts only while the
document still has that fingerprint, so any change after it resets it.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from consult.db import UTCDateTime
from consult.db import enum_column
from consult.db import utcnow
from consult.extensions import db


class Decision(enum.StrEnum):
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"


party_approvers = Table(
    "party_approvers",
    db.metadata,
    Column("party_id", ForeignKey("parties.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Party(db.Model):
    """One of the parties who approve a consultation's memo and final draft (e.g. KKR)."""

    __tablename__ = "parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    name_da: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(default=0)

    approvers: Mapped[list[object]] = relationship(
        "User", secondary=party_approvers, order_by="User.email"
    )


class Approval(db.Model):
    """One approver's decision for a party on one state of the document. Rows are only added;
    a reset marks them ``reset_at``."""

    __tablename__ = "approvals"
    __table_args__ = (Index("ix_approvals_party_id_id", "party_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The version approved (the working copy, or the published version when there is none).
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    #: SHA-256 of the document as it was decided on (``approvals.services.fingerprint``).
    fingerprint: Mapped[str] = mapped_column(String(64))
    decision: Mapped[Decision] = mapped_column(enum_column(Decision, length=24))
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When a change to the document made this decision stale (None while it holds).
    reset_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    party: Mapped[Party] = relationship()
    user: Mapped[object | None] = relationship("User")
    version: Mapped[object] = relationship("Version")
