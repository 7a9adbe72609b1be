"""Signed, expiring links for e-mail confirmation and password reset."""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature
from itsdangerous import SignatureExpired
from itsdangerous import URLSafeTimedSerializer

from consult.accounts.models import User
from consult.extensions import db

CONFIRM = "consult.confirm-email"
RESET = "consult.reset-password"


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _fingerprint(user: User) -> str:
    """Changes whenever the password does, so a reset link works once."""
    return hashlib.sha256(
        f"{user.password_hash}|{user.password_changed_at.isoformat()}".encode()
    ).hexdigest()[:16]


def make_confirm_token(user: User) -> str:
    return _serializer(CONFIRM).dumps({"id": user.id, "email": user.email})


def make_reset_token(user: User) -> str:
    return _serializer(RESET).dumps({"id": user.id, "fp": _fingerprint(user)})


def read_confirm_token(token: str) -> User | None:
    """Return the user the link confirms, or None when it is bad, expired or outdated."""
    try:
        data = _serializer(CONFIRM).loads(
            token, max_age=current_app.config["CONFIRM_TOKEN_MAX_AGE"]
        )
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("id"))
    if user is None or user.email != data.get("email"):
        return None
    return user


def read_reset_token(token: str) -> User | None:
    try:
        data = _serializer(RESET).loads(token, max_age=current_app.config["RESET_TOKEN_MAX_AGE"])
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("id"))
    if user is None or user.is_disabled or data.get("fp") != _fingerprint(user):
        return None
    return user
