"""The read API under /api/v1 (JSON), and the secretariat's page for its tokens (HTML).

Anyone may read the public data. A live staff token (``Authorization: Bearer …``) adds drafts
and every submitted input; a token that does not work is refused with 401, never quietly
answered with the public view. Every error under /api/v1 answers JSON, except on the tokens
page, which is a page like any other.
"""

from __future__ import annotations

import re
import time

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError
from wtforms import StringField
from wtforms import SubmitField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from consult import errors
from consult import http_cache
from consult.accounts.models import Role
from consult.api import services
from consult.api.openapi import DEFAULT_PER_PAGE
from consult.api.openapi import MAX_AFTER
from consult.api.openapi import MAX_PAGE
from consult.api.openapi import MAX_PER_PAGE
from consult.api.openapi import build_spec
from consult.extensions import db
from consult.extensions import limiter
from consult.forms import BaseForm
from consult.permissions import can_analyse
from consult.permissions import public
from consult.permissions import requires
from consult.readside import public as published
from consult.sanitize import clean_text
from consult.security import commit_bookkeeping

bp = Blueprint("api", __name__, url_prefix="/api/v1")

#: How long a shared cache may keep a public answer, in seconds.
PUBLIC_MAX_AGE = 60
SPEC_MAX_AGE = 300
#: The tokens page: HTML, so its errors are the usual error pages.
HTML_ENDPOINTS = frozenset({"api.list_tokens", "api.create_token", "api.revoke_token"})
TOKEN_NAME_MAX = 100

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "too_many_requests",
    500: "server_error",
}


def _rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


#: One budget per address for every API endpoint together.
api_limit = limiter.shared_limit(_rate_limit, scope="api")


# --- JSON answers and errors -------------------------------------------------------------------


def _default_messages() -> dict[int, str]:
    return {
        400: _("The request is not valid."),
        401: _("The token is not valid, has been revoked, or its user may no longer use it."),
        403: _("You do not have access to this."),
        404: _("There is nothing here."),
        405: _("This address cannot be used that way."),
        413: _("The request is too large."),
        429: _("Too many requests from your address. Please wait a little and try again."),
        500: _("An error occurred on our side. Please try again."),
    }


def json_error(code: int, message: str | None = None):
    """Return the JSON error answer: ``{"error": "not_found", "message": "…"}``."""
    messages = _default_messages()
    response = jsonify(
        error=ERROR_CODES.get(code, "error"), message=message or messages.get(code, messages[500])
    )
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="consult", error="invalid_token"'
    if code == 429:
        current = limiter.current_limit
        if current is not None:
            response.headers["Retry-After"] = str(max(1, int(current.reset_at - time.time())))
    return response


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    if request.endpoint in HTML_ENDPOINTS:
        return errors.handle_http(error)
    if error.code is None or error.code < 400:
        return error
    # Our own aborts carry a message; Werkzeug's and Flask-Limiter's defaults are not for people.
    custom = error.code != 429 and error.description != type(error).description
    return json_error(error.code, error.description if custom else None)


@bp.errorhandler(InternalServerError)
def _server_error(error: InternalServerError):
    if request.endpoint in HTML_ENDPOINTS:
        return errors.handle_500(error)
    db.session.rollback()
    return json_error(500)


def _answer(data: dict, *, full: bool = False, max_age: int = PUBLIC_MAX_AGE):
    """Return ``data`` as JSON: cacheable when public, never stored when it is the staff view."""
    response = jsonify(data)
    if full:
        response.headers["Cache-Control"] = "private, no-store"
    else:
        response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.vary.add("Authorization")
    return response


def _full_view() -> bool:
    """Return whether a live staff token came with the request; refuse a bad one with 401.

    No Authorization header, or another scheme than Bearer (a proxy's Basic login), is the
    public view. The token's use is written down at most once a minute.
    """
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    use = services.authenticate(token.strip())
    if use is None:
        abort(401)
    if use.touched:
        commit_bookkeeping()
    return True


def _consultation(slug: str, full: bool):
    consultation = services.visible_consultation(slug, include_drafts=full)
    if consultation is None:
        abort(404, description=_("There is no consultation at this address."))
    return consultation


