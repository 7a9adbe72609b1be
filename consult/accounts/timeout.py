"""Sign-in time limits people can live with (WCAG 2.2.1 Timing Adjustable).

Staff sign-ins end after ``STAFF_IDLE_MINUTES`` without a request. Three things make that
safe for someone who was writing a long reply:

- **a warning before the limit**, with a button that extends it (``static/timeout.js`` reads
  the limit from ``<meta name="session-idle-seconds">`` and posts to ``keep_alive``);
- **nothing typed is lost**: a form posted after the sign-in ended is parked server side,
  bound to the account whose sign-in ended, and offered again once that person has signed
  in (``resume``): the fields come back in a form they send with one button;
- **the sign-in page says why** the person was signed out.

A parked post lives for ``PARKED_POST_HOURS`` and is shown only to its own account.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import g
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update

from consult.accounts.models import LoginSession
from consult.accounts.models import ParkedPost
from consult.db import utcnow
from consult.extensions import db
from consult.permissions import is_signed_in
from consult.permissions import requires
from consult.security import _hash
from consult.security import idle_limit

bp = Blueprint("signin_time", __name__, url_prefix="/account/time")

#: How long a form sent after the sign-in ended waits for its author to sign in again.
PARKED_POST_HOURS = 2
#: Fields never parked: the old CSRF token (a fresh one comes with the resent form).
SKIPPED = {"csrf_token"}


def note_expired(login: LoginSession, reason: str) -> None:
    """Remember, for this request, whose sign-in just ran out (``security.load_user``)."""
    g.expired_login = (login.user_id, reason)


def signed_out_redirect():
    """Where an unsigned request goes: the sign-in page, saying why, keeping what was sent."""
    expired = g.get("expired_login")
    target = request.full_path.rstrip("?")
    if expired is not None:
        user_id, reason = expired
        minutes = current_app.config["STAFF_IDLE_MINUTES"]
        if reason == "idle":
            message = _(
                "You were signed out after %(minutes)d minutes without activity.", minutes=minutes
            )
        else:
            message = _("You were signed out because your sign-in had lasted its longest time.")
        if request.method == "POST" and _has_fields():
            token = _park(user_id)
            target = url_for("signin_time.resume", token=token)
            message += " " + _("Sign in again: what you sent is kept, and you can send it again.")
            if request.files:
                message += " " + _("An attached file is not kept: choose it again.")
        flash(message, "info")
    elif request.method == "POST":
        target = request.referrer if _same_site(request.referrer) else "/"
    return redirect(url_for("accounts.login", next=target))


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)


def _has_fields() -> bool:
    return any(key not in SKIPPED for key in request.form)


def _park(user_id: int) -> str:
    token = secrets.token_urlsafe(24)
    fields = [(k, v) for k, v in request.form.items(multi=True) if k not in SKIPPED]
    db.session.add(
        ParkedPost(
            user_id=user_id,
            token_hash=_hash(token),
            path=request.path,
            fields=json.dumps(fields, ensure_ascii=False),
        )
    )
    db.session.commit()
    return token


@bp.route("/resume/<token>")
@requires(is_signed_in)
def resume(token: str):
    """The form sent after the sign-in ended, to send again with one button."""
    since = utcnow() - timedelta(hours=PARKED_POST_HOURS)
    parked = db.session.scalar(
        select(ParkedPost).where(
            ParkedPost.token_hash == _hash(token),
            ParkedPost.user_id == current_user.id,
            ParkedPost.created_at > since,
        )
    )
    if parked is None:
        flash(_("What you sent is no longer kept (it is kept for two hours)."), "info")
        return redirect(url_for("accounts.show_account"))
    fields = json.loads(parked.fields)
    # What reads as text (words with spaces) is shown, so the person sees what they send.
    texts = [value for _name, value in fields if value and any(c.isspace() for c in value.strip())]
    return render_template("accounts/resume.html", parked=parked, fields=fields, texts=texts)


@bp.route("/keep-alive", methods=["POST"])
@requires(is_signed_in)
def keep_alive():
    """The warning's "Stay signed in" button: restart the idle clock of this sign-in."""
    from flask import session

    token = session.get("sid")
    if token:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == _hash(token), LoginSession.ended_at.is_(None))
            .values(last_seen_at=utcnow())
        )
        db.session.commit()
    return jsonify({"idle_seconds": int(idle_limit(current_user).total_seconds())})


def purge_parked(now=None) -> int:
    """Remove parked forms older than their time (for the retention job)."""
    since = (now or utcnow()) - timedelta(hours=PARKED_POST_HOURS)
    result = db.session.execute(delete(ParkedPost).where(ParkedPost.created_at <= since))
    return result.rowcount or 0
