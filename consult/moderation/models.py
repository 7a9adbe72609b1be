"""Contribution (a submitted text under review) -> its personal-data flags and public reports.

Every input, general comment and organisation letter of a submitted response becomes one
Contribution. Nothing is public until a moderator has published it; what the public reads is
``public_text`` / ``public_wording``, frozen when it was reviewed, never the live input.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from consult.db import UTCDateTime
from consult.db import enum_column
from consult.db import utcnow
from consult.extensions import db

#: Stands in the public text where a moderator removed something; rendered as "[fjernet]" or
#: "[removed]" in the reader's language (a private-use character no one can type by accident).
REDACTED = "\ue000"


class ContributionKind(enum.StrEnum):
    INPUT = "input"
    COMMENT = "comment"
    LETTER = "letter"


class ModerationState(enum.StrEnum):
    #: Waiting for a moderator; not public.
    PENDING = "pending"
    #: Public (possibly with parts removed: ``is_redacted``).
    PUBLISHED = "published"
    #: Not public, with a reason.
    HIDDEN = "hidden"
    #: The respondent chose not to publish: never public, not in the queue.
    WITHHELD = "withheld"


class HideReason(enum.StrEnum):
    PERSONAL_DATA = "personal_data"
    OFFENSIVE = "offensive"
    OFF_TOPIC = "off_topic"
    SPAM = "spam"
    OTHER = "other"


class Contribution(db.Model):
    """One submitted text as moderation sees it: an input, a general comment or a letter."""

    __tablename__ = "contributions"
    __table_args__ = (
        # Every contribution points at its input (a comment and a letter at their input of
        # kind comment or letter); a letter also at its letter.
        CheckConstraint(
            "input_id IS NOT NULL AND (kind = 'letter') = (letter_id IS NOT NULL)",
            name="one_source",
        ),
        Index("ix_contributions_queue", "state", "queued_at"),
        Index("ix_contributions_item_state", "item_id", "state"),
        Index("ix_contributions_consultation_state", "consultation_id", "state"),
        # The public goal page lists a goal's published input newest first: walk this and stop
        # after a page, never sort them all.
        Index("ix_contributions_item_published", "item_id", "state", "reviewed_at", "id"),
        # The public API lists a consultation's published input by input id (keyset pages).
        Index("ix_contributions_public_inputs", "consultation_id", "state", "input_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ContributionKind] = mapped_column(enum_column(ContributionKind))
    #: The input reviewed: on a goal, or the response's general comment or letter
    #: (``Input.kind``). Never None since the general comment became an input.
    input_id: Mapped[int | None] = mapped_column(
        ForeignKey("inputs.id", ondelete="CASCADE"), unique=True
    )
    letter_id: Mapped[int | None] = mapped_column(
        ForeignKey("letters.id", ondelete="CASCADE"), unique=True
    )
    #: The goal or initiative an input answers (for filtering); None for comments and letters.
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    state: Mapped[ModerationState] = mapped_column(
        enum_column(ModerationState), default=ModerationState.PENDING
    )
    #: SHA-256 of the text under review: a change by the respondent sends it back to the queue.
    fingerprint: Mapped[str] = mapped_column(String(64))
    #: When it (last) entered the queue: the queue is oldest first.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: What the public reads, frozen at review; REDACTED marks removed parts.
    public_text: Mapped[str | None] = mapped_column(Text)
    public_wording: Mapped[str | None] = mapped_column(Text)
    #: The public texts as cleaned HTML paragraphs (REDACTED kept, labelled at render), made
    #: whenever the public text is set (``consult.readside.upkeep``), so no page bleaches a
    #: text per render.
    public_html: Mapped[str | None] = mapped_column(Text)
    public_wording_html: Mapped[str | None] = mapped_column(Text)
    is_redacted: Mapped[bool] = mapped_column(default=False)
    #: Why it was hidden or redacted.
    reason: Mapped[HideReason | None] = mapped_column(enum_column(HideReason))
    note: Mapped[str] = mapped_column(Text, default="")
    #: Reports by the public since the last review; three hide it until a moderator looks.
    report_count: Mapped[int] = mapped_column(default=0)
    #: The respondent was told the outcome of the latest review.
    is_notified: Mapped[bool] = mapped_column(default=False)

    response: Mapped[object] = relationship("Response")
    input: Mapped[object | None] = relationship("Input")
    letter: Mapped[object | None] = relationship("Letter")
    item: Mapped[object | None] = relationship("Item")
    reviewed_by: Mapped[object | None] = relationship("User")
    flags: Mapped[list[ContributionFlag]] = relationship(
        back_populates="contribution",
        order_by="(ContributionFlag.field, ContributionFlag.start)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    reports: Mapped[list[Report]] = relationship(
        back_populates="contribution",
        order_by="Report.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class ContributionFlag(db.Model):
    """A span the personal-data guard found: a CPR number, a phone number, a name …"""

    __tablename__ = "contribution_flags"
    __table_args__ = (Index("ix_contribution_flags_kind", "kind", "contribution_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), index=True
    )
    #: Which text: "text" (the input's why, or the comment) or "wording" (a proposed wording).
    field: Mapped[str] = mapped_column(String(10))
    start: Mapped[int]
    end: Mapped[int]
    #: cpr | phone | email | health_name (consult.moderation.pii.Kind)
    kind: Mapped[str] = mapped_column(String(20))

    contribution: Mapped[Contribution] = relationship(back_populates="flags")


class Report(db.Model):
    """A member of the public says a published contribution should not be there."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("contribution_id", "reporter_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[HideReason] = mapped_column(enum_column(HideReason))
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: A keyed hash of the reporter's address, so one address counts once; cleared at review.
    reporter_key: Mapped[str | None] = mapped_column(String(64))
    is_resolved: Mapped[bool] = mapped_column(default=False)

    contribution: Mapped[Contribution] = relationship(back_populates="reports")
