"""After a session: the participants confirm the record, objections are resolved, and the
confirmed input enters the consultation as input with channel "session"."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature
from itsdangerous import URLSafeSerializer
from sqlalchemy import func
from sqlalchemy import select

from consult.audit import services as audit
from consult.db import utcnow
from consult.extensions import db
from consult.moderation.services import sync_response
from consult.responses.models import Channel
from consult.responses.models import Consent
from consult.responses.models import Input
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import ResponseState
from consult.responses.models import Stance
from consult.sessions.models import Feedback
from consult.sessions.models import InputState
from consult.sessions.models import Meeting
from consult.sessions.models import MeetingGroup
from consult.sessions.models import MeetingInput
from consult.sessions.models import MeetingState
from consult.sessions.models import Participant
from consult.sessions.models import Verdict
from consult.sessions.services import TEXT_MAX
from consult.sessions.services import MeetingError
from consult.sessions.services import check_text
from consult.sessions.services import inputs_of
from consult.sessions.services import require_live

SALT = "consult.meeting-confirm"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def participant_token(participant: Participant) -> str:
    return _serializer().dumps({"p": participant.id, "m": participant.meeting_id})


def read_participant_token(token: str) -> Participant | None:
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    participant = db.session.get(Participant, data.get("p"))
    if participant is None or participant.meeting_id != data.get("m"):
        return None
    return participant


def end(meeting: Meeting, now: datetime | None = None) -> list[Participant]:
    """End the meeting: the code stops working and the window for objections opens.

    Return the participants to send the record to (the view sends, in the meeting's language).
    """
    require_live(meeting)
    now = now or utcnow()
    # Participants' input nobody took is not part of the record.
    for waiting in inputs_of(meeting, InputState.PROPOSED):
        waiting.state = InputState.DISCARDED
    meeting.state = MeetingState.CONFIRMING
    meeting.ended_at = now
    meeting.confirm_by = now + timedelta(days=meeting.confirm_days)
    meeting.current_item_id = None
    for participant in meeting.participants:
        participant.invited_at = now
    db.session.flush()
    return list(meeting.participants)


def window_open(meeting: Meeting, now: datetime | None = None) -> bool:
    return (
        meeting.state is MeetingState.CONFIRMING
        and meeting.confirm_by is not None
        and (now or utcnow()) < meeting.confirm_by
    )


def give_feedback(
    participant: Participant,
    meeting_input: MeetingInput,
    verdict: Verdict,
    comment: str = "",
    now: datetime | None = None,
) -> Feedback:
    """A participant agrees with, comments on or objects to one input; again changes it."""
    meeting = participant.meeting
    if meeting_input.meeting_id != meeting.id or meeting_input.state is not InputState.ACCEPTED:
        raise MeetingError("bad_input")
    if not window_open(meeting, now):
        raise MeetingError("window_closed")
    if len(comment) > TEXT_MAX:
        raise MeetingError("too_long")
    if verdict is not Verdict.AGREE and not comment.strip():
        raise MeetingError("comment_required")
    feedback = db.session.scalar(
        select(Feedback).where(
            Feedback.participant_id == participant.id,
            Feedback.meeting_input_id == meeting_input.id,
        )
    ) or Feedback(participant_id=participant.id, meeting_input_id=meeting_input.id)
    feedback.verdict, feedback.comment = verdict, comment
    db.session.add(feedback)
    if verdict is Verdict.OBJECT:
        meeting_input.resolved_at = None  # a new objection opens it again
    db.session.flush()
    return feedback


def unresolved(meeting: Meeting) -> list[MeetingInput]:
    """Accepted inputs someone objected to that the facilitator has not resolved."""
    return [
        i
        for i in inputs_of(meeting, InputState.ACCEPTED)
        if i.resolved_at is None and any(f.verdict is Verdict.OBJECT for f in i.feedback)
    ]


def resolve(
    meeting_input: MeetingInput,
    *,
    resolution: str,
    text: str,
    stance: Stance | None,
    now: datetime | None = None,
) -> None:
    """Settle the objections to an input: say how, and correct its text if need be."""
    if meeting_input.meeting.state is not MeetingState.CONFIRMING:
        raise MeetingError("not_confirming")
    if not resolution.strip():
        raise MeetingError("resolution_required")
    check_text(text, resolution)
    meeting_input.resolution = resolution
    meeting_input.text = text
    meeting_input.stance = stance
    meeting_input.resolved_at = now or utcnow()
    db.session.flush()


def everyone_answered(meeting: Meeting) -> bool:
    """Every invited participant has a verdict on every recorded input."""
    inputs = inputs_of(meeting, InputState.ACCEPTED)
    wanted = len(inputs) * len(meeting.participants)
    given = db.session.scalar(
        select(func.count())
        .select_from(Feedback)
        .join(MeetingInput)
        .where(MeetingInput.meeting_id == meeting.id, MeetingInput.state == InputState.ACCEPTED)
    )
    return given >= wanted


def _respondent_for(meeting: Meeting, group: MeetingGroup | None) -> Respondent:
    """The respondent a group speaks as: its type and organisation; none for the whole group."""
    respondent = Respondent(
        email=None,
        name="",
        organisation=group.organisation if group else "",
        respondent_type_id=group.respondent_type_id if group else None,
        locale=meeting.locale,
        email_confirmed_at=None,
    )
    db.session.add(respondent)
    return respondent


def confirm(meeting: Meeting, actor, now: datetime | None = None) -> list[Response]:
    """Hand the confirmed record to the consultation: one response per group that spoke.

    Each input becomes an Input with channel "session", attributed to the meeting and its
    group, and goes to moderation like any other. Allowed once the window has closed (or
    everyone has answered) and every objection is resolved.
    """
    now = now or utcnow()
    if meeting.state is not MeetingState.CONFIRMING:
        raise MeetingError("not_confirming")
    if window_open(meeting, now) and not everyone_answered(meeting):
        raise MeetingError("window_open", when=meeting.confirm_by)
    if unresolved(meeting):
        raise MeetingError("objections_open")
    responses: dict[int | None, Response] = {}
    positions: dict[tuple[int, int], int] = {}
    recorded = inputs_of(meeting, InputState.ACCEPTED)
    for meeting_input in recorded:
        key = meeting_input.group_id
        if key not in responses:
            group = meeting_input.group
            is_org = group is not None and group.respondent_type.is_organisation
            response = Response(
                consultation_id=meeting.consultation_id,
                respondent=_respondent_for(meeting, group),
                channel=Channel.SESSION,
                state=ResponseState.SUBMITTED,
                consent=Consent.NAMED if is_org else Consent.ANONYMOUS,
                submitted_at=now,
                meeting_id=meeting.id,
            )
            db.session.add(response)
            db.session.flush()
            responses[key] = response
        response = responses[key]
        slot = (response.id, meeting_input.item_id)
        positions[slot] = positions.get(slot, -1) + 1
        made = Input(
            response_id=response.id,
            item_id=meeting_input.item_id,
            revision_id=meeting_input.revision_id,
            stance=meeting_input.stance,
            text=meeting_input.text,
            proposed_wording=meeting_input.proposed_wording,
            position=positions[slot],
        )
        db.session.add(made)
        db.session.flush()
        meeting_input.input_id = made.id
    meeting.state = MeetingState.CONFIRMED
    meeting.confirmed_at = now
    for response in responses.values():
        sync_response(response, now)
    audit.record(
        actor,
        "sessions.confirm",
        "meeting",
        meeting.id,
        consultation_id=meeting.consultation_id,
        inputs=len(recorded),
    )
    db.session.flush()
    return list(responses.values())
