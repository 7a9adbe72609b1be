"""The second step of a password sign-in (TOTP), enrolling in it, and OpenID Connect.

``views`` adds these to the accounts blueprint (ROUTES at the bottom). Between the password
and the code, the signed session cookie holds only the user's id and when the password was
right (``PENDING``); no login session exists until the code is, and it lapses after
``PENDING_SECONDS``.
"""

from __future__ import annotations

import time

from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_user

from consult.accounts import oidc
from consult.accounts import totp
from consult.accounts.forms import CodeForm
from consult.accounts.forms import EmptyForm
from consult.accounts.models import User
from consult.extensions import db
from consult.extensions import limiter
from consult.permissions import is_staff
from consult.permissions import public
from consult.permissions import requires
from consult.security import start_login_session

PENDING = "second_step"
PENDING_SECRET = "totp_secret"  # noqa: S105 - a session key
PENDING_SECONDS = 300


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def begin_second_step(user: User, next_url: str | None):
    """The password was right; ask for the code (or for enrolment) before signing in."""
    session.pop(PENDING_SECRET, None)
    session[PENDING] = {"user": user.id, "at": int(time.time()), "next": next_url}
    if user.totp_enabled_at is None:
        return redirect(url_for("accounts.enrol_second_step"))
    return redirect(url_for("accounts.second_step"))


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending["user"])
    return user if user is not None and not user.is_disabled else None


def _finish(user: User):
    from consult.accounts.views import _landing

    target = (session.get(PENDING) or {}).get("next")
    start_login_session(user)  # clears the session: the pending step goes with it
    login_user(user)
    if user.locale:
        session["lang"] = user.locale
    db.session.commit()
    return redirect(target or _landing(user))


@public
@limiter.limit(_login_limit, methods=["POST"])
def second_step():
    user = _pending_user()
    if user is None:
        return render_template("accounts/second_step_lapsed.html"), 400
    if user.totp_enabled_at is None:
        return redirect(url_for("accounts.enrol_second_step"))
    form = CodeForm()
    if form.validate_on_submit():
        if totp.check(user, form.code.data):
            return _finish(user)
        db.session.commit()  # nothing to keep, but end the transaction the check read in
        form.code.errors.append(_("The code is wrong or too old. Try the newest one."))
    return render_template("accounts/second_step.html", form=form)


def _enrol_page(user: User, form: CodeForm, action: str):
    secret = session.get(PENDING_SECRET)
    if not secret:
        secret = session[PENDING_SECRET] = totp.new_secret()
    uri = totp.provisioning_uri(user, secret)
    return render_template(
        "accounts/totp_enrol.html",
        form=form,
        secret=secret,
        qr=totp.qr_data_uri(uri),
        action=action,
    )


@public
@limiter.limit(_login_limit, methods=["POST"])
def enrol_second_step():
    """Staff who must use a second factor set it up before their first sign-in completes."""
    user = _pending_user()
    if user is None:
        return render_template("accounts/second_step_lapsed.html"), 400
    form = CodeForm()
    secret = session.get(PENDING_SECRET)
    if form.validate_on_submit() and secret:
        if totp.verify_code(secret, form.code.data):
            codes = totp.enable(user, secret, form.code.data)
            response = _finish(user)
            return render_template(
                "accounts/recovery_codes.html", codes=codes, next_url=response.location
            )
        form.code.errors.append(_("The code is wrong or too old. Try the newest one."))
    return _enrol_page(user, form, url_for("accounts.enrol_second_step"))


@requires(is_staff)
@limiter.limit(_login_limit, methods=["POST"])
def set_up_second_step():
    """A signed-in staff member sets up the factor, or moves it to a new phone."""
    user = current_user._get_current_object()
    form = CodeForm()
    # The new secret waits in the session until a code proves it (reloading keeps it).
    secret = session.get(PENDING_SECRET)
    if form.validate_on_submit() and secret:
        if totp.verify_code(secret, form.code.data):
            codes = totp.enable(user, secret, form.code.data)
            session.pop(PENDING_SECRET, None)
            db.session.commit()
            return render_template(
                "accounts/recovery_codes.html",
                codes=codes,
                next_url=url_for("accounts.show_account"),
            )
        form.code.errors.append(_("The code is wrong or too old. Try the newest one."))
    return _enrol_page(user, form, url_for("accounts.set_up_second_step"))


@requires(is_staff)
def renew_recovery_codes():
    user = current_user._get_current_object()
    if not EmptyForm().validate_on_submit() or user.totp_enabled_at is None:
        return redirect(url_for("accounts.show_account"))
    codes = totp.new_recovery_codes(user)
    db.session.commit()
    return render_template(
        "accounts/recovery_codes.html", codes=codes, next_url=url_for("accounts.show_account")
    )


# --- OpenID Connect -------------------------------------------------------------------------


@public
def oidc_login():
    if not oidc.enabled():
        abort(404)
    from consult.accounts.views import safe_next

    session["oidc_next"] = safe_next(request.args.get("next"))
    return oidc.client().authorize_redirect(url_for("accounts.oidc_callback", _external=True))


@public
@limiter.limit(_login_limit)
def oidc_callback():
    from authlib.integrations.base_client.errors import OAuthError

    if not oidc.enabled():
        abort(404)
    next_url = session.pop("oidc_next", None)
    try:
        token = oidc.client().authorize_access_token()
    except OAuthError as exc:
        current_app.logger.warning("oidc sign-in refused: %s", exc.error)
        flash(_("The sign-in through your organisation did not succeed. Try again."), "error")
        return redirect(url_for("accounts.login"))
    claims = token.get("userinfo") or {}
    try:
        user = oidc.user_for(dict(claims))
    except oidc.NoRole:
        db.session.rollback()
        return render_template("accounts/oidc_no_role.html"), 403
    if user.is_disabled:
        db.session.commit()
        flash(_("This account is disabled."), "error")
        return redirect(url_for("accounts.login"))
    session[PENDING] = {"next": next_url}
    return _finish(user)


ROUTES = [
    ("/login/code", second_step, ["GET", "POST"]),
    ("/login/set-up-code", enrol_second_step, ["GET", "POST"]),
    ("/two-step", set_up_second_step, ["GET", "POST"]),
    ("/two-step/recovery-codes", renew_recovery_codes, ["POST"]),
    ("/oidc/login", oidc_login, ["GET"]),
    ("/oidc/callback", oidc_callback, ["GET"]),
]
