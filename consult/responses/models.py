"""Respondent -> Response (one per consultation) -> Input (one per item, plus the general comment
and the letter), rankings, history.

A one-off respondent (no account) comes in by a RespondentLink and stays by a RespondentSession.

The database holds the limits itself, not only the forms: one response per respondent and
consultation, one input per response and item, importance 1–5, and ranks that are distinct
whole numbers from 1 to the consultation's cap (so no more rows than the cap can exist).
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
from sqlalchemy import event
from sqlalchemy import text as sql_text
from sqlalchemy import update
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from consult.db import TimestampMixin
from consult.db import UTCDateTime
from consult.db import enum_column
from consult.db import utcnow
from consult.extensions import db


class Sector(enum.StrEnum):
    """Where a professional works."""

    MUNICIPALITY = "municipality"
    REGION = "region"
    GENERAL_PRACTICE = "general_practice"


class Channel(enum.StrEnum):
    ONLINE = "online"
    SESSION = "session"
    LETTER = "letter"


class ResponseState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class Consent(enum.StrEnum):
    """May the text be published, and with the respondent's name?"""

    NAMED = "named"
    ANONYMOUS = "anonymous"
    PRIVATE = "private"


class Stance(enum.StrEnum):
    SUPPORT = "support"
    SUPPORT_WITH_CHANGES = "support_with_changes"
    OPPOSE = "oppose"
    NO_POSITION = "no_position"


class InputKind(enum.StrEnum):
    """What an input answers: a goal or initiative, or the draft as a whole."""

    #: Input on one goal or initiative (``item_id`` and ``revision_id`` set).
    GOAL = "goal"
    #: The response's general comment: an organisation's overall statement.
    COMMENT = "comment"
    #: The response's letter (PDF); ``text`` is the text read out of it, for staff only.
    LETTER = "letter"


class Respondent(TimestampMixin, db.Model):
    """Who answers: a user account, or a confirmed e-mail address for a one-off response."""

    __tablename__ = "respondents"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Set when the respondent has an account; one respondent per account.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )
    #: Lower-cased; one respondent per address. None for a group heard in a moderated session.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    name: Mapped[str] = mapped_column(String(200), default="")
    respondent_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("respondent_types.id"), index=True
    )
    #: Required when the respondent type answers for an organisation.
    organisation: Mapped[str] = mapped_column(String(200), default="")
    sector: Mapped[Sector | None] = mapped_column(enum_column(Sector))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"), index=True)
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("health_clusters.id"), index=True)
    locale: Mapped[str] = mapped_column(String(5), default="da")

    user: Mapped[object | None] = relationship("User")
    respondent_type: Mapped[object | None] = relationship("RespondentType")
    municipality: Mapped[object | None] = relationship("Municipality")
    cluster: Mapped[object | None] = relationship("HealthCluster")


class RespondentLink(db.Model):
    """A respond link sent by e-mail. It works once, for a short while; only its hash is kept.

    Opening the link shows a button; pressing it uses the link up. An e-mail scanner that
    fetches every link in a message (Outlook's Safe Links) so uses nothing.
    """

    __tablename__ = "respondent_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("respondents.id", ondelete="CASCADE"), index=True
    )
    #: The consultation the link opens; a fresh link goes to the same address for the same one.
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    #: SHA-256 of the random token in the link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When the link's button was pressed; a used link opens nothing again.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    respondent: Mapped[Respondent] = relationship()
    consultation: Mapped[object] = relationship("Consultation")


class RespondentSession(db.Model):
    """One device a one-off respondent opened a link on, like an account's LoginSession.

    The signed session cookie carries a random token whose hash is the row; "forget this
    device" ends the row, so a copied cookie stops working too.
    """

    __tablename__ = "respondent_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("respondents.id", ondelete="CASCADE"), index=True
    )
    #: SHA-256 of the random token kept in the signed session cookie.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    respondent: Mapped[Respondent] = relationship()


