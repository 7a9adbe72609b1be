"""Staff sign-in through OpenID Connect (Microsoft Entra ID in the Danish regions).

Authlib does the protocol: discovery from ``OIDC_ISSUER``, the authorization code flow with
PKCE, and the ID token's checks (signature by the provider's keys, issuer, audience, expiry,
nonce). We map its claims to an account:

- the account is found by the provider's subject (``sub``), which never changes; a first
  sign-in links an existing account with the same e-mail address, or makes one;
- the role comes from the groups claim (``OIDC_GROUPS_CLAIM``) through ``OIDC_GROUP_ROLES``
  at every sign-in, so removing someone from a group in Entra ID takes the role away; a
  person in no mapped group is refused.
"""

from __future__ import annotations

from authlib.integrations.flask_client import OAuth
from flask import Flask
from flask import current_app
from sqlalchemy import select

from consult.accounts.models import Role
from consult.accounts.models import User
from consult.audit.services import record
from consult.db import utcnow
from consult.extensions import db

#: The strongest role wins when a person is in several mapped groups.
ROLE_ORDER = (Role.ADMIN, Role.SECRETARIAT, Role.MODERATOR, Role.FACILITATOR, Role.APPROVER)

oauth = OAuth()
#: Not an Argon2 hash, so no password ever matches it.
NO_PASSWORD = "!oidc"  # noqa: S105


class NoRole(Exception):
    """The provider vouched for the person, but none of their groups maps to a role here."""


def enabled() -> bool:
    return bool(current_app.config.get("OIDC_ISSUER"))


def client():
    return oauth.create_client("oidc")


def init_app(app: Flask) -> None:
    oauth.init_app(app)
    oauth._clients.pop("oidc", None)  # a new app (or new settings) registers it afresh
    issuer = app.config.get("OIDC_ISSUER")
    if not issuer:
        return
    oauth.register(
        "oidc",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": app.config["OIDC_SCOPES"],
            "code_challenge_method": "S256",
        },
        overwrite=True,
    )


def role_for(claims: dict) -> Role:
    """The role the person's groups give, strongest first; NoRole when none does."""
    groups = claims.get(current_app.config["OIDC_GROUPS_CLAIM"]) or []
    if isinstance(groups, str):
        groups = [groups]
    mapping = current_app.config["OIDC_GROUP_ROLES"] or {}
    roles = {Role(mapping[g]) for g in groups if g in mapping}
    for role in ROLE_ORDER:
        if role in roles:
            return role
    raise NoRole()


def user_for(claims: dict) -> User:
    """Find or make the account of the person the ID token names; set its role; flush."""
    from consult.accounts.services import normalize_email
    from consult.accounts.services import set_role

    subject = str(claims["sub"])
    role = role_for(claims)
    user = db.session.scalar(select(User).where(User.oidc_subject == subject))
    email = normalize_email(
        claims.get("email") or claims.get("preferred_username") or claims.get("upn") or ""
    )
    if user is None and email:
        user = db.session.scalar(
            select(User).where(User.email == email, User.oidc_subject.is_(None))
        )
        if user is not None:
            user.oidc_subject = subject
            record(None, "accounts.link_oidc", "user", user.id)
    if user is None:
        if not email:
            raise NoRole()
        user = User(
            email=email,
            name=str(claims.get("name") or ""),
            # No password: this account signs in only through the provider.
            password_hash=NO_PASSWORD,
            role=role,
            email_confirmed_at=utcnow(),
            oidc_subject=subject,
        )
        db.session.add(user)
        db.session.flush()
        record(None, "accounts.create_oidc", "user", user.id, role=role)
    elif user.role is not role:
        set_role(user, role)
    db.session.flush()
    return user
