"""ApiToken: a secretariat user's key to the full read API (all submitted input, drafts)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from consult.db import UTCDateTime
from consult.db import utcnow
from consult.extensions import db


class ApiToken(db.Model):
    """A bearer token for the read API. The token itself is shown once; only its hash is kept.

    It works while it is not revoked and its user is still secretariat (or admin) and not
    disabled: the role is checked at every use, so demoting a user stops their tokens.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: What the token is for, e.g. "Power BI"; shown on the tokens page.
    name: Mapped[str] = mapped_column(String(100))
    #: SHA-256 (hex) of the token; the token is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Kept to the minute: a request writes it at most once a minute.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[object] = relationship("User")

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} user={self.user_id}>"
