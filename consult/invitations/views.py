"""The høringsliste under /staff: invited organisations, who answered, reminders.

Every view: validate the form -> call a service -> commit once -> redirect with a flash; a
refused change shows the form again with what was typed.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult import jobs
from consult.db import utcnow
from consult.drafts.models import Consultation
from consult.drafts.models import Phase
from consult.errors import too_large_page
from consult.extensions import db
from consult.invitations import importer
from consult.invitations import services
from consult.invitations.forms import ActionForm
from consult.invitations.forms import ImportForm
from consult.invitations.forms import InvitationForm
from consult.invitations.models import Invitation
from consult.permissions import can_edit_drafts
from consult.permissions import ensure
from consult.permissions import requires
from consult.reference.models import RespondentType
from consult.reference.services import entries

bp = Blueprint("invitations", __name__, url_prefix="/staff/consultations/<slug>/invitations")

PER_PAGE = 50
#: Those reminded this recently are left out, so a second click sends nothing twice.
REMIND_AGAIN_AFTER = timedelta(hours=1)
#: The job that queues the reminders (consult/invitations/jobs.py).
SEND_REMINDERS = "invitations.send_reminders"
#: The job that queues the first invitations.
SEND_INVITATIONS = "invitations.send_invitations"
#: The list's filter (?show=…): the value given to ``services.answered_query``.
FILTERS = {"all": None, "answered": True, "not-yet": False}
FILTER_LABELS = {"all": _l("All"), "answered": _l("Answered"), "not-yet": _l("Not yet answered")}
#: How many skipped organisations a flash names (the rest are counted).
SKIPPED_NAMED = 10


def _topic(consultation: Consultation) -> str:
    return f"consultation:{consultation.id}"


def _consultation(slug: str) -> Consultation:
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        abort(404)
    return consultation


def _list_args() -> dict:
    """The list's filter and page, kept across a form posted from it."""
    args = {}
    if request.args.get("show") in FILTERS and request.args["show"] != "all":
        args["show"] = request.args["show"]
    if request.args.get("page", 1, type=int) > 1:
        args["page"] = request.args.get("page", type=int)
    return args


def _to_list(slug: str, **args):
    return redirect(url_for("invitations.list_invitations", slug=slug, **args))


def message(error: services.InvitationError | importer.LineError) -> str:
    """Word a refused invitation, or a bad line of an imported file."""
    line = isinstance(error, importer.LineError)
    value = error.value if line else error.details.get("value", "")
    messages = {
        "organisation_missing": _("The organisation’s name is missing."),
        "organisation_too_long": _(
            "The organisation’s name is longer than %(max)d characters.",
            max=services.ORGANISATION_MAX,
        ),
        "email_invalid": _("“%(value)s” is not a valid e-mail address.", value=value),
        "type_unknown": _("There is no respondent type with the code “%(value)s”.", value=value),
        "already_invited": _("%(organisation)s is already on the list.", organisation=value),
        "header_missing": _(
            "The first line must name the columns: organisation, and if you like email and type."
        ),
        "header_repeated": _("The first line names the column “%(value)s” twice.", value=value),
        "empty": _("The file is empty."),
        "not_utf8": _(
            "The file is not saved as UTF-8. In Excel, choose “CSV UTF-8” when you save it."
        ),
        "unreadable": _(
            "The file cannot be read from here on. Check for a quotation mark that is not closed."
        ),
    }
    text = messages.get(error.code, _("That could not be saved. Check what you entered."))
    if line:
        return _("Line %(line)d: %(message)s", line=error.line, message=text)
    return text


# --- the list ----------------------------------------------------------------------------------


@bp.route("/")
@requires(can_edit_drafts)
def list_invitations(slug: str):
    consultation = _consultation(slug)
    show = request.args.get("show", "all")
    if show not in FILTERS:
        show = "all"
    stmt = services.answered_query(consultation.id, FILTERS[show]).options(
        selectinload(Invitation.respondent_type)
    )
    page = services.paginate(stmt, request.args.get("page", 1, type=int), PER_PAGE)
    is_open = consultation.phase() is Phase.OPEN
    reminder_job = jobs.latest(SEND_REMINDERS, _topic(consultation))
    invitation_job = jobs.latest(SEND_INVITATIONS, _topic(consultation))
    invitable = len(services.to_invite(consultation.id)) if is_open else 0
    remindable = (
        len(services.to_remind(consultation.id, utcnow() - REMIND_AGAIN_AFTER)) if is_open else 0
    )
    return render_template(
        "invitations/invitation_list.html",
        consultation=consultation,
        counts=services.counts(consultation.id),
        page=page,
        show=show,
        filter_labels=FILTER_LABELS,
        list_args=_list_args(),
        action=ActionForm(),
        is_open=is_open,
        remindable=remindable,
        reminder_job=reminder_job,
        invitable=invitable,
        invitation_job=invitation_job,
    )


