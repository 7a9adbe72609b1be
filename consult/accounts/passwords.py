"""Argon2id password hashes, with the parameters the configuration names.

Production uses RFC 9106's second recommendation (argon2-cffi's default: 64 MiB, 3 passes);
the tests use argon2-cffi's cheapest profile, so a thousand test accounts cost no minutes.
A hash carries its own parameters, so verifying works whichever profile made it, and a sign-in
re-hashes a password whose parameters differ from the configured ones.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2 import profiles
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from flask import current_app

MIN_LENGTH = 10


@cache
def _hasher_for(profile: str) -> tuple[PasswordHasher, str]:
    """Return the hasher for a named argon2-cffi profile and a dummy hash made with it."""
    hasher = PasswordHasher.from_parameters(getattr(profiles, profile))
    #: Verified against when the e-mail is unknown, so the answer takes as long either way.
    dummy = hasher.hash("not-a-real-password")
    return hasher, dummy


def _hasher() -> tuple[PasswordHasher, str]:
    return _hasher_for(current_app.config["ARGON2_PROFILE"])


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Return whether ``password`` matches; spend the same time when there is no hash."""
    hasher, dummy = _hasher()
    try:
        return hasher.verify(password_hash or dummy, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher()[0].check_needs_rehash(password_hash)
