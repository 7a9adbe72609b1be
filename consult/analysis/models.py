"""Tags, groups of near-identical input (campaigns), and the secretariat's replies.

Inputs point at these (``Input.reply_id``, ``Input.duplicate_group_id``, ``Input.assignee_id``
and the ``input_tags`` table): the respondent's words stay in the responses area, the
secretariat's work on them lives here.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from consult.db import TimestampMixin
from consult.db import UTCDateTime
from consult.db import enum_column
from consult.extensions import db


class Disposition(enum.StrEnum):
    """What the secretariat did with an input, as the høringsnotat says it."""

    INCORPORATED = "incorporated"
    PARTLY = "partly"
    NOTED = "noted"
    NOT_INCORPORATED = "not_incorporated"


class ReplyState(enum.StrEnum):
    """Where the work on an input stands. "new" is an input with no reply and no one on it."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    DRAFTED = "drafted"
    APPROVED = "approved"


input_tags = Table(
    "input_tags",
    db.metadata,
    Column("input_id", ForeignKey("inputs.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(db.Model):
    """A theme the secretariat finds across input, e.g. "datadeling", "rekruttering"."""

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("consultation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")


class DuplicateGroup(db.Model):
    """Identical or near-identical texts; labelled a campaign, it is shown and counted as one."""

    __tablename__ = "duplicate_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    #: A campaign: many people sending one text on purpose. Never hidden, always counted.
    is_campaign: Mapped[bool] = mapped_column(default=False)
    label: Mapped[str] = mapped_column(String(120), default="")
    #: The text the group is shown by (the most common wording in it).
    sample: Mapped[str] = mapped_column(Text, default="")
    size: Mapped[int] = mapped_column(default=0)


class Reply(TimestampMixin, db.Model):
    """The secretariat's answer to one input, to several (a group, a selection) at once, or
    to a theme: every input with the tag (on one goal, or on every goal) that has no reply of
    its own is answered by it."""

    __tablename__ = "replies"
    __table_args__ = (
        # One reply per theme and goal; a reply to the theme on every goal has no item, and
        # the service keeps that one unique (NULLs never clash in a unique index).
        UniqueConstraint("tag_id", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    #: The theme this reply answers, or None for a reply to inputs (``Input.reply_id``).
    tag_id: Mapped[int | None] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"))
    #: The goal or initiative a theme reply is limited to; None: the theme on every goal.
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text, default="")
    disposition: Mapped[Disposition | None] = mapped_column(enum_column(Disposition, length=24))
    #: Why: required for "not incorporated" and "partly incorporated".
    reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[ReplyState] = mapped_column(
        enum_column(ReplyState, length=24), default=ReplyState.IN_PROGRESS
    )
    #: Who last wrote it; another secretariat user must approve it.
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    written_by: Mapped[object | None] = relationship("User", foreign_keys=[written_by_id])
    approved_by: Mapped[object | None] = relationship("User", foreign_keys=[approved_by_id])
    tag: Mapped[Tag | None] = relationship(Tag)