# --- adding ------------------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@requires(can_edit_drafts)
def new_invitation(slug: str):
    consultation = _consultation(slug)
    form = InvitationForm()
    if form.validate_on_submit():
        try:
            invitation = services.add_invitation(
                consultation,
                form.organisation.data,
                form.email.data,
                form.respondent_type.data,
            )
        except services.InvitationError as error:
            target = form.email if error.code == "email_invalid" else form.organisation
            if error.code == "type_unknown":
                target = form.respondent_type
            target.errors.append(message(error))
        else:
            db.session.commit()
            flash(
                _("%(organisation)s is added to the list.", organisation=invitation.organisation),
                "success",
            )
            return _to_list(slug)
    return render_template("invitations/invitation_form.html", consultation=consultation, form=form)


def _import_page(consultation: Consultation, form: ImportForm, status: int = 200):
    types = entries(RespondentType, active_only=True)
    return (
        render_template(
            "invitations/invitation_import.html", consultation=consultation, form=form, types=types
        ),
        status,
    )


def _skipped_note(skipped: list[importer.SkippedLine]) -> str:
    names = ", ".join(
        _("%(organisation)s (line %(line)d)", organisation=s.organisation, line=s.line)
        for s in skipped[:SKIPPED_NAMED]
    )
    note = ngettext(
        "%(num)d line was skipped: the organisation is already on the list or earlier in the "
        "file. %(names)s",
        "%(num)d lines were skipped: the organisations are already on the list or earlier in "
        "the file. %(names)s",
        len(skipped),
        names=names,
    )
    if len(skipped) > SKIPPED_NAMED:
        note += " " + ngettext(
            "… and %(num)d more.", "… and %(num)d more.", len(skipped) - SKIPPED_NAMED
        )
    return note


@bp.route("/import", methods=["GET", "POST"])
@requires(can_edit_drafts)
def import_invitations(slug: str):
    consultation = _consultation(slug)
    form = ImportForm()
    if form.validate_on_submit():
        try:
            result = importer.import_csv(consultation, importer.decode_csv(form.content))
        except importer.CsvImportError as error:
            form.file.errors.extend(message(e) for e in error.errors)
        else:
            db.session.commit()
            flash(
                ngettext(
                    "%(num)d organisation is added to the list.",
                    "%(num)d organisations are added to the list.",
                    len(result.added),
                ),
                "success",
            )
            if result.skipped:
                flash(_skipped_note(result.skipped), "info")
            return _to_list(slug)
    return _import_page(consultation, form)


@too_large_page("invitations.import_invitations")
def import_too_large():
    """The 413 page for a file beyond MAX_CONTENT_LENGTH: the form, with the message."""
    ensure(can_edit_drafts(current_user))
    consultation = _consultation(request.view_args["slug"])
    form = ImportForm(formdata=None)
    form.file.errors = [_("The file is larger than 2 MB. Split it into smaller files.")]
    return _import_page(consultation, form, 413)


# --- removing and reminding --------------------------------------------------------------------


@bp.route("/<int:invitation_id>/remove", methods=["POST"])
@requires(can_edit_drafts)
def remove_invitation(slug: str, invitation_id: int):
    consultation = _consultation(slug)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.consultation_id != consultation.id:
        abort(404)
    if ActionForm().validate_on_submit():
        organisation = invitation.organisation
        services.remove_invitation(invitation)
        db.session.commit()
        flash(_("%(organisation)s is removed from the list.", organisation=organisation), "success")
    return _to_list(slug, **_list_args())


@bp.route("/invite", methods=["POST"])
@requires(can_edit_drafts)
def send_invitations(slug: str):
    return _mail_job(
        slug,
        SEND_INVITATIONS,
        _("Invitations can be sent only while the consultation is open for input."),
    )


def _mail_job(slug: str, kind: str, closed_message: str, **args):
    """The list's buttons: hand the mail to a worker (the list shows when it is done), only
    while the consultation is open; a second click finds the job under way."""
    consultation = _consultation(slug)
    if ActionForm().validate_on_submit():
        if consultation.phase() is not Phase.OPEN:
            flash(closed_message, "error")
            return _to_list(slug, **_list_args())
        jobs.enqueue(
            kind,
            topic=_topic(consultation),
            requested_by=current_user,
            once=True,
            consultation_id=consultation.id,
            link=url_for("drafts.show_consultation", slug=consultation.slug, _external=True),
            **args,
        )
        db.session.commit()
    return _to_list(slug, **_list_args())


@bp.route("/remind", methods=["POST"])
@requires(can_edit_drafts)
def send_reminders(slug: str):
    # Those reminded within the hour before this click are left out, by the job too if it
    # runs twice.
    return _mail_job(
        slug,
        SEND_REMINDERS,
        _("Reminders can be sent only while the consultation is open for input."),
        reminded_before=(utcnow() - REMIND_AGAIN_AFTER).isoformat(),
    )
