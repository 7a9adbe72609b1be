"""Account services: they flush, never commit."""

from __future__ import annotations

from sqlalchemy import select

from consult.accounts.models import Role
from consult.accounts.models import User
from consult.accounts.passwords import hash_password
from consult.accounts.signals import email_confirmed
from consult.audit.services import record
from consult.db import end_read_transaction
from consult.db import utcnow
from consult.extensions import db
from consult.sanitize import clean_text


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    # Addresses are stored lower-cased, so the unique index answers this.
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(
    email: str,
    password: str,
    *,
    role: Role = Role.RESPONDENT,
    name: str = "",
    confirmed: bool = False,
    locale: str | None = None,
) -> User:
    """Create an account; staff made from the CLI are confirmed at once."""
    user = User(
        email=normalize_email(email),
        name=clean_text(name, multiline=False),
        password_hash=hash_password(password),
        role=role,
        locale=locale,
        email_confirmed_at=utcnow() if confirmed else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def update_profile(user: User, *, name: str, locale: str) -> None:
    """Save the name and interface language the person chose."""
    user.name = clean_text(name, multiline=False)
    user.locale = locale
    db.session.flush()


def set_password(user: User, password: str) -> None:
    """Set a new password; the caller ends the user's other login sessions."""
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with this e-mail and password, else None (same work either way).

    The hash is checked with no transaction open, so a sign-in holds no database lock while
    Argon2 works (about 0.1 s, far more on a busy machine).
    """
    from consult.accounts.passwords import needs_rehash
    from consult.accounts.passwords import verify_password

    user = find_user_by_email(email)
    stored = user.password_hash if user else None
    usable = user is not None and not user.is_disabled
    end_read_transaction()
    if not verify_password(stored, password) or not usable:
        return None
    if needs_rehash(stored):
        # Hashed before the write: assigning does not load, only the flush takes the lock.
        user.password_hash = hash_password(password)
    return user


def set_role(user: User, role: Role, actor: User | None = None) -> None:
    """Give ``user`` a role; their sign-ins end, so they start over with the new rights."""
    from consult.security import end_all_login_sessions

    if user.role is not role:
        record(actor, "accounts.change_role", "user", user.id, old=user.role, new=role)
        user.role = role
        end_all_login_sessions(user)
        db.session.flush()


def set_disabled(user: User, disabled: bool, actor: User | None = None) -> None:
    """Disable or enable an account; disabling ends every sign-in at once."""
    from consult.security import end_all_login_sessions

    record(actor, "accounts.toggle_user", "user", user.id, disabled=disabled)
    user.is_disabled = disabled
    if disabled:
        end_all_login_sessions(user)
    db.session.flush()


def confirm_email(user: User) -> None:
    """Mark the address proved; other areas hear of it (``signals.email_confirmed``)."""
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        email_confirmed.send(user)


def send_confirmation(user: User) -> None:
    """Queue the confirmation mail in the user's language."""
    from flask import url_for
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from consult.accounts.tokens import make_confirm_token
    from consult.mail.services import queue_template

    with force_locale(user.locale or "da"):
        link = url_for("accounts.confirm_email", token=make_confirm_token(user), _external=True)
        queue_template(
            user.email, _("Confirm your e-mail address"), "confirm_email", user=user, link=link
        )


def send_already_registered(email: str, locale: str) -> None:
    """Tell the owner of an address that someone tried to register it again."""
    from flask import url_for
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from consult.mail.services import queue_template

    with force_locale(locale):
        queue_template(
            email,
            _("You already have an account"),
            "already_registered",
            login=url_for("accounts.login", _external=True),
            reset=url_for("accounts.forgot_password", _external=True),
        )


def send_password_reset(user: User) -> None:
    from flask import url_for
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from consult.accounts.tokens import make_reset_token
    from consult.mail.services import queue_template

    with force_locale(user.locale or "da"):
        link = url_for("accounts.reset_password", token=make_reset_token(user), _external=True)
        queue_template(
            user.email, _("Choose a new password"), "reset_password", user=user, link=link
        )


def register(email: str, password: str, name: str, locale: str) -> User | None:
    """Create an unconfirmed respondent and queue the confirmation mail.

    When the address has an account already, mail its owner instead and return None: the
    page looks the same either way, so the form never tells who is registered.
    """
    existing = find_user_by_email(email)
    known = (existing.email, existing.locale or locale) if existing is not None else None
    end_read_transaction()  # no lock held while Argon2 works
    if known is not None:
        # Hash anyway: without it a taken address answers faster than a new one.
        hash_password(password)
        send_already_registered(*known)
        return None
    user = create_user(email, password, name=name, locale=locale)
    send_confirmation(user)
    return user
