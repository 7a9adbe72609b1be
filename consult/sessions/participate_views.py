"""Participants without an account: input from a phone with the join code, and confirming
the record afterwards from the link in their e-mail."""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from consult.drafts import services as drafts
from consult.extensions import db
from consult.extensions import limiter
from consult.i18n import localized
from consult.permissions import public
from consult.readside import meetings
from consult.sessions import confirmation
from consult.sessions import services
from consult.sessions.forms import CodeForm
from consult.sessions.forms import PhoneForm
from consult.sessions.forms import feedback_form
from consult.sessions.forms import stance_of
from consult.sessions.models import Feedback
from consult.sessions.models import InputState
from consult.sessions.models import MeetingState
from consult.sessions.models import Verdict
from consult.sessions.services import group_label
from consult.sessions.views import error_message

bp = Blueprint("participate", __name__)


def _join_limit() -> str:
    return current_app.config["JOIN_RATE_LIMIT"]


@bp.route("/join", methods=["GET", "POST"])
@public
@limiter.limit(_join_limit, methods=["POST"])
def enter_code():
    form = CodeForm()
    if form.validate_on_submit():
        return redirect(url_for("participate.speak", code=services.normalise_code(form.code.data)))
    return render_template("sessions/join.html", form=form)


@bp.route("/join/<code>", methods=["GET", "POST"])
@public
@limiter.limit(_join_limit)
def speak(code: str):
    meeting = services.join(code)
    if meeting is None:
        # The same answer for a wrong code and an ended session: nothing to guess from.
        return render_template("sessions/join_closed.html"), 404
    tree = drafts.load_tree(drafts.current_version(meeting.consultation))
    form = PhoneForm()
    nodes = services.speakable(meeting, tree, meeting.current_item_id)
    if request.method == "POST":
        # Input written while the facilitator moved on still goes to what it was written for.
        nodes = [n for a in meeting.agenda for n in services.speakable(meeting, tree, a.item_id)]
        nodes = list({n.item.id: n for n in nodes}.values())
    form.item.choices = [(n.item.id, localized(n.revision, "title")[0]) for n in nodes]
    form.group.choices = [("", _("Myself / no one in particular"))] + [
        (g.id, group_label(g)) for g in meeting.groups
    ]
    if form.validate_on_submit():
        try:
            services.record(
                meeting,
                tree,
                item_id=form.item.data,
                group_id=form.group.data,
                stance=stance_of(form.stance.data),
                text=form.text.data,
                from_participant=True,
            )
        except services.MeetingError as error:
            form.form_errors.append(error_message(error))
        else:
            db.session.commit()
            flash(_("Sent. The facilitator will take it up."), "success")
            return redirect(url_for("participate.speak", code=meeting.join_code))
    return render_template(
        "sessions/speak.html",
        meeting=meeting,
        node=tree.node(meeting.current_item_id),
        form=form,
    )


@bp.route("/join/<code>/now")
@public
@limiter.limit("120 per minute")
def now_on(code: str):
    """What the facilitator has on the screen: the participant's page follows it (follow.js).

    Its own limit: a room of phones behind one address asks every few seconds.
    """
    meeting = services.join(code)
    if meeting is None:
        return jsonify({"open": False}), 404
    tree = drafts.load_tree(drafts.current_version(meeting.consultation))
    node = tree.node(meeting.current_item_id)
    response = jsonify(
        {
            "open": True,
            "item": meeting.current_item_id,
            "title": localized(node.revision, "title")[0] if node else "",
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/sessions/record/<token>", methods=["GET", "POST"])
@public
def review_record(token: str):
    participant = confirmation.read_participant_token(token)
    if participant is None:
        return render_template("accounts/link_invalid.html"), 400
    meeting = participant.meeting
    if meeting.state not in (MeetingState.CONFIRMING, MeetingState.CONFIRMED):
        return render_template("accounts/link_invalid.html"), 400
    inputs = services.inputs_of(meeting, InputState.ACCEPTED)
    given = {
        f.meeting_input_id: f
        for f in db.session.scalars(
            db.select(Feedback).where(Feedback.participant_id == participant.id)
        )
    }
    form = feedback_form(inputs, given)
    is_open = confirmation.window_open(meeting)
    if request.method == "POST":
        if not is_open:
            # After the window, or once confirmed, the link only shows what was decided.
            flash(error_message(services.MeetingError("window_closed")), "error")
            return redirect(url_for("participate.review_record", token=token)), 303
        if form.validate_on_submit() and _save_feedback(form, participant, inputs):
            db.session.commit()
            flash(
                _("Thank you. Your answers are saved; you can change them until the deadline."),
                "success",
            )
            return redirect(url_for("participate.review_record", token=token))
    return render_template(
        "sessions/record_review.html",
        meeting=meeting,
        # Everyone at the meeting gets this page: the record with personal data masked.
        inputs=meetings.for_participants(meeting, inputs),
        form=form,
        is_open=is_open,
        given=given,
        group_label=group_label,
        tree=drafts.load_tree(drafts.current_version(meeting.consultation)),
    )


def _save_feedback(form, participant, inputs) -> bool:
    ok = True
    for meeting_input in inputs:
        verdict_field = form[f"verdict_{meeting_input.id}"]
        comment_field = form[f"comment_{meeting_input.id}"]
        if not verdict_field.data:
            continue
        try:
            confirmation.give_feedback(
                participant,
                meeting_input,
                Verdict(verdict_field.data),
                comment_field.data or "",
            )
        except services.MeetingError as error:
            message = (
                _("Say what you would change.")
                if error.code == "comment_required"
                else error_message(error)
            )
            comment_field.errors.append(message)
            ok = False
    return ok
