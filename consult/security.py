"""Security wiring: secret key policy, server-side login sessions, response headers."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from pathlib import Path

import click
from flask import Flask
from flask import current_app
from flask import request
from flask import session
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from werkzeug.middleware.proxy_fix import ProxyFix

from consult.db import utcnow
from consult.extensions import db
from consult.extensions import login_manager

MIN_SECRET_LENGTH = 32
WEAK_SECRETS = {"dev", "secret", "changeme", "change-me", "development", "test"}

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


class WeakSecretKeyError(RuntimeError):
    pass


def _is_weak(key: str | None) -> bool:
    return not key or len(key) < MIN_SECRET_LENGTH or key.lower() in WEAK_SECRETS


def _serving() -> bool:
    """Return False when a CLI command other than ``flask run`` is loading the app."""
    ctx = click.get_current_context(silent=True)
    return ctx is None or ctx.info_name == "run"


def configure_secret_key(app: Flask) -> None:
    """Refuse to serve with a weak key, except in development and tests.

    Development keeps a generated key in ``instance/secret_key`` so sign-ins survive a restart.
    CLI commands that serve nothing (migrations, the demo) get a throwaway key.
    """
    if not _is_weak(app.config.get("SECRET_KEY")):
        return
    if app.config.get("ENV") == "development":
        path = Path(app.instance_path) / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        app.config["SECRET_KEY"] = path.read_text().strip()
    elif app.testing or not _serving():
        app.config["SECRET_KEY"] = secrets.token_urlsafe(48)
    else:
        raise WeakSecretKeyError(
            "CONSULT_SECRET_KEY is missing or weak: set it to at least "
            f"{MIN_SECRET_LENGTH} random characters (python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))')."
        )


# --- server-side login sessions ---------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _limits(user) -> tuple[timedelta, timedelta]:
    cfg = current_app.config
    if user.is_staff:
        return (
            timedelta(minutes=cfg["STAFF_IDLE_MINUTES"]),
            timedelta(hours=cfg["STAFF_ABSOLUTE_HOURS"]),
        )
    return (
        timedelta(minutes=cfg["RESPONDENT_IDLE_MINUTES"]),
        timedelta(hours=cfg["RESPONDENT_ABSOLUTE_HOURS"]),
    )


def idle_limit(user) -> timedelta:
    """How long a sign-in of ``user`` lasts without a request."""
    return _limits(user)[0]


def new_login_session(user) -> str:
    """Record a new signed-in browser and return its token (only its hash is stored)."""
    from consult.accounts.models import LoginSession

    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user=user, token_hash=_hash(token)))
    return token


def start_login_session(user) -> None:
    """Sign this browser in; the session cookie carries only the login session's token."""
    token = new_login_session(user)
    session.clear()  # a fresh session (and CSRF token) on sign-in: no fixation
    session["sid"] = token
    session.permanent = True


def end_login_session() -> None:
    """End this browser's login session, server side, so a copied cookie stops working."""
    from consult.accounts.models import LoginSession

    token = session.get("sid")
    if token:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == _hash(token), LoginSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )


def end_all_login_sessions(user, keep_current: bool = False) -> None:
    """End every login session of ``user`` (password change, reset, disabling)."""
    from consult.accounts.models import LoginSession

    stmt = (
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    token = session.get("sid") if keep_current else None  # no request (CLI) unless keeping one
    if token:
        stmt = stmt.where(LoginSession.token_hash != _hash(token))
    db.session.execute(stmt)


@login_manager.user_loader
def load_user(user_id: str):
    """Load the user only while their login session is alive (not ended, idle or too old)."""
    from consult.accounts.models import LoginSession
    from consult.accounts.models import User

    token = session.get("sid")
    if not token or not user_id.isdigit():
        return None
    row = db.session.execute(
        select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.token_hash == _hash(token), User.id == int(user_id))
    ).first()
    if row is None:
        return None
    login, user = row
    now = utcnow()
    idle, absolute = _limits(user)
    if login.ended_at is not None or user.is_disabled:
        return None  # ended on purpose (or disabled, also straight in the database)
    if now - login.last_seen_at > idle or now - login.created_at > absolute:
        from consult.accounts.timeout import note_expired

        note_expired(login, "idle" if now - login.last_seen_at > idle else "absolute")
        return None
    # Write at most once a minute: keep the idle clock without a write per request.
    if now - login.last_seen_at > timedelta(minutes=1):
        login.last_seen_at = now
        commit_bookkeeping()
    return user


def commit_bookkeeping() -> None:
    """Commit a write nobody waits for (idle clock, language); skip it if the database is busy.

    On SQLite a reading request that then writes cannot wait for the lock (SQLite refuses at
    once to avoid a deadlock); losing one such write is harmless, failing the page is not.
    """
    try:
        db.session.commit()
    except OperationalError:
        db.session.rollback()
        current_app.logger.info("bookkeeping write skipped: database busy")


# --- headers ----------------------------------------------------------------------------------


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    # same-origin, not no-referrer: Flask-WTF checks the Referer on HTTPS form posts.
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config["BEHIND_TLS"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if current_user.is_authenticated or request.method == "POST":
        # Pages for a signed-in person (or echoing what they typed) are never cached; a view
        # that already said so (a letter: "private, no-store") keeps its own words.
        if "no-store" not in headers.get("Cache-Control", ""):
            headers["Cache-Control"] = "no-store"
        headers["Vary"] = "Cookie"
    return response


def init_app(app: Flask) -> None:
    configure_secret_key(app)
    if app.config["BEHIND_TLS"]:
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    if app.config["PROXY_COUNT"]:
        n = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    app.after_request(set_security_headers)