class Response(TimestampMixin, db.Model):
    """One respondent's høringssvar to one consultation, built goal by goal."""

    __tablename__ = "responses"
    __table_args__ = (
        UniqueConstraint("consultation_id", "respondent_id"),
        # Everything the secretariat's dashboard reads of a response, so it never opens a row.
        Index(
            "ix_responses_figures",
            "consultation_id",
            "state",
            "respondent_id",
            "channel",
            "input_count",
            "submitted_at",
        ),
        # The input browser lists newest first: walk this index and stop after a page.
        Index(
            "ix_responses_consultation_state_submitted", "consultation_id", "state", "submitted_at"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("respondents.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[Channel] = mapped_column(enum_column(Channel), default=Channel.ONLINE)
    state: Mapped[ResponseState] = mapped_column(
        enum_column(ResponseState), default=ResponseState.DRAFT
    )
    consent: Mapped[Consent] = mapped_column(enum_column(Consent), default=Consent.ANONYMOUS)
    #: Asked at submit: e-mail me when a new version or the memo is published.
    wants_news: Mapped[bool] = mapped_column(default=False, server_default="0")
    #: Given at the first submission, e.g. "H-2024-000123"; printed on the receipt.
    receipt_number: Mapped[str | None] = mapped_column(String(30), unique=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The key of the last submit form that was processed: a resent form is stored once.
    last_submit_key: Mapped[str | None] = mapped_column(String(64))
    #: How many inputs on goals the response has (general comment and letter not counted);
    #: kept by the ORM events below, so the secretariat's dashboard counts inputs per channel,
    #: type and day from the responses alone.
    input_count: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Channel "session": the moderated session whose confirmed input this is.
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL"), index=True
    )

    respondent: Mapped[Respondent] = relationship()
    consultation: Mapped[object] = relationship("Consultation")
    meeting: Mapped[object | None] = relationship("Meeting")
    inputs: Mapped[list[Input]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )
    letter: Mapped[Letter | None] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )
    #: The general comment and the letter as inputs (read only: written by the services).
    comment_input: Mapped[Input | None] = relationship(
        primaryjoin="and_(Input.response_id == Response.id, Input.kind == 'comment')",
        viewonly=True,
        uselist=False,
    )
    letter_input: Mapped[Input | None] = relationship(
        primaryjoin="and_(Input.response_id == Response.id, Input.kind == 'letter')",
        viewonly=True,
        uselist=False,
    )

    @property
    def comment_text(self) -> str:
        """The general comment as written ("" when there is none)."""
        return self.comment_input.text if self.comment_input is not None else ""


class Input(TimestampMixin, db.Model):
    """Anything a respondent says: input on one goal or initiative, on the exact text
    (revision) it answered, or the response's general comment or letter (no item)."""

    __tablename__ = "inputs"
    __table_args__ = (
        # Input on a goal names the goal and the text it answered; a comment or letter neither.
        CheckConstraint(
            "(kind = 'goal') = (item_id IS NOT NULL)"
            " AND (kind = 'goal') = (revision_id IS NOT NULL)",
            name="item_only_for_goal",
        ),
        # At most one general comment and one letter per response (a partial unique index:
        # both databases have them).
        Index(
            "uq_inputs_response_statement",
            "response_id",
            "kind",
            unique=True,
            sqlite_where=sql_text("kind != 'goal'"),
            postgresql_where=sql_text("kind != 'goal'"),
        ),
        # One input per response and item; a session's group may say several things on one
        # goal, so its inputs count up ``position`` (online input is always position 0).
        UniqueConstraint("response_id", "item_id", "position"),
        CheckConstraint(
            "importance IS NULL OR (importance >= 1 AND importance <= 5)", name="importance_1_to_5"
        ),
        Index("ix_inputs_item_stance", "item_id", "stance"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    kind: Mapped[InputKind] = mapped_column(
        enum_column(InputKind), default=InputKind.GOAL, server_default=InputKind.GOAL.value
    )
    #: The goal or initiative (kind goal only).
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("item_revisions.id"), index=True)
    #: None while a draft is half filled in; required to submit.
    stance: Mapped[Stance | None] = mapped_column(enum_column(Stance, length=24))
    importance: Mapped[int | None]
    text: Mapped[str] = mapped_column(Text, default="")
    proposed_wording: Mapped[str] = mapped_column(Text, default="")
    #: ``text`` and ``proposed_wording`` as staff read them (CPR numbers masked), stored when
    #: the text is set (``consult.readside.staff``), so a million-row export runs no guard;
    #: None where masking changes nothing (almost always): read ``staff.text_columns()``.
    masked_text: Mapped[str | None] = mapped_column(Text)
    masked_wording: Mapped[str | None] = mapped_column(Text)
    preferred_alternative_id: Mapped[int | None] = mapped_column(
        ForeignKey("alternatives.id", ondelete="SET NULL")
    )
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    #: The secretariat's work on it (consult.analysis): its reply, who is on it, its group of
    #: near-identical texts.
    reply_id: Mapped[int | None] = mapped_column(
        ForeignKey("replies.id", ondelete="SET NULL"), index=True
    )
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    duplicate_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("duplicate_groups.id", ondelete="SET NULL"), index=True
    )

    response: Mapped[Response] = relationship(back_populates="inputs")
    item: Mapped[object | None] = relationship("Item")
    revision: Mapped[object | None] = relationship("ItemRevision")
    preferred_alternative: Mapped[object | None] = relationship("Alternative")
    reply: Mapped[object | None] = relationship("Reply")
    assignee: Mapped[object | None] = relationship("User")
    duplicate_group: Mapped[object | None] = relationship("DuplicateGroup")
    tags: Mapped[list[object]] = relationship("Tag", secondary="input_tags", order_by="Tag.name")


class FocusAreaRank(db.Model):
    """A focus area the respondent chose, at a rank from 1 to the consultation's cap."""

    __tablename__ = "focus_area_ranks"
    __table_args__ = (
        UniqueConstraint("response_id", "item_id"),
        UniqueConstraint("response_id", "rank"),
        CheckConstraint("rank >= 1 AND rank <= max_rank", name="rank_within_cap"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    rank: Mapped[int]
    #: The consultation's cap when ranked; with distinct ranks, no more rows than the cap fit.
    max_rank: Mapped[int]


class GoalRank(db.Model):
    """A goal chosen within a chosen focus area, at a rank from 1 to the per-area cap."""

    __tablename__ = "goal_ranks"
    __table_args__ = (
        UniqueConstraint("response_id", "item_id"),
        UniqueConstraint("response_id", "focus_area_id", "rank"),
        CheckConstraint("rank >= 1 AND rank <= max_rank", name="rank_within_cap"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    focus_area_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    rank: Mapped[int]
    max_rank: Mapped[int]


class Letter(TimestampMixin, db.Model):
    """An organisation's signed letter (PDF), kept outside the web root; one per response."""

    __tablename__ = "letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), unique=True
    )
    #: The name the sender gave the file, cleaned; only shown, never used as a path.
    filename: Mapped[str] = mapped_column(String(200))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    #: Random name of the stored file (storage key letters/<name>); nothing of it is the sender's.
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)

    response: Mapped[Response] = relationship(back_populates="letter")


class ResponseEvent(db.Model):
    """History: every save, submission, edit and withdrawal, with what the response said then."""

    __tablename__ = "response_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: saved | submitted | edited | withdrawn
    action: Mapped[str] = mapped_column(String(20))
    #: The response as JSON at that moment (inputs, ranking, comment, consent).
    snapshot: Mapped[str] = mapped_column(Text, default="{}")


def _counts(target: Input) -> bool:
    """Whether the input counts in ``Response.input_count``: input on a goal only."""
    return target.kind in (None, InputKind.GOAL)


@event.listens_for(Input, "after_insert")
def _count_input(mapper, connection, target: Input) -> None:
    if not _counts(target):
        return
    connection.execute(
        update(Response)
        .where(Response.id == target.response_id)
        .values(input_count=Response.input_count + 1)
    )


@event.listens_for(Input, "after_delete")
def _uncount_input(mapper, connection, target: Input) -> None:
    if not _counts(target):
        return
    connection.execute(
        update(Response)
        .where(Response.id == target.response_id)
        .values(input_count=Response.input_count - 1)
    )
