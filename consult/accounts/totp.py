"""A second factor for staff who sign in with a password: TOTP (RFC 6238) and recovery codes.

A staff member enrols by scanning a QR code (or typing the secret) into an authenticator app
and typing one code back; only then is the factor on, and ten recovery codes are shown once
(only their hashes are kept). Signing in then asks for a code after the password. Staff who
sign in through the organisation's OpenID Connect provider get their second factor there.

The secret is stored sealed (Fernet: AES-128-CBC with an HMAC, from ``cryptography``) under a
key derived from ``SECRET_KEY`` by HKDF, so a copy of the database alone (a backup, a leaked
dump) does not give anyone the second factor. Rotating ``SECRET_KEY`` keeps working when the
old key is listed in ``SECRET_KEY_FALLBACKS``: a secret sealed under it is read, and sealed
again under the new key at the next sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

import pyotp
import segno
from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken
from cryptography.fernet import MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy import update

from consult.accounts.models import RecoveryCode
from consult.accounts.models import User
from consult.audit import labels as audit_labels
from consult.audit.services import record
from consult.db import utcnow
from consult.extensions import db

audit_labels.register(
    actions={
        "accounts.enable_totp": _l("Two-step sign-in set up"),
        "accounts.use_recovery_code": _l("Recovery code used"),
        "accounts.link_oidc": _l("Account linked to the organisation's sign-in"),
        "accounts.create_oidc": _l("Account made at the organisation's sign-in"),
    }
)

RECOVERY_CODES = 10
#: Recovery codes are read aloud and typed: no 0/O, 1/l/I.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def needs_second_factor(user: User) -> bool:
    """Whether a password sign-in of ``user`` must also give a code (or enrol first)."""
    if user.totp_enabled_at is not None:
        return True
    return user.is_staff and bool(current_app.config["STAFF_TOTP_REQUIRED"])


def _fernet() -> MultiFernet:
    """The current key first, then the fallbacks (read only)."""
    keys = [
        current_app.config["SECRET_KEY"],
        *(current_app.config.get("SECRET_KEY_FALLBACKS") or []),
    ]
    derived = []
    for key in keys:
        raw = key.encode() if isinstance(key, str) else key
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"consult totp secret")
        derived.append(Fernet(base64.urlsafe_b64encode(hkdf.derive(raw))))
    return MultiFernet(derived)


def seal(secret: str) -> str:
    """The secret as stored: sealed under the current key."""
    return _fernet().encrypt(secret.encode()).decode()


def unseal(stored: str | None) -> str | None:
    """The secret of a stored value, or None when no key of this installation sealed it."""
    if not stored:
        return None
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["TOTP_ISSUER"]
    )


def qr_data_uri(uri: str) -> str:
    """The QR code as an SVG data URI (the CSP allows data: images, never inline markup)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _code(raw: str) -> str:
    return "".join(raw.split()).replace("-", "").lower()


def _step(secret: str | None, code: str) -> int | None:
    """The 30-second step whose code this is (one step of clock drift either way), or None."""
    code = _code(code)
    if not secret or not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = utcnow()
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify_code(secret: str | None, code: str) -> bool:
    """Check a six-digit code against a secret being enrolled."""
    return _step(secret, code) is not None


def use_code(user: User, code: str) -> bool:
    """Accept a code of the user's app once: a step used before (a replayed code) is refused."""
    step = _step(unseal(user.totp_secret), code)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    # Sealed under a fallback key (SECRET_KEY was rotated): seal it under the current one.
    user.totp_secret = _fernet().rotate(user.totp_secret.encode()).decode()
    return True


def _hash(code: str) -> str:
    return hashlib.sha256(_code(code).encode()).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones; return them (shown once)."""
    db.session.query(RecoveryCode).filter(RecoveryCode.user_id == user.id).delete()
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash(raw)))
    db.session.flush()
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Use up one recovery code; True when it was valid and unused (a conditional update)."""
    digest = _hash(code)
    for row in db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ):
        if hmac.compare_digest(row.code_hash, digest):
            used = db.session.execute(
                update(RecoveryCode)
                .where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
                .values(used_at=utcnow())
            )
            if used.rowcount == 1:
                record(user, "accounts.use_recovery_code", "user", user.id)
                return True
    return False


def check(user: User, code: str) -> bool:
    """A code from the app, or else a recovery code."""
    return use_code(user, code) or use_recovery_code(user, code)


def enable(user: User, secret: str, code: str) -> list[str]:
    """Turn the factor on with the secret ``code`` proved; return new recovery codes.

    The enrolling code counts as used: it cannot sign anyone in afterwards.
    """
    user.totp_secret = seal(secret)
    user.totp_enabled_at = utcnow()
    user.totp_last_step = _step(secret, code)
    record(user, "accounts.enable_totp", "user", user.id)
    return new_recovery_codes(user)


def remaining_recovery_codes(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )
