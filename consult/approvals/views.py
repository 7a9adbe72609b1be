"""Sign-off pages: the secretariat sets up the parties (under /staff), approvers decide
(under /approvals). Every step is in the audit log (the services write it)."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from consult.accounts.models import User
from consult.approvals import services
from consult.approvals.forms import DECISION_LABELS
from consult.approvals.forms import ApproverForm
from consult.approvals.forms import DecisionForm
from consult.approvals.forms import PartyActionForm
from consult.approvals.forms import PartyForm
from consult.approvals.models import Decision
from consult.approvals.models import Party
from consult.drafts import services as drafts
from consult.drafts import workflow
from consult.drafts.models import Consultation
from consult.drafts.models import Status
from consult.drafts.staff_forms import STATUS_LABELS
from consult.drafts.staff_versions import changes_context
from consult.extensions import db
from consult.i18n import current_lang
from consult.permissions import can_approve
from consult.permissions import can_edit_drafts
from consult.permissions import can_read_for_approval
from consult.permissions import requires

bp = Blueprint("approvals", __name__)

MESSAGES = {
    "not_in_approval": _l(
        "The consultation is not waiting for approval now: the secretariat moves it there when "
        "the document is ready."
    ),
    "not_approver": _l("You do not approve for this party."),
    "comment_required": _l("Say what should change: a comment is required."),
    "name_required": _l("Give the party's name."),
    "no_account": _l(
        "No account has this e-mail address. An administrator makes the account, with the "
        "role Approver."
    ),
    "not_approver_role": _l(
        "This account does not have the role Approver. An administrator can change its role."
    ),
}


def _consultation(slug: str) -> Consultation:
    consultation = drafts.get_consultation(slug)
    if consultation is None:
        abort(404)
    return consultation


def _party(consultation: Consultation, party_id: int) -> Party:
    party = db.session.get(Party, party_id)
    if party is None or party.consultation_id != consultation.id:
        abort(404)
    return party


def _to_parties(slug: str):
    return redirect(url_for("approvals.list_parties", slug=slug))


# --- the secretariat: the parties and their approvers -----------------------------------------


@bp.route("/staff/consultations/<slug>/parties", methods=["GET", "POST"])
@requires(can_edit_drafts)
def list_parties(slug: str):
    consultation = _consultation(slug)
    form = PartyForm()
    if form.validate_on_submit():
        try:
            services.add_party(current_user, consultation, form.name_da.data, form.name_en.data)
        except services.ApprovalError as error:
            form.name_da.errors.append(str(MESSAGES[error.code]))
        else:
            db.session.commit()
            flash(_("The party is added."), "success")
            return _to_parties(slug)
    parties = services.parties(consultation)
    return render_template(
        "approvals/party_list.html",
        consultation=consultation,
        parties=parties,
        form=form,
        approver_forms={p.id: ApproverForm(prefix=f"p{p.id}", formdata=None) for p in parties},
        action=PartyActionForm(formdata=None),
        sign_off=services.sign_off(consultation),
    )


@bp.route("/staff/consultations/<slug>/parties/<int:party_id>/approvers", methods=["POST"])
@requires(can_edit_drafts)
def add_approver(slug: str, party_id: int):
    consultation = _consultation(slug)
    party = _party(consultation, party_id)
    form = ApproverForm(prefix=f"p{party.id}")
    if form.validate_on_submit():
        try:
            user = services.add_approver(current_user, consultation, party, form.email.data)
        except services.ApprovalError as error:
            flash(str(MESSAGES[error.code]), "error")
        else:
            db.session.commit()
            flash(
                _("%(email)s approves for %(party)s.", email=user.email, party=party.name_da),
                "success",
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    return _to_parties(slug)


@bp.route("/staff/consultations/<slug>/parties/<int:party_id>/approvers/remove", methods=["POST"])
@requires(can_edit_drafts)
def remove_approver(slug: str, party_id: int):
    consultation = _consultation(slug)
    party = _party(consultation, party_id)
    form = PartyActionForm()
    if form.validate_on_submit():
        user = db.session.get(User, int(form.user_id.data or 0))
        if user is not None:
            services.remove_approver(current_user, consultation, party, user)
            db.session.commit()
            flash(_("Removed."), "success")
    return _to_parties(slug)


@bp.route("/staff/consultations/<slug>/parties/<int:party_id>/remove", methods=["POST"])
@requires(can_edit_drafts)
def remove_party(slug: str, party_id: int):
    consultation = _consultation(slug)
    party = _party(consultation, party_id)
    if PartyActionForm().validate_on_submit():
        services.remove_party(current_user, consultation, party)
        db.session.commit()
        flash(_("Removed."), "success")
    return _to_parties(slug)


# --- approvers ---------------------------------------------------------------------------------


@bp.route("/approvals/")
@requires(can_approve)
def list_mine():
    consultations = services.consultations_to_approve(current_user)
    return render_template(
        "approvals/mine_list.html",
        rows=[(c, services.sign_off(c)) for c in consultations],
        status_labels=STATUS_LABELS,
    )


def _readable(slug: str) -> tuple[Consultation, list[Party]]:
    """The consultation and the parties the user approves for; 404 for an approver of none."""
    consultation = _consultation(slug)
    mine = services.approver_parties(current_user, consultation)
    if can_approve(current_user) and not mine:
        abort(404)
    return consultation, mine


@bp.route("/approvals/<slug>/")
@requires(can_read_for_approval)
def show_document(slug: str):
    consultation, mine = _readable(slug)
    return _document_page(consultation, mine, DecisionForm(formdata=None))


def _document_page(consultation, mine, form, status: int = 200):
    version = services.document_version(consultation)
    if version is None:
        abort(404)
    context = changes_context(consultation, version, public=False)
    return (
        render_template(
            "approvals/document_show.html",
            **context,
            mine=mine,
            form=form,
            sign_off=services.sign_off(consultation),
            history=services.history(consultation),
            decision_labels=DECISION_LABELS,
            state=workflow.describe(consultation),
            status_labels=STATUS_LABELS,
            in_approval=consultation.status is Status.APPROVAL,
        ),
        status,
    )


@bp.route("/approvals/<slug>/decide", methods=["POST"])
@requires(can_approve)
def decide(slug: str):
    consultation, mine = _readable(slug)
    form = DecisionForm()
    if form.validate_on_submit():
        party = next((p for p in mine if str(p.id) == form.party_id.data), None)
        if party is None:
            abort(404)
        try:
            services.decide(
                current_user,
                consultation,
                party,
                Decision(form.decision.data),
                form.comment.data,
            )
        except services.ApprovalError as error:
            target = form.comment if error.code == "comment_required" else form.decision
            target.errors.append(str(MESSAGES[error.code]))
        else:
            db.session.commit()
            flash(_("Your decision for %(party)s is recorded.", party=party.name_da), "success")
            return redirect(url_for("approvals.show_document", slug=consultation.slug))
    return _document_page(consultation, mine, form, 400)


@bp.route("/approvals/<slug>/memo", methods=["POST"])
@requires(can_approve)
def make_memo(slug: str):
    """An approver asks for the memo they are to approve, as a Word file (a worker makes it:
    it takes minutes with much input); they follow it on the export's status page."""
    from consult import jobs
    from consult.exports import jobs as export_jobs

    consultation, _mine = _readable(slug)
    if not PartyActionForm().validate_on_submit():
        return redirect(url_for("approvals.show_document", slug=slug))
    lang = current_lang()
    job = jobs.enqueue(
        export_jobs.KIND,
        topic=export_jobs.topic(consultation.id, current_user.id, "docx", lang, "semicolon"),
        requested_by=current_user,
        once=True,
        consultation_id=consultation.id,
        fmt="docx",
        lang=lang,
        delimiter=export_jobs.DELIMITERS["semicolon"],
        public=False,
    )
    db.session.commit()
    return redirect(url_for("exports.show_export", slug=slug, job_id=job.id))
