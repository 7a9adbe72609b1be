"""A person's own data (download, readable page) and erasure; an admin doing both on request.

Pages under /privacy. A person is whoever is here: a signed-in account, or a one-off
respondent on the device their e-mail link kept (``responses.identity``). An admin finds a
person by address with a POST, so the address never sits in a URL or an access log.
"""

from __future__ import annotations

import json

from flask import Blueprint
from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import logout_user

from consult.accounts.models import User
from consult.extensions import db
from consult.permissions import can_manage_users
from consult.permissions import public
from consult.permissions import requires
from consult.privacy import rights
from consult.privacy.forms import AdminEraseForm
from consult.privacy.forms import EraseForm
from consult.privacy.forms import FindPersonForm
from consult.responses.models import Respondent

bp = Blueprint("privacy", __name__, url_prefix="/privacy")


def _me() -> rights.Subject | None:
    from consult.responses.identity import device_respondent

    if current_user.is_authenticated:
        return rights.subject_of(user=current_user._get_current_object())
    respondent = device_respondent()
    return rights.subject_of(respondent=respondent) if respondent is not None else None


def _download(data: dict, name: str) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    response = Response(body, mimetype="application/json")
    response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _finish_erasure(report: rights.ErasureReport) -> None:
    from consult.responses.letters import remove_files

    remove_files(*report.letters)


# --- the person ------------------------------------------------------------------------------


@bp.route("/my-data")
@public
def show_my_data():
    subject = _me()
    if subject is None:
        return render_template("privacy/nobody.html")
    return render_template(
        "privacy/data_show.html", data=rights.collect(subject), mine=True, subject=subject
    )


@bp.route("/my-data.json")
@public
def download_my_data():
    subject = _me()
    if subject is None:
        abort(404)
    return _download(rights.collect(subject), "my-data.json")


@bp.route("/erase", methods=["GET", "POST"])
@public
def erase_me():
    from consult.responses import identity

    subject = _me()
    if subject is None:
        return render_template("privacy/nobody.html")
    form = EraseForm()
    steps = rights.plan(subject)
    if form.validate_on_submit():
        report = rights.erase(subject, actor=subject.user)
        if current_user.is_authenticated:
            logout_user()
        identity.forget()
        lang = session.get("lang")
        session.clear()
        if lang:
            session["lang"] = lang
        db.session.commit()
        _finish_erasure(report)
        flash(
            _("Your data is erased. What was already published stays, without your name.")
            if report.anonymised_responses
            else _("Your data is erased."),
            "success",
        )
        return redirect(url_for("drafts.list_consultations"))
    return render_template("privacy/erase_confirm.html", form=form, plan=steps, mine=True)


# --- an admin, on a person's request ---------------------------------------------------------


def _subject(who: str, subject_id: int) -> rights.Subject:
    if who == "participant":
        from consult.sessions.models import Participant

        participant = db.session.get(Participant, subject_id)
        if participant is None or participant.email.endswith("@invalid"):
            abort(404)
        return rights.find_subject(participant.email)
    if who not in ("user", "respondent"):
        abort(404)
    if who == "user":
        user = db.session.get(User, subject_id)
        if user is None:
            abort(404)
        return rights.subject_of(user=user)
    respondent = db.session.get(Respondent, subject_id)
    if respondent is None:
        abort(404)
    return rights.subject_of(respondent=respondent)


def _key(subject: rights.Subject) -> tuple[str, int]:
    if subject.user is not None:
        return "user", subject.user.id
    if subject.respondent is not None:
        return "respondent", subject.respondent.id
    return "participant", rights.participant_of(subject.address).id


@bp.route("/requests", methods=["GET", "POST"])
@requires(can_manage_users)
def find_person():
    form = FindPersonForm()
    if form.validate_on_submit():
        subject = rights.find_subject(form.email.data)
        if subject is None:
            form.email.errors.append(_("Nobody with this address is stored."))
        else:
            who, subject_id = _key(subject)
            return redirect(url_for("privacy.show_person", who=who, subject_id=subject_id))
    return render_template("privacy/requests.html", form=form)


@bp.route("/requests/<who>/<int:subject_id>")
@requires(can_manage_users)
def show_person(who: str, subject_id: int):
    subject = _subject(who, subject_id)
    return render_template(
        "privacy/data_show.html",
        data=rights.collect(subject),
        mine=False,
        subject=subject,
        who=who,
        subject_id=subject_id,
    )


@bp.route("/requests/<who>/<int:subject_id>.json")
@requires(can_manage_users)
def download_person(who: str, subject_id: int):
    from consult.audit.services import record

    subject = _subject(who, subject_id)
    data = rights.collect(subject)
    record(current_user, "privacy.export", who, subject_id)
    db.session.commit()
    return _download(data, f"data-{who}-{subject_id}.json")


@bp.route("/requests/<who>/<int:subject_id>/erase", methods=["GET", "POST"])
@requires(can_manage_users)
def erase_person(who: str, subject_id: int):
    subject = _subject(who, subject_id)
    if subject.user is not None and subject.user.id == current_user.id:
        flash(_("Erase your own account from your own data page."), "error")
        return redirect(url_for("privacy.show_person", who=who, subject_id=subject_id))
    form = AdminEraseForm()
    steps = rights.plan(subject)
    if form.validate_on_submit():
        report = rights.erase(subject, actor=current_user._get_current_object())
        db.session.commit()
        _finish_erasure(report)
        flash(_("The person's data is erased."), "success")
        return redirect(url_for("privacy.find_person"))
    return render_template("privacy/erase_confirm.html", form=form, plan=steps, mine=False)
