"""Consultation -> Version; Item (tree) -> ItemRevision (one per version) -> alternatives."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger
from sqlalchemy import CheckConstraint
from sqlalchemy import Column
from sqlalchemy import ForeignKey
from sqlalchemy import Index
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
from consult.db import utcnow
from consult.extensions import db


class Status(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    REPORTING = "reporting"
    APPROVAL = "approval"
    PUBLISHED = "published"


#: The statuses a consultation may move to from each status (reopening a closed one is allowed,
#: e.g. to extend a deadline). Reporting goes to the parties for approval; publishing needs every
#: party's approval of the text as it is now (``consult.drafts.workflow``), and publishes the
#: working copy with the memo. Going back from approval or published reopens the writing.
STATUS_TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    Status.DRAFT: (Status.OPEN,),
    Status.OPEN: (Status.DRAFT, Status.CLOSED),
    Status.CLOSED: (Status.OPEN, Status.REPORTING),
    Status.REPORTING: (Status.CLOSED, Status.APPROVAL),
    Status.APPROVAL: (Status.REPORTING, Status.PUBLISHED),
    Status.PUBLISHED: (Status.REPORTING,),
}


class Phase(enum.StrEnum):
    """What the public sees, from the status and the clock."""

    HIDDEN = "hidden"
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


class ItemKind(enum.StrEnum):
    VISION = "vision"
    PRINCIPLE = "principle"
    FOCUS_AREA = "focus_area"
    GOAL = "goal"
    INITIATIVE = "initiative"

    @property
    def is_top_level(self) -> bool:
        return self in (ItemKind.VISION, ItemKind.PRINCIPLE, ItemKind.FOCUS_AREA)

    @property
    def takes_input(self) -> bool:
        return self in (ItemKind.GOAL, ItemKind.INITIATIVE)


class Consultation(TimestampMixin, db.Model):
    __tablename__ = "consultations"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="closes_after_opens"),
        Index("ix_consultations_status_closes_at", "status", "closes_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title_da: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    summary_da: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[Status] = mapped_column(enum_column(Status), default=Status.DRAFT)
    #: Stored in UTC; entered and shown in Europe/Copenhagen.
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The deadline (høringsfrist), to the second.
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: How many focus areas a respondent may choose and rank (the draft: at most 3).
    max_ranked_focus_areas: Mapped[int] = mapped_column(default=3, server_default="3")
    #: How many goals a respondent may choose within each chosen focus area (the draft: 1–2).
    max_ranked_goals: Mapped[int] = mapped_column(default=2, server_default="2")

    versions: Mapped[list[Version]] = relationship(
        back_populates="consultation",
        order_by="Version.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def phase(self, now: datetime | None = None) -> Phase:
        """Return what the public sees now: hidden while a draft, else by the clock."""
        now = now or utcnow()
        if self.status is Status.DRAFT:
            return Phase.HIDDEN
        if self.status is Status.OPEN:
            if now < self.opens_at:
                return Phase.UPCOMING
            if now < self.closes_at:
                return Phase.OPEN
        return Phase.CLOSED

    def __repr__(self) -> str:
        return f"<Consultation {self.slug}>"


class Version(db.Model):
    """A numbered draft of the document (1. udkast, 2. udkast …)."""

    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("consultation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    number: Mapped[int]
    label_da: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200), default="")
    note_da: Mapped[str] = mapped_column(Text, default="")
    note_en: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: None while the version is a working copy: staff edit and preview it, the public still
    #: reads the version before it. Set once, when it is published.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    consultation: Mapped[Consultation] = relationship(back_populates="versions")

    @property
    def is_working_copy(self) -> bool:
        return self.published_at is None


class Item(db.Model):
    """A node of the draft: vision, principle, focus area, goal or initiative.

    The node is stable across versions; its words and its place among its siblings live in one
    ItemRevision per version. Its parent is for life: a goal never moves to another focus area.
    """

    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("consultation_id", "key"),
        Index("ix_items_consultation_parent_position", "consultation_id", "parent_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind))
    #: A stable, readable id within the consultation (from the YAML, or made from the title).
    key: Mapped[str] = mapped_column(String(80))
    #: Order among siblings in the newest *published* version, from 0 (a copy of its
    #: revision's ``position``, set when a version is published; a few queries across areas
    #: order by it). Each version's own order is ``ItemRevision.position``.
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    consultation: Mapped[Consultation] = relationship()
    parent: Mapped[Item | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Item]] = relationship(
        back_populates="parent", order_by="Item.position", passive_deletes=True
    )
    revisions: Mapped[list[ItemRevision]] = relationship(
        back_populates="item", cascade="all, delete-orphan", passive_deletes=True
    )


class ItemRevision(db.Model):
    """An item's text in one version: input always points at the exact words it answered."""

    __tablename__ = "item_revisions"
    __table_args__ = (UniqueConstraint("item_id", "version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(
        ForeignKey("versions.id", ondelete="CASCADE"), index=True
    )
    title_da: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    #: Plain text: paragraphs split by a blank line, "- " lines form a list.
    body_da: Mapped[str] = mapped_column(Text, default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    #: Initiatives only: the funds recommended, in whole Danish kroner.
    funds_dkk: Mapped[int | None] = mapped_column(BigInteger)
    #: Initiatives only: what the funds cover and when.
    funds_note_da: Mapped[str] = mapped_column(Text, default="")
    funds_note_en: Mapped[str] = mapped_column(Text, default="")
    #: Order among the item's siblings in this version, from 0: a working copy's order is its
    #: own, so reordering it leaves the published versions as they were.
    position: Mapped[int] = mapped_column(default=0)

    item: Mapped[Item] = relationship(back_populates="revisions")
    version: Mapped[Version] = relationship()
    alternatives: Mapped[list[Alternative]] = relationship(
        back_populates="revision",
        order_by="Alternative.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    political_goals: Mapped[list[PoliticalGoal]] = relationship(
        back_populates="revision",
        order_by="PoliticalGoal.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Alternative(db.Model):
    """One wording of a goal the draft offers as "X eller Y"."""

    __tablename__ = "alternatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(
        ForeignKey("item_revisions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    text_da: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text, default="")

    revision: Mapped[ItemRevision] = relationship(back_populates="alternatives")

    @property
    def letter(self) -> str:
        return chr(ord("A") + self.position) if self.position < 26 else str(self.position + 1)


class PoliticalGoal(db.Model):
    """A political goal an initiative is to reach (Sundhedsklynge Syd's "Politiske mål")."""

    __tablename__ = "political_goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(
        ForeignKey("item_revisions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    text_da: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text, default="")

    revision: Mapped[ItemRevision] = relationship(back_populates="political_goals")


# --- the decision trail: why an item changed between versions ----------------------------------

item_change_inputs = Table(
    "item_change_inputs",
    db.metadata,
    Column("change_id", ForeignKey("item_changes.id", ondelete="CASCADE"), primary_key=True),
    Column("input_id", ForeignKey("inputs.id", ondelete="CASCADE"), primary_key=True, index=True),
)

item_change_tags = Table(
    "item_change_tags",
    db.metadata,
    Column("change_id", ForeignKey("item_changes.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ItemChange(db.Model):
    """Why an item reads differently in a version: the inputs and themes behind it, and why.

    One per item and version, written by the secretariat in the working copy. The inputs are
    linked directly, or through their tags (every input with a linked tag counts as behind it).
    """

    __tablename__ = "item_changes"
    __table_args__ = (UniqueConstraint("version_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    #: Why it changed, in the secretariat's words (shown to the public with the change).
    reason_da: Mapped[str] = mapped_column(Text, default="")
    reason_en: Mapped[str] = mapped_column(Text, default="")
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    version: Mapped[Version] = relationship()
    item: Mapped[Item] = relationship()
    inputs: Mapped[list[object]] = relationship(
        "Input", secondary=item_change_inputs, order_by="Input.id"
    )
    tags: Mapped[list[object]] = relationship(
        "Tag", secondary=item_change_tags, order_by="Tag.name"
    )


class VersionNotice(db.Model):
    """A respondent was told about a published version: one notice each, however often asked."""

    __tablename__ = "version_notices"
    __table_args__ = (UniqueConstraint("version_id", "respondent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("respondents.id", ondelete="CASCADE"), index=True
    )
    #: The outbox message that carried it.
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
