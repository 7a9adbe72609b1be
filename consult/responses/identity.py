"""Who is responding: an account with a confirmed address, or a person who came by e-mail link.

A one-off respondent has no password. The link in their e-mail (a RespondentLink: random,
stored only as a hash, used once, valid for ``RESPOND_LINK_MAX_AGE``) proves the address;
pressing the button on the page it opens keeps this device as them by a RespondentSession,
whose random token sits in the signed session cookie. "Forget this device" ends that row, so a
copied cookie stops working as well. From another device they ask for a new link.

Reading who is here never writes: only the POSTs that use a link or forget a device do.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from datetime import timedelta

from flask import current_app
from flask import session
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy import update

from consult.db import utcnow
from consult.extensions import db
from consult.responses.models import Respondent
from consult.responses.models import RespondentLink
from consult.responses.models import RespondentSession
from consult.responses.services import find_respondent_for_user

#: The session cookie's key for this device's one-off token (not the respondent's id).
SESSION_KEY = "respondent_device"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def current_respondent() -> Respondent | None:
    """Return who responds on this request, if anyone is known yet; never writes.

    A signed-in account counts only once its address is confirmed; else this device's
    one-off respondent, while its server-side row lives.
    """
    if current_user.is_authenticated:
        return find_respondent_for_user(current_user)
    return device_respondent()


def device_respondent() -> Respondent | None:
    """Return the one-off respondent this device was kept as, unless forgotten or too old."""
    token = session.get(SESSION_KEY)
    if not token:
        return None
    device = db.session.scalar(
        select(RespondentSession).where(RespondentSession.token_hash == _hash(token))
    )
    lifetime = timedelta(hours=current_app.config["RESPONDENT_ABSOLUTE_HOURS"])
    if device is None or device.ended_at is not None or utcnow() - device.created_at > lifetime:
        return None
    return device.respondent


def respondent_for_email(email: str, locale: str) -> Respondent:
    respondent = db.session.scalar(select(Respondent).where(Respondent.email == email))
    if respondent is None:
        respondent = Respondent(email=email, locale=locale)
        db.session.add(respondent)
        db.session.flush()
    return respondent


def make_link(respondent: Respondent, consultation) -> str:
    """Store a one-time link to the consultation for the respondent; return its token."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        RespondentLink(
            respondent_id=respondent.id, consultation_id=consultation.id, token_hash=_hash(token)
        )
    )
    db.session.flush()
    return token


def find_link(token: str, consultation=None) -> RespondentLink | None:
    """Return the stored link with this token (to this consultation), used or not."""
    stmt = select(RespondentLink).where(RespondentLink.token_hash == _hash(token))
    if consultation is not None:
        stmt = stmt.where(RespondentLink.consultation_id == consultation.id)
    return db.session.scalar(stmt)


def link_usable(link: RespondentLink, now: datetime | None = None) -> bool:
    """Whether the link is unused and young enough to open the response."""
    max_age = timedelta(seconds=current_app.config["RESPOND_LINK_MAX_AGE"])
    return link.used_at is None and (now or utcnow()) - link.created_at < max_age


def use_link(link: RespondentLink, now: datetime | None = None) -> Respondent | None:
    """Use the link up and return its respondent; None when it is used or stale.

    The update is conditional, so of two presses at once (two tabs, two devices) one wins.
    """
    now = now or utcnow()
    if not link_usable(link, now):
        return None
    used = db.session.execute(
        update(RespondentLink)
        .where(RespondentLink.id == link.id, RespondentLink.used_at.is_(None))
        .values(used_at=now)
    )
    return link.respondent if used.rowcount == 1 else None


def remember(respondent: Respondent, now: datetime | None = None) -> None:
    """The link proved the address: keep this device as the respondent until it is forgotten."""
    now = now or utcnow()
    forget(now)  # one device, one respondent
    respondent.email_confirmed_at = respondent.email_confirmed_at or now
    token = secrets.token_urlsafe(32)
    db.session.add(
        RespondentSession(respondent_id=respondent.id, token_hash=_hash(token), created_at=now)
    )
    session[SESSION_KEY] = token
    session.permanent = True


def forget(now: datetime | None = None) -> None:
    """End this device's one-off identity on the server, then drop it from the cookie."""
    token = session.pop(SESSION_KEY, None)
    if token:
        db.session.execute(
            update(RespondentSession)
            .where(
                RespondentSession.token_hash == _hash(token), RespondentSession.ended_at.is_(None)
            )
            .values(ended_at=now or utcnow())
        )
