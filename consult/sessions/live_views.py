"""Running a session live: the capture page, the participants' queue, projector and QR code."""

from __future__ import annotations

import io

import segno
from flask import Blueprint
from flask import Response as HTTPResponse
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from consult.drafts.services import Tree
from consult.extensions import db
from consult.i18n import localized
from consult.permissions import can_run_meetings
from consult.permissions import requires
from consult.readside import meetings
from consult.sessions import services
from consult.sessions.forms import CaptureForm
from consult.sessions.forms import CurrentForm
from consult.sessions.forms import EmptyForm
from consult.sessions.forms import MergeForm
from consult.sessions.forms import stance_of
from consult.sessions.models import InputState
from consult.sessions.models import Meeting
from consult.sessions.models import MeetingState
from consult.sessions.services import group_label
from consult.sessions.views import error_message
from consult.sessions.views import input_or_404
from consult.sessions.views import meeting_or_404
from consult.sessions.views import tree_of

bp = Blueprint("live", __name__, url_prefix="/sessions")

# --- live capture ----------------------------------------------------------------------------


def _capture_form(meeting: Meeting, tree: Tree, formdata=None, **data) -> CaptureForm:
    form = CaptureForm(formdata=formdata, data=data or None)
    nodes = services.speakable(meeting, tree, meeting.current_item_id)
    if data.get("item") and data["item"] not in {n.item.id for n in nodes}:
        nodes = [tree.node(data["item"]), *nodes]
    form.item.choices = [(n.item.id, localized(n.revision, "title")[0]) for n in nodes]
    form.group.choices = _group_choices(meeting)
    return form


def _group_choices(meeting: Meeting) -> list[tuple]:
    return [("", _("The group as a whole"))] + [(g.id, group_label(g)) for g in meeting.groups]


def _capture_page(meeting: Meeting, tree: Tree, form: CaptureForm | None = None):
    if form is None:
        form = _capture_form(meeting, tree)
        if form.item.choices:
            form.item.data = form.item.choices[0][0]
    current = CurrentForm(formdata=None)
    current.item.choices = [
        (a.item_id, localized(tree.node(a.item_id).revision, "title")[0])
        for a in meeting.agenda
        if tree.node(a.item_id) is not None
    ]
    inputs = meetings.for_staff(meeting)
    on_now = {n.item.id for n in services.speakable(meeting, tree, meeting.current_item_id)}
    accepted = [i for i in inputs if i.state is InputState.ACCEPTED]
    merge = MergeForm(formdata=None)
    merge.into.choices = [(i.id, (i.text or "…")[:60]) for i in accepted]
    return render_template(
        "sessions/capture.html",
        meeting=meeting,
        tree=tree,
        node_of=lambda item_id: tree.node(item_id),
        form=form,
        current=current,
        record=[i for i in accepted if i.item_id in on_now],
        recorded_count=len(accepted),
        queue=[i for i in inputs if i.state is InputState.PROPOSED],
        merge=merge,
        action=EmptyForm(),
        group_label=group_label,
    )


