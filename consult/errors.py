"""Friendly, translated error pages; the 500 handler rolls back."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from consult.extensions import db

#: Submitted fields never echoed back, whatever happens.
SECRET_FIELDS = {"csrf_token", "password", "password_confirm", "current_password", "new_password"}


def _forms() -> list[dict[str, object]]:
    """The fields of every form the app uses: name -> label (None for a hidden field)."""
    from wtforms import HiddenField
    from wtforms.fields.core import UnboundField

    from consult.forms import BaseForm

    forms = []
    pending = list(BaseForm.__subclasses__())
    while pending:
        form = pending.pop()
        pending.extend(form.__subclasses__())
        fields: dict[str, object] = {}
        for name in dir(form):
            unbound = getattr(form, name, None)
            if not isinstance(unbound, UnboundField):
                continue
            if issubclass(unbound.field_class, HiddenField):
                fields[name] = None
            else:
                fields[name] = unbound.kwargs.get("label") or (
                    unbound.args[0] if unbound.args else name
                )
        forms.append(fields)
    return forms


def _labels_for(names: set[str]) -> dict[str, object]:
    """The labels of the form that was most likely sent: the one sharing the most field names
    with what arrived (and the fewest others). A failed form is shown back under the labels
    people saw, not under the names the code gives the fields."""
    forms = _forms()
    # A name that is a hidden field anywhere (a submit key, ids) is never something typed.
    best: dict[str, object] = {n: None for f in forms for n, label in f.items() if label is None}
    best_score = (0, 0)
    chosen: dict[str, object] = {}
    for fields in forms:
        score = (len(names & fields.keys()), -len(fields.keys() - names))
        if score > best_score:
            chosen, best_score = fields, score
    return {**best, **chosen}


def typed_back() -> list[tuple[str, str]]:
    """Return what the person typed in the failed form, under its labels, so nothing is lost."""
    if request.method != "POST":
        return []
    limit = request.max_content_length
    if limit is not None and (request.content_length or 0) > limit:
        return []  # too large to read at all
    known = _labels_for(set(request.form))
    typed = []
    for name, value in request.form.items(multi=True):
        if name in SECRET_FIELDS or not value.strip():
            continue
        label = known.get(name, name)
        if label is None:
            continue  # a hidden field: nothing the person typed
        typed.append((str(label), value))
    return typed


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood.")),
        403: (_("Access denied"), _("You do not have access to this page.")),
        404: (_("Page not found"), _("We could not find the page you asked for.")),
        405: (_("Not allowed"), _("This page cannot be used that way.")),
        413: (_("Too large"), _("The file or text you sent is too large.")),
        429: (
            _("Too many attempts"),
            _("You have tried too many times in a short while. Please wait a little."),
        ),
        500: (
            _("Something went wrong"),
            _("An error occurred on our side. Nothing you typed was saved. Please try again."),
        ),
    }


def render_error(code: int, *, title: str | None = None, message: str | None = None):
    default_title, default_message = _titles().get(code, _titles()[500])
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=title or default_title,
            message=message or default_message,
            typed=typed_back(),
        ),
        code,
    )


def handle_csrf(error: CSRFError):
    return render_error(
        400,
        title=_("Your form has expired"),
        message=_(
            "For your security the form could not be sent: it was open too long or came from "
            "another site. Nothing was saved. Below is what you typed: copy it, reload the "
            "page and send it again."
        ),
    )


#: Endpoints that answer a too-large upload with their own form and a message beside the field.
_too_large_pages: dict[str, Callable] = {}


def too_large_page(endpoint: str):
    """Register the page ``endpoint`` shows when what was sent exceeds MAX_CONTENT_LENGTH."""

    def register(render):
        _too_large_pages[endpoint] = render
        return render

    return register


def handle_http(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if error.code == 413 and request.endpoint in _too_large_pages:
        try:
            return _too_large_pages[request.endpoint]()
        except HTTPException:
            pass  # the page cannot be shown (e.g. not signed in): the plain page below
    return render_error(error.code)


def handle_500(error):
    db.session.rollback()
    return render_error(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(500, handle_500)
