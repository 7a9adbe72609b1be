"""Meeting (the design's "session") -> agenda, groups, participants, inputs, feedback.

A Meeting is a theme or dialogue meeting run by facilitators. What is said is recorded as
MeetingInput, per goal and per group; participants confirm it afterwards (MeetingFeedback),
and once confirmed each input becomes an Input with channel "session" in the consultation.
"Session" is kept out of class names: it means a database or a browser session everywhere else.
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
from consult.db import utcnow
from consult.extensions import db
from consult.responses.models import Stance


class MeetingState(enum.StrEnum):
    PLANNED = "planned"
    LIVE = "live"
    #: Ended; the participants have the recorded input to agree with or object to.
    CONFIRMING = "confirming"
    #: Objections resolved; the input has entered the consultation.
    CONFIRMED = "confirmed"


class InputState(enum.StrEnum):
    #: Recorded by a facilitator, or a participant's input the facilitator took.
    ACCEPTED = "accepted"
    #: Sent from a participant's phone, waiting for the facilitator.
    PROPOSED = "proposed"
    #: Folded into another input (``merged_into_id``).
    MERGED = "merged"
    DISCARDED = "discarded"


class Verdict(enum.StrEnum):
    AGREE = "agree"
    COMMENT = "comment"
    OBJECT = "object"


meeting_facilitators = Table(
    "meeting_facilitators",
    db.metadata,
    Column("meeting_id", ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Meeting(TimestampMixin, db.Model):
    """A moderated session: a theme or dialogue meeting on part of the draft."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    #: The meeting's language: e-mails to participants and the minutes' default.
    locale: Mapped[str] = mapped_column(String(5), default="da")
    state: Mapped[MeetingState] = mapped_column(
        enum_column(MeetingState), default=MeetingState.PLANNED
    )
    #: How many took part in all (the groups' counts may not add up to it).
    participant_count: Mapped[int] = mapped_column(default=0)
    #: Participants type this on their phones; it works only while the meeting is live.
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    #: The agenda item in front of everyone now.
    current_item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="SET NULL"))
    #: Days the participants have to agree or object once the input is sent to them.
    confirm_days: Mapped[int] = mapped_column(default=8)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The end of the window for objections.
    confirm_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    consultation: Mapped[object] = relationship("Consultation")
    current_item: Mapped[object | None] = relationship("Item")
    facilitators: Mapped[list[object]] = relationship(
        "User", secondary=meeting_facilitators, order_by="User.email"
    )
    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting",
        order_by="AgendaItem.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    groups: Mapped[list[MeetingGroup]] = relationship(
        back_populates="meeting",
        order_by="MeetingGroup.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    participants: Mapped[list[Participant]] = relationship(
        back_populates="meeting",
        order_by="Participant.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class AgendaItem(db.Model):
    """A focus area, goal or initiative on the meeting's agenda, in order."""

    __tablename__ = "meeting_agenda"
    __table_args__ = (UniqueConstraint("meeting_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")
    item: Mapped[object] = relationship("Item")


class MeetingGroup(db.Model):
    """A group represented at the meeting: a respondent type, maybe an organisation, a count."""

    __tablename__ = "meeting_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    respondent_type_id: Mapped[int] = mapped_column(ForeignKey("respondent_types.id"))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    #: How many people of this group took part.
    participant_count: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)

    meeting: Mapped[Meeting] = relationship(back_populates="groups")
    respondent_type: Mapped[object] = relationship("RespondentType")


class Participant(db.Model):
    """A participant who gave an e-mail address, to confirm the recorded input afterwards."""

    __tablename__ = "meeting_participants"
    __table_args__ = (UniqueConstraint("meeting_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    #: When the link to confirm was sent.
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    meeting: Mapped[Meeting] = relationship(back_populates="participants")


class MeetingInput(TimestampMixin, db.Model):
    """What was said on one goal or initiative, by one group or the group as a whole."""

    __tablename__ = "meeting_inputs"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    revision_id: Mapped[int] = mapped_column(ForeignKey("item_revisions.id"))
    #: Who said it; None is the group as a whole.
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_groups.id", ondelete="SET NULL")
    )
    stance: Mapped[Stance | None] = mapped_column(enum_column(Stance, length=24))
    text: Mapped[str] = mapped_column(Text, default="")
    proposed_wording: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[InputState] = mapped_column(enum_column(InputState), default=InputState.ACCEPTED)
    #: True when a participant sent it from a phone.
    from_participant: Mapped[bool] = mapped_column(default=False)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_inputs.id", ondelete="SET NULL")
    )
    #: How the facilitator dealt with the objections to it.
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The consultation's Input it became once the meeting was confirmed.
    input_id: Mapped[int | None] = mapped_column(ForeignKey("inputs.id", ondelete="SET NULL"))

    meeting: Mapped[Meeting] = relationship()
    item: Mapped[object] = relationship("Item")
    revision: Mapped[object] = relationship("ItemRevision")
    group: Mapped[MeetingGroup | None] = relationship()
    feedback: Mapped[list[Feedback]] = relationship(
        back_populates="meeting_input",
        order_by="Feedback.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Feedback(db.Model):
    """A participant agrees with, comments on or objects to one recorded input."""

    __tablename__ = "meeting_feedback"
    __table_args__ = (UniqueConstraint("participant_id", "meeting_input_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_participants.id", ondelete="CASCADE")
    )
    meeting_input_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_inputs.id", ondelete="CASCADE"), index=True
    )
    verdict: Mapped[Verdict] = mapped_column(enum_column(Verdict))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    participant: Mapped[Participant] = relationship()
    meeting_input: Mapped[MeetingInput] = relationship(back_populates="feedback")
