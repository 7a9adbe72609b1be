"""The facilitators' pages under /sessions: setup, live capture, projector, objections, minutes."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.accounts.models import Role
from consult.accounts.models import User
from consult.drafts import services as drafts
from consult.drafts.models import Consultation
from consult.drafts.models import Status
from consult.drafts.services import Tree
from consult.extensions import db
from consult.forms import to_local
from consult.forms import to_utc
from consult.i18n import format_deadline
from consult.i18n import localized
from consult.mail.services import queue_template
from consult.permissions import can_facilitate
from consult.permissions import can_run_meetings
from consult.permissions import ensure
from consult.permissions import requires
from consult.readside import meetings
from consult.reference.models import RespondentType
from consult.reference.services import entries
from consult.sessions import confirmation
from consult.sessions import services
from consult.sessions.forms import EmptyForm
from consult.sessions.forms import MeetingForm
from consult.sessions.forms import ResolveForm
from consult.sessions.forms import agenda_fields
from consult.sessions.forms import stance_of
from consult.sessions.models import InputState
from consult.sessions.models import Meeting
from consult.sessions.models import MeetingInput
from consult.sessions.models import MeetingState
from consult.sessions.services import group_label

bp = Blueprint("sessions", __name__, url_prefix="/sessions")


@bp.app_context_processor
def _labels():
    """Labels every session template uses (the live and participants' pages too)."""
    return {
        "meeting_states": MeetingState,
        "input_states": InputState,
        "group_label": group_label,
    }


def error_message(error: services.MeetingError) -> str:
    return {
        "bad_agenda": _("Put at least one focus area, goal or initiative on the agenda."),
        "group_in_use": _("A group that has input recorded cannot be taken off."),
        "not_editable": _("The input has gone to the participants: the setup is final."),
        "not_planned": _("The session has already started."),
        "not_live": _("The session is not live."),
        "not_on_agenda": _("That is not on this session's agenda."),
        "too_long": _("The text is too long."),
        "empty": _("Write what was said, or choose a position."),
        "bad_group": _("Choose one of the groups represented."),
        "not_proposed": _("That input has already been dealt with."),
        "bad_merge": _("Choose an input recorded in this session."),
        "not_confirming": _("The session is not waiting for confirmation."),
        "resolution_required": _("Say how it was resolved."),
        "window_open": _(
            "The participants still have until %(when)s to answer.",
            when=format_deadline(error.details["when"]) if "when" in error.details else "",
        ),
        "objections_open": _("Resolve every objection first."),
        "window_closed": _("The time to answer has run out; the record can no longer be changed."),
        "bad_input": _("That input is not part of the record."),
        "comment_required": _("Say what you would change."),
    }.get(error.code, _("That could not be done."))


def meeting_or_404(meeting_id: int) -> Meeting:
    """Load a meeting the signed-in person facilitates (403 for one they do not)."""
    meeting = db.session.scalar(
        select(Meeting)
        .options(
            selectinload(Meeting.agenda),
            selectinload(Meeting.groups),
            selectinload(Meeting.facilitators),
            selectinload(Meeting.participants),
        )
        .where(Meeting.id == meeting_id)
    )
    if meeting is None:
        abort(404)
    ensure(can_facilitate(current_user, meeting))
    return meeting


def tree_of(consultation: Consultation) -> Tree:
    version = drafts.current_version(consultation)
    if version is None:
        abort(404)
    return drafts.load_tree(version)


def input_or_404(meeting: Meeting, input_id: int) -> MeetingInput:
    meeting_input = db.session.get(MeetingInput, input_id)
    if meeting_input is None or meeting_input.meeting_id != meeting.id:
        abort(404)
    return meeting_input


# --- the list and setup -------------------------------------------------------------------------


@bp.route("/")
@requires(can_run_meetings)
def list_meetings():
    query = (
        select(Meeting)
        .options(selectinload(Meeting.facilitators), selectinload(Meeting.consultation))
        .order_by(Meeting.starts_at.desc())
    )
    if current_user.role is Role.FACILITATOR:
        query = query.where(Meeting.facilitators.any(User.id == current_user.id))
    consultations = db.session.scalars(
        select(Consultation)
        .where(Consultation.status.in_((Status.OPEN, Status.DRAFT)))
        .order_by(Consultation.closes_at.desc())
    ).all()
    return render_template(
        "sessions/meeting_list.html",
        meetings=db.session.scalars(query).all(),
        consultations=consultations,
    )


def _setup_form(tree: Tree, meeting: Meeting | None) -> MeetingForm:
    """The setup form with a rank select per agenda candidate, filled from ``meeting``."""
    candidates = [
        n for fa in tree.focus_areas for n in [fa, *(c for c in fa.children if c.kind.takes_input)]
    ]

    class Setup(MeetingForm):
        pass

    for node in candidates:
        take, order = agenda_fields(localized(node.revision, "title")[0])
        setattr(Setup, f"agenda_{node.item.id}", take)
        setattr(Setup, f"order_{node.item.id}", order)
    data = None
    if meeting is not None and request.method != "POST":
        order = {a.item_id: a.position + 1 for a in meeting.agenda}
        data = {
            "title": meeting.title,
            "starts_at": to_local(meeting.starts_at),
            "place": meeting.place,
            "online_url": meeting.online_url,
            "locale": meeting.locale,
            "participant_count": meeting.participant_count,
            "confirm_days": meeting.confirm_days,
            "facilitators": [u.id for u in meeting.facilitators],
            "groups": [
                {
                    "respondent_type": g.respondent_type_id,
                    "organisation": g.organisation,
                    "participant_count": g.participant_count,
                }
                for g in meeting.groups
            ],
            "emails": "\n".join(p.email for p in meeting.participants),
            **{f"agenda_{i}": True for i in order},
            **{f"order_{i}": n for i, n in order.items()},
        }
    form = Setup(data=data)
    while len(form.groups) < 6 or (len(form.groups) < 40 and form.groups[-1].respondent_type.data):
        form.groups.append_entry()
    form.facilitators.choices = [
        (u.id, u.name or u.email)
        for u in db.session.scalars(
            select(User)
            .where(User.role.in_((Role.FACILITATOR, Role.SECRETARIAT)), ~User.is_disabled)
            .order_by(User.email)
        )
    ]
    types = [("", _("Choose…"))] + [
        (t.id, localized(t, "name")[0]) for t in entries(RespondentType, active_only=True)
    ]
    for group in form.groups:
        group.respondent_type.choices = types
    form.candidates = candidates
    return form


def _spec(form: MeetingForm) -> services.MeetingSpec | None:
    """Read the setup form; put messages beside fields and return None when it does not add up."""
    chosen = []
    for index, node in enumerate(form.candidates):
        if form[f"agenda_{node.item.id}"].data:
            # A number given puts it there; the rest follow in the draft's reading order.
            place = form[f"order_{node.item.id}"].data
            chosen.append(((place if place else 1000), index, node.item.id))
    if not chosen:
        form.form_errors.append(_("Put at least one focus area, goal or initiative on the agenda."))
    groups = []
    valid_types = {value for value, _label in form.groups[0].respondent_type.choices if value}
    for entry in form.groups:
        type_id = entry.respondent_type.data
        if type_id is None:
            if entry.organisation.data:
                entry.respondent_type.errors.append(_("Choose the group's type."))
            continue
        if type_id not in valid_types:
            entry.respondent_type.errors.append(_("Not a valid choice."))
            continue
        groups.append(
            services.GroupSpec(
                type_id, entry.organisation.data or "", entry.participant_count.data or 1
            )
        )
    if form.errors or form.form_errors:
        return None
    users = db.session.scalars(select(User).where(User.id.in_(form.facilitators.data))).all()
    return services.MeetingSpec(
        title=form.title.data,
        starts_at=to_utc(form.starts_at.data),
        place=form.place.data or "",
        online_url=form.online_url.data or "",
        locale=form.locale.data if form.locale.data in ("da", "en") else "da",
        participant_count=form.participant_count.data or 0,
        confirm_days=form.confirm_days.data,
        facilitators=users,
        agenda=[item_id for _place, _index, item_id in sorted(chosen)],
        groups=groups,
        emails=form.addresses,
    )


@bp.route("/new/<slug>", methods=["GET", "POST"])
@requires(can_run_meetings)
def new_meeting(slug: str):
    consultation = drafts.get_consultation(slug)
    if consultation is None:
        abort(404)
    tree = tree_of(consultation)
    form = _setup_form(tree, None)
    if request.method == "GET":
        form.facilitators.data = [current_user.id]
    valid = form.validate_on_submit()  # every message at once: the fields, then the agenda
    if form.is_submitted() and (spec := _spec(form)) is not None and valid:
        try:
            meeting = services.create_meeting(current_user, consultation, spec, tree)
        except services.MeetingError as error:
            form.form_errors.append(error_message(error))
        else:
            db.session.commit()
            flash(_("The session is planned."), "success")
            if not can_facilitate(current_user, meeting):
                return redirect(url_for("sessions.list_meetings"))
            return redirect(url_for("sessions.show_meeting", meeting_id=meeting.id))
    return render_template(
        "sessions/meeting_form.html", form=form, consultation=consultation, meeting=None
    )


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@requires(can_run_meetings)
def edit_meeting(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    tree = tree_of(meeting.consultation)
    form = _setup_form(tree, meeting)
    valid = form.validate_on_submit()
    if form.is_submitted() and (spec := _spec(form)) is not None and valid:
        try:
            services.update_meeting(meeting, spec, tree)
        except services.MeetingError as error:
            form.form_errors.append(error_message(error))
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            if not can_facilitate(current_user, meeting):
                return redirect(url_for("sessions.list_meetings"))
            return redirect(url_for("sessions.show_meeting", meeting_id=meeting.id))
    return render_template(
        "sessions/meeting_form.html",
        form=form,
        consultation=meeting.consultation,
        meeting=meeting,
    )


@bp.route("/<int:meeting_id>/")
@requires(can_run_meetings)
def show_meeting(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    tree = tree_of(meeting.consultation)
    recorded = meetings.for_staff(meeting, InputState.ACCEPTED)
    return render_template(
        "sessions/meeting_show.html",
        meeting=meeting,
        tree=tree,
        node_of=lambda item_id: tree.node(item_id),
        recorded=recorded,
        open_objections=[entry for entry in recorded if entry.has_open_objection],
        action=EmptyForm(),
        join_url=url_for("participate.speak", code=meeting.join_code, _external=True),
    )


def _step(meeting_id: int, step, done: str):
    meeting = meeting_or_404(meeting_id)
    if EmptyForm().validate_on_submit():
        try:
            result = step(meeting)
        except services.MeetingError as error:
            flash(error_message(error), "error")
        else:
            db.session.commit()
            flash(done, "success")
            return result or redirect(url_for("sessions.show_meeting", meeting_id=meeting.id))
    return redirect(url_for("sessions.show_meeting", meeting_id=meeting.id))


@bp.route("/<int:meeting_id>/start", methods=["POST"])
@requires(can_run_meetings)
def start_meeting(meeting_id: int):
    def start(meeting):
        services.start(meeting)
        return redirect(url_for("live.capture", meeting_id=meeting.id))

    return _step(meeting_id, start, _("The session is live. The join code works now."))


def _send_record(meeting: Meeting, participants) -> None:
    with force_locale(meeting.locale):
        for participant in participants:
            queue_template(
                participant.email,
                _("Did we hear you right? %(title)s", title=meeting.title),
                "meeting_confirm",
                meeting=meeting,
                link=url_for(
                    "participate.review_record",
                    token=confirmation.participant_token(participant),
                    _external=True,
                ),
            )


@bp.route("/<int:meeting_id>/end", methods=["POST"])
@requires(can_run_meetings)
def end_meeting(meeting_id: int):
    def end(meeting):
        _send_record(meeting, confirmation.end(meeting))

    return _step(
        meeting_id, end, _("The session has ended. The participants are asked to confirm.")
    )


@bp.route("/<int:meeting_id>/confirm", methods=["POST"])
@requires(can_run_meetings)
def confirm_meeting(meeting_id: int):
    def confirm(meeting):
        confirmation.confirm(meeting, current_user)

    return _step(
        meeting_id,
        confirm,
        _("Confirmed. The session's input is in the consultation and waits for moderation."),
    )


# --- after the session: objections, minutes ----------------------------------------------


@bp.route("/<int:meeting_id>/inputs/<int:input_id>/resolve", methods=["GET", "POST"])
@requires(can_run_meetings)
def resolve_input(meeting_id: int, input_id: int):
    meeting = meeting_or_404(meeting_id)
    meeting_input = input_or_404(meeting, input_id)
    form = ResolveForm(
        data=None
        if request.method == "POST"
        else {
            "text": meeting_input.text,
            "stance": meeting_input.stance.value if meeting_input.stance else "",
            "resolution": meeting_input.resolution,
        }
    )
    if form.validate_on_submit():
        try:
            confirmation.resolve(
                meeting_input,
                resolution=form.resolution.data,
                text=form.text.data or "",
                stance=stance_of(form.stance.data),
            )
        except services.MeetingError as error:
            form.form_errors.append(error_message(error))
        else:
            db.session.commit()
            flash(_("Resolved."), "success")
            return redirect(url_for("sessions.show_meeting", meeting_id=meeting.id))
    return render_template(
        "sessions/resolve_form.html",
        meeting=meeting,
        meeting_input=meeting_input,
        form=form,
        group_label=group_label,
    )


@bp.route("/<int:meeting_id>/minutes")
@requires(can_run_meetings)
def minutes(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    tree = tree_of(meeting.consultation)
    # The minutes are printed and handed to the participants: their record, as they read it.
    record = meetings.minutes(meeting)
    # Each input once: a goal on the agenda by itself is listed there, not again under its
    # focus area when the area is on the agenda too.
    own = {a.item_id for a in meeting.agenda}

    def speakable(item_id: int):
        return [
            goal
            for goal in services.speakable(meeting, tree, item_id)
            if goal.item.id == item_id or goal.item.id not in own
        ]

    return render_template(
        "sessions/minutes.html",
        meeting=meeting,
        tree=tree,
        node_of=lambda item_id: tree.node(item_id),
        by_item=record.by_item,
        speakable=speakable,
        group_label=group_label,
        objected=record.objected,
    )
