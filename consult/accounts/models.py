"""Users and their server-side login sessions."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from consult.db import TimestampMixin
from consult.db import UTCDateTime
from consult.db import enum_column
from consult.db import utcnow
from consult.extensions import db


class Role(enum.StrEnum):
    ADMIN = "admin"
    SECRETARIAT = "secretariat"
    MODERATOR = "moderator"
    FACILITATOR = "facilitator"
    #: Approves the memo and the final draft for a party (region, KKR, PLO): consult.approvals.
    APPROVER = "approver"
    RESPONDENT = "respondent"

    @property
    def is_staff(self) -> bool:
        return self is not Role.RESPONDENT


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased; unique.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.RESPONDENT)
    #: The interface language the person chose; None follows the browser.
    locale: Mapped[str | None] = mapped_column(String(5))
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_disabled: Mapped[bool] = mapped_column(default=False)
    #: Bumped on every password change; reset links carry it, so each works once.
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The base32 TOTP secret of a staff member's second factor, sealed (``totp.seal``: only
    #: this installation's SECRET_KEY opens it); enabled once a code proved it.
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The 30-second step of the last code accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None]
    #: The OpenID Connect provider's stable subject ("sub", Entra ID's "oid") of a staff member
    #: who signs in there; None for password accounts.
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True)

    login_sessions: Mapped[list[LoginSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_active(self) -> bool:  # Flask-Login
        return not self.is_disabled

    @property
    def is_staff(self) -> bool:
        return self.role.is_staff

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class LoginSession(db.Model):
    """One signed-in browser. The cookie holds only a hash's preimage; ending the row ends it."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the random token kept in the signed session cookie.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="login_sessions")


class RecoveryCode(db.Model):
    """A one-time code that stands in for a lost authenticator; only its hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the code (ten random characters: a hash is enough, nobody guesses 50 bits
    #: through a rate-limited form).
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ParkedPost(db.Model):
    """A form sent after its author's sign-in ended, kept to be sent again after signing in.

    Bound to the account whose sign-in ended; kept for a couple of hours
    (``consult.accounts.timeout``). The token's hash is stored, never the token.
    """

    __tablename__ = "parked_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The path the form was sent to; it is sent there again.
    path: Mapped[str] = mapped_column(String(500))
    #: The fields as a JSON list of [name, value] pairs, in their order.
    fields: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
