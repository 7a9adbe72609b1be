"""Responding without an account: ask for a link, open it, forget this device.

The routes are listed in ROUTES at the bottom; ``views`` adds them to the responses blueprint,
so the endpoints are ``responses.<view>`` like the rest.
"""

from __future__ import annotations

import hashlib

from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts.forms import EmailOnlyForm
from consult.accounts.views import email_key
from consult.drafts import services as drafts
from consult.drafts.models import Consultation
from consult.drafts.models import Phase
from consult.extensions import db
from consult.extensions import limiter
from consult.i18n import current_lang
from consult.i18n import localized
from consult.mail.services import queue_template
from consult.permissions import can_view_consultation
from consult.permissions import public
from consult.responses import identity
from consult.responses.forms import ActionForm
from consult.responses.models import Respondent


def consultation_or_404(slug: str) -> Consultation:
    consultation = drafts.get_consultation(slug)
    if consultation is None or not can_view_consultation(current_user, consultation):
        abort(404)
    return consultation


def _mail_limit() -> str:
    return current_app.config["MAIL_RATE_LIMIT"]


def respond_target(slug: str, target: str | None) -> str:
    """Where to go once the person is known: the page of the response they were on their way
    to (a goal's form, say), or the response's overview. Only paths of this consultation's
    response are followed, so the link cannot be made to lead anywhere else."""
    prefix = url_for("responses.show_response", slug=slug)
    if target and target.startswith(prefix) and "//" not in target and "\\" not in target:
        return target
    return prefix


@public
@limiter.limit(_mail_limit, methods=["POST"])
@limiter.limit(_mail_limit, methods=["POST"], key_func=email_key)
def start(slug: str):
    consultation = consultation_or_404(slug)
    target = respond_target(slug, request.args.get("next"))
    if current_user.is_authenticated or identity.current_respondent() is not None:
        return redirect(target)
    if consultation.phase() is not Phase.OPEN:
        # Closed (or not yet open): nothing to answer, so no link is offered or sent.
        return render_template("responses/start_closed.html", consultation=consultation)
    form = EmailOnlyForm()
    if form.validate_on_submit():
        respondent = identity.respondent_for_email(form.email.data, current_lang())
        _send_link(consultation, respondent, target)
        db.session.commit()
        return render_template("accounts/check_email.html", email=form.email.data, respond=True)
    return render_template("responses/start.html", consultation=consultation, form=form)


def _send_link(consultation: Consultation, respondent: Respondent, target: str = "") -> None:
    token = identity.make_link(respondent, consultation)
    overview = url_for("responses.show_response", slug=consultation.slug)
    after = {"next": target} if target and target != overview else {}
    with force_locale(respondent.locale or current_lang()):
        queue_template(
            respondent.email,
            _("Your link to respond to %(title)s", title=localized(consultation, "title")[0]),
            "respond_link",
            consultation=consultation,
            link=url_for(
                "responses.open_link",
                slug=consultation.slug,
                token=token,
                _external=True,
                **after,
            ),
        )


@public
def open_link(slug: str, token: str):
    """The link from the e-mail shows a button; only pressing it (a POST) uses the link.

    E-mail scanners (Outlook's Safe Links) fetch every link in a message before the person
    does: a link used up by a GET would be spent before its owner saw it.
    """
    consultation = consultation_or_404(slug)
    link = identity.find_link(token, consultation)
    if link is not None and identity.link_usable(link):
        form = ActionForm()
        if not form.validate_on_submit():
            return render_template("responses/link_open.html", consultation=consultation, form=form)
        respondent = identity.use_link(link)
        if respondent is not None:
            identity.remember(respondent)
            db.session.commit()
            flash(
                _("Your e-mail address is confirmed. Your response is saved as you go."), "success"
            )
            return redirect(respond_target(slug, request.args.get("next")))
    if link is not None and identity.device_respondent() is link.respondent:
        # Pressed again on the device it already opened: nothing to do but go on.
        return redirect(respond_target(slug, request.args.get("next")))
    return (
        render_template(
            "accounts/link_invalid.html",
            renew_url=url_for("responses.renew_link", slug=slug, token=token) if link else None,
            renew_form=ActionForm(),
            start_url=url_for("responses.start", slug=slug),
        ),
        400,
    )


def _link_address_key() -> str:
    """Rate-limit key for the address a link was sent to, hashed like ``email_key``."""
    link = identity.find_link((request.view_args or {}).get("token", ""))
    email = link.respondent.email if link is not None else ""
    return "email:" + hashlib.sha256(email.encode()).hexdigest()


@public
@limiter.limit(_mail_limit)
@limiter.limit(_mail_limit, key_func=_link_address_key)
def renew_link(slug: str, token: str):
    """A used or stale link: one click sends a fresh one to the same address."""
    consultation = consultation_or_404(slug)
    link = identity.find_link(token, consultation)
    if link is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("responses.open_link", slug=slug, token=token))
    if consultation.phase() is not Phase.OPEN:
        return render_template("responses/start_closed.html", consultation=consultation)
    _send_link(consultation, link.respondent, respond_target(slug, request.args.get("next")))
    db.session.commit()
    return render_template("accounts/check_email.html", email=link.respondent.email, respond=True)


@public
def forget(slug: str):
    if ActionForm().validate_on_submit():
        identity.forget()
        db.session.commit()
        flash(
            _(
                "This device no longer knows you. Your response is kept; "
                "ask for a new link to continue."
            ),
            "success",
        )
    return redirect(url_for("drafts.show_consultation", slug=slug))


ROUTES = [
    ("/start", start, ["GET", "POST"]),
    ("/link/<token>", open_link, ["GET", "POST"]),
    ("/link/<token>/renew", renew_link, ["POST"]),
    ("/forget", forget, ["POST"]),
]
