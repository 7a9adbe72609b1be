"""When each consultation's memo was published: retention periods count from it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import event
from sqlalchemy import inspect
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import Session
from sqlalchemy.orm import mapped_column

from consult.db import UTCDateTime
from consult.db import utcnow
from consult.extensions import db


class MemoPublication(db.Model):
    """The moment a consultation first reached "published" (its høringsnotat is out)."""

    __tablename__ = "memo_publications"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@event.listens_for(Session, "before_flush")
def _note_publication(session: Session, flush_context, instances) -> None:
    """Write the clock when a consultation's status becomes "published" (once)."""
    from consult.drafts.models import Consultation
    from consult.drafts.models import Status

    for obj in session.dirty:
        if not isinstance(obj, Consultation):
            continue
        history = inspect(obj).attrs.status.history
        if (
            history.added
            and history.added[0] is Status.PUBLISHED
            and not history.deleted == [Status.PUBLISHED]
        ):
            if session.get(MemoPublication, obj.id) is None:
                session.add(MemoPublication(consultation_id=obj.id))