@bp.route("/<int:meeting_id>/live")
@requires(can_run_meetings)
def capture(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    if meeting.state is not MeetingState.LIVE:
        flash(_("The session is not live."), "info")
        return redirect(url_for("sessions.show_meeting", meeting_id=meeting.id))
    return _capture_page(meeting, tree_of(meeting.consultation))


@bp.route("/<int:meeting_id>/current", methods=["POST"])
@requires(can_run_meetings)
def set_current(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    form = CurrentForm()
    form.item.choices = [(a.item_id, "") for a in meeting.agenda]
    if form.validate_on_submit():
        try:
            services.set_current(meeting, form.item.data)
        except services.MeetingError as error:
            flash(error_message(error), "error")
        else:
            db.session.commit()
    return redirect(url_for("live.capture", meeting_id=meeting.id))


def _captured(form) -> dict:
    """What the capture form says, as the services take it (recording or editing)."""
    return {
        "item_id": form.item.data,
        "group_id": form.group.data,
        "stance": stance_of(form.stance.data),
        "text": form.text.data or "",
        "proposed_wording": form.proposed_wording.data or "",
    }


@bp.route("/<int:meeting_id>/inputs", methods=["POST"])
@requires(can_run_meetings)
def add_input(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    tree = tree_of(meeting.consultation)
    form = _capture_form(meeting, tree, formdata=request.form)
    if form.validate_on_submit():
        try:
            services.record(meeting, tree, **_captured(form))
        except services.MeetingError as error:
            form.form_errors.append(error_message(error))
        else:
            db.session.commit()
            flash(_("Recorded."), "success")
            return redirect(url_for("live.capture", meeting_id=meeting.id))
    if meeting.state is not MeetingState.LIVE:
        flash(_("The session is not live."), "error")
        return redirect(url_for("sessions.show_meeting", meeting_id=meeting.id))
    return _capture_page(meeting, tree, form)


@bp.route("/<int:meeting_id>/inputs/<int:input_id>", methods=["GET", "POST"])
@requires(can_run_meetings)
def edit_input(meeting_id: int, input_id: int):
    meeting = meeting_or_404(meeting_id)
    meeting_input = input_or_404(meeting, input_id)
    tree = tree_of(meeting.consultation)
    form = _capture_form(
        meeting,
        tree,
        formdata=request.form if request.method == "POST" else None,
        item=meeting_input.item_id,
        group=meeting_input.group_id,
        stance=meeting_input.stance.value if meeting_input.stance else "",
        text=meeting_input.text,
        proposed_wording=meeting_input.proposed_wording,
    )
    if form.validate_on_submit():
        try:
            services.edit(meeting_input, tree, **_captured(form))
        except services.MeetingError as error:
            form.form_errors.append(error_message(error))
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("live.capture", meeting_id=meeting.id))
    return render_template(
        "sessions/input_form.html",
        meeting=meeting,
        meeting_input=meeting_input,
        form=form,
        action=EmptyForm(),
    )


def _queue_step(meeting_id: int, input_id: int, step, done: str):
    meeting = meeting_or_404(meeting_id)
    meeting_input = input_or_404(meeting, input_id)
    if EmptyForm().validate_on_submit():
        try:
            step(meeting_input)
        except services.MeetingError as error:
            flash(error_message(error), "error")
        else:
            db.session.commit()
            flash(done, "success")
    return redirect(url_for("live.capture", meeting_id=meeting.id))


@bp.route("/<int:meeting_id>/inputs/<int:input_id>/delete", methods=["POST"])
@requires(can_run_meetings)
def delete_input(meeting_id: int, input_id: int):
    return _queue_step(meeting_id, input_id, services.delete, _("Deleted."))


@bp.route("/<int:meeting_id>/inputs/<int:input_id>/accept", methods=["POST"])
@requires(can_run_meetings)
def accept_input(meeting_id: int, input_id: int):
    return _queue_step(meeting_id, input_id, services.accept, _("Taken into the record."))


@bp.route("/<int:meeting_id>/inputs/<int:input_id>/discard", methods=["POST"])
@requires(can_run_meetings)
def discard_input(meeting_id: int, input_id: int):
    return _queue_step(meeting_id, input_id, services.discard, _("Discarded."))


@bp.route("/<int:meeting_id>/inputs/<int:input_id>/merge", methods=["POST"])
@requires(can_run_meetings)
def merge_input(meeting_id: int, input_id: int):
    meeting = meeting_or_404(meeting_id)
    meeting_input = input_or_404(meeting, input_id)
    form = MergeForm()
    form.into.choices = [(i.id, "") for i in services.inputs_of(meeting, InputState.ACCEPTED)]
    if form.validate_on_submit():
        try:
            services.merge(meeting_input, input_or_404(meeting, form.into.data))
        except services.MeetingError as error:
            flash(error_message(error), "error")
        else:
            db.session.commit()
            flash(_("Merged."), "success")
    else:
        flash(_("Choose the input to add it to."), "error")
    return redirect(url_for("live.capture", meeting_id=meeting.id))


# --- projector and QR code -----------------------------------------------------------------------


@bp.route("/<int:meeting_id>/projector")
@requires(can_run_meetings)
def projector(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    tree = tree_of(meeting.consultation)
    node = tree.node(meeting.current_item_id)
    on_now = {n.item.id for n in services.speakable(meeting, tree, meeting.current_item_id)}
    return render_template(
        "sessions/projector.html",
        meeting=meeting,
        node=node,
        # A room full of people reads it: no personal data, whoever said it.
        shown=meetings.on_projector(meeting, on_now),
        group_label=group_label,
        join_url=url_for("participate.speak", code=meeting.join_code, _external=True),
    )


@bp.route("/<int:meeting_id>/qr.svg")
@requires(can_run_meetings)
def qr_code(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    join_url = url_for("participate.speak", code=meeting.join_code, _external=True)
    out = io.BytesIO()
    segno.make(join_url, error="m").save(
        out, kind="svg", scale=8, border=2, xmldecl=False, svgns=True, title=join_url
    )
    return HTTPResponse(out.getvalue(), mimetype="image/svg+xml")
