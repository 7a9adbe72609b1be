"""Stored suggestion runs: what the engine suggested, kept for the secretariat to review.

The engine (``suggest.py``, ``seeded.py``) reads and writes no table; these rows hold its
answer for one scope (a goal, a focus area or the whole consultation) until a person decides
on each suggestion. Nothing here tags an input: accepting a suggestion does, through
``consult.analysis.services`` (``consult.themes.service``).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column
from sqlalchemy import Float
from sqlalchemy import ForeignKey
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


class SuggestionState(enum.StrEnum):
    """What a person decided on a suggestion; ``open`` until someone does."""

    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    #: Its inputs went into another suggestion (``merged_into_id``).
    MERGED = "merged"
    #: The engine ran again on its inputs; the parts point at it (``parent_id``).
    SPLIT = "split"


#: Members of a suggestion with how well each fits (the engine's cosine, 0..1).
theme_suggestion_inputs = Table(
    "theme_suggestion_inputs",
    db.metadata,
    Column(
        "suggestion_id",
        ForeignKey("theme_suggestions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("input_id", ForeignKey("inputs.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("score", Float, nullable=False, default=0.0),
)


class ThemeRun(db.Model):
    """One request for suggestions on a scope; the job fills in its suggestions."""

    __tablename__ = "theme_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    #: The goal or focus area asked about (a focus area covers its goals); None: everything.
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    #: The number of themes asked for; None lets the engine choose.
    k: Mapped[int | None]
    #: The number the engine used, once it has run.
    k_used: Mapped[int | None]
    input_count: Mapped[int] = mapped_column(default=0)
    #: Inputs without usable words ("Ok!"): in no suggestion.
    unassigned: Mapped[int] = mapped_column(default=0)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    job: Mapped[object | None] = relationship("Job")
    item: Mapped[object | None] = relationship("Item")
    requested_by: Mapped[object | None] = relationship("User")


class ThemeSuggestion(db.Model):
    """One suggested theme: its words, its members, and what a person decided."""

    __tablename__ = "theme_suggestions"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("theme_runs.id", ondelete="CASCADE"), index=True)
    #: Set on the parts of a split suggestion.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("theme_suggestions.id", ondelete="CASCADE"), index=True
    )
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("theme_suggestions.id", ondelete="SET NULL")
    )
    #: Largest first, as the engine ordered them.
    position: Mapped[int] = mapped_column(default=0)
    #: Its characteristic words, most characteristic first, as people wrote them.
    words: Mapped[str] = mapped_column(Text, default="")
    #: The name a person gave it (the tag's name once accepted); "" until then.
    name: Mapped[str] = mapped_column(String(80), default="")
    state: Mapped[SuggestionState] = mapped_column(
        enum_column(SuggestionState), default=SuggestionState.OPEN
    )
    size: Mapped[int] = mapped_column(default=0)
    tag_id: Mapped[int | None] = mapped_column(ForeignKey("tags.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    run: Mapped[ThemeRun] = relationship()
    tag: Mapped[object | None] = relationship("Tag")

    @property
    def label(self) -> str:
        """What the page calls it: the name given, else its words."""
        return self.name or self.words
