"""Who is responding: a signed-in user, or a person who confirmed an e-mail link.

A one-off respondent has no password: the link in their e-mail proves the address and keeps
them on this device (in the signed session cookie). From another device they ask for a new link.
"""

from __future__ import annotations

from flask import current_app
from flask import session
from flask_login import current_user
from itsdangerous import BadSignature
from itsdangerous import SignatureExpired
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from consult.db import utcnow
from consult.extensions import db
from consult.responses.models import Respondent
from consult.responses.services import respondent_for_user

SALT = "consult.respond-link"
SESSION_KEY = "respondent_id"
#: A respond link works for a week: long enough to find it, short enough to go stale.
LINK_MAX_AGE = 7 * 24 * 3600


def current_respondent() -> Respondent | None:
    if current_user.is_authenticated:
        return respondent_for_user(current_user)
    respondent_id = session.get(SESSION_KEY)
    return db.session.get(Respondent, respondent_id) if respondent_id else None


def respondent_for_email(email: str, locale: str) -> Respondent:
    respondent = db.session.scalar(select(Respondent).where(Respondent.email == email))
    if respondent is None:
        respondent = Respondent(email=email, locale=locale)
        db.session.add(respondent)
        db.session.flush()
    return respondent


def make_link_token(respondent: Respondent, slug: str) -> str:
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)
    return serializer.dumps({"r": respondent.id, "e": respondent.email, "c": slug})


def read_link_token(token: str, slug: str) -> Respondent | None:
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)
    try:
        data = serializer.loads(token, max_age=LINK_MAX_AGE)
    except (BadSignature, SignatureExpired):
        return None
    respondent = db.session.get(Respondent, data.get("r"))
    if respondent is None or respondent.email != data.get("e") or data.get("c") != slug:
        return None
    return respondent


def remember(respondent: Respondent) -> None:
    """The link proved the address: keep this device as the respondent."""
    respondent.email_confirmed_at = respondent.email_confirmed_at or utcnow()
    session[SESSION_KEY] = respondent.id
    session.permanent = True


def forget() -> None:
    session.pop(SESSION_KEY, None)
