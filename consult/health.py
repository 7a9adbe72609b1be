"""Probes for load balancers and systemd: ``/healthz`` (the process answers) and ``/readyz``
(the database and the job queue answer too). Public, exempt from rate limits, and they neither
read nor set the session: no signed-in user is loaded, so /healthz never touches the database.
"""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import jsonify
from flask import request
from sqlalchemy import text

from consult.extensions import db
from consult.extensions import limiter
from consult.extensions import login_manager
from consult.jobs.queue import job_queue
from consult.permissions import public

bp = Blueprint("health", __name__)
limiter.exempt(bp)


def is_probe() -> bool:
    """Whether this request is a probe: create_app's before_request then loads no user."""
    if request.blueprint != bp.name:
        return False
    # Flask-Login's own way to set the request's user: an anonymous one, without the session.
    login_manager._update_request_context_with_user()
    return True


def _answer(payload: dict, status: int = 200):
    response = jsonify(payload)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/healthz")
@public
def healthz():
    """The process is up and answering (nothing else is asked)."""
    return _answer({"status": "ok"})


def _database() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:
        current_app.logger.warning("readyz: the database does not answer", exc_info=True)
        return False
    finally:
        db.session.rollback()


def _queue() -> bool:
    try:
        job_queue.current.pending()
        return True
    except Exception:
        current_app.logger.warning("readyz: the job queue does not answer", exc_info=True)
        return False


@bp.route("/readyz")
@public
def readyz():
    """200 when the database and the job queue answer, 503 and which one does not otherwise."""
    checks = {"database": _database(), "queue": _queue()}
    ready = all(checks.values())
    payload = {"status": "ok" if ready else "unavailable"}
    payload.update({name: "ok" if ok else "unavailable" for name, ok in checks.items()})
    return _answer(payload, 200 if ready else 503)