_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def _int_arg(name: str, default: int, minimum: int, maximum: int) -> int:
    """Read a whole-number query parameter; anything else is a 400 with a message."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not _WHOLE_NUMBER.fullmatch(raw) or not minimum <= int(raw) <= maximum:
        abort(
            400,
            description=_(
                "%(name)s must be a whole number from %(min)d to %(max)d.",
                name=name,
                min=minimum,
                max=maximum,
            ),
        )
    return int(raw)


# --- the API -----------------------------------------------------------------------------------


@bp.route("/openapi.json")
@public
@api_limit
def openapi():
    return _answer(build_spec(), max_age=SPEC_MAX_AGE)


@bp.route("/consultations")
@public
@api_limit
def list_consultations():
    full = _full_view()
    return _answer({"consultations": services.list_consultations(include_drafts=full)}, full=full)


@bp.route("/consultations/<slug>")
@public
@api_limit
def show_consultation(slug: str):
    full = _full_view()
    return _answer(services.structure(_consultation(slug, full)), full=full)


@bp.route("/consultations/<slug>/inputs")
@public
@api_limit
@http_cache.public_page(published.page_state)
def list_inputs(slug: str):
    full = _full_view()
    consultation = _consultation(slug, full)
    page = _int_arg("page", 1, 1, MAX_PAGE)
    per_page = _int_arg("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    after = None
    if "after" in request.args:
        if "page" in request.args:
            abort(400, description=_("Use either after or page, not both."))
        after = _int_arg("after", 0, 0, MAX_AFTER)
    result = services.inputs_page(consultation, page, per_page, full=full, after=after)
    return _answer(
        {
            "view": "staff" if full else "public",
            "page": result.page,
            "per_page": result.per_page,
            "total": result.total,
            "pages": result.pages,
            "next_after": result.next_after,
            "items": result.items,
        },
        full=full,
    )


@bp.route("/consultations/<slug>/summary")
@public
@api_limit
def show_summary(slug: str):
    full = _full_view()
    return _answer(services.summary(_consultation(slug, full)), full=full)


@bp.route("/<path:path>")
@public
@api_limit
def not_found(path: str):
    """Answer unknown addresses under /api/v1 in JSON (the app's 404 page is HTML)."""
    abort(404)


# --- the secretariat's tokens (HTML) ----------------------------------------------------------


def _line(value):
    return clean_text(value, multiline=False) if isinstance(value, str) else value


class TokenForm(BaseForm):
    name = StringField(
        _l("What is the token for?"),
        filters=[_line],
        validators=[
            DataRequired(_l("Say what the token is for, e.g. the program that uses it.")),
            Length(max=TOKEN_NAME_MAX, message=_l("Use at most %(max)d characters.")),
        ],
    )
    submit = SubmitField(_l("Make a token"))


class RevokeForm(BaseForm):
    """A button: only the CSRF token."""

    submit = SubmitField(_l("Revoke"))


def _token_page(form: TokenForm, *, new_token: str | None = None, status: int = 200):
    user = current_user._get_current_object()
    return (
        render_template(
            "api/token_list.html",
            form=form,
            revoke=RevokeForm(),
            tokens=services.tokens_for(user),
            new_token=new_token,
            show_owner=user.role is Role.ADMIN,
            spec_url=url_for("api.openapi"),
        ),
        status,
    )


@bp.route("/tokens")
@requires(can_analyse)
def list_tokens():
    return _token_page(TokenForm())


@bp.route("/tokens", methods=["POST"])
@requires(can_analyse)
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _token_page(form, status=400)
    _row, token = services.create_token(current_user._get_current_object(), form.name.data)
    db.session.commit()
    # Shown on this answer only (never flashed: the session cookie is signed, not secret).
    return _token_page(TokenForm(formdata=None), new_token=token)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@requires(can_analyse)
def revoke_token(token_id: int):
    form = RevokeForm()
    row = services.token_managed_by(current_user, token_id)
    if row is None:
        abort(404)
    if form.validate_on_submit():
        services.revoke_token(row, current_user._get_current_object())
        db.session.commit()
        flash(_("The token “%(name)s” is revoked and no longer works.", name=row.name), "success")
    return redirect(url_for("api.list_tokens"))
