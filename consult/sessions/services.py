"""Running a moderated session: set up, record live, take the participants' phones' input.

Services take the acting user and objects, flush, and never commit. A meeting moves
planned -> live -> confirming -> confirmed, and each step checks it is in the right state.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.db import utcnow
from consult.drafts.models import ItemKind
from consult.drafts.services import Tree
from consult.extensions import db
from consult.i18n import localized
from consult.responses.models import Stance
from consult.sessions.models import AgendaItem
from consult.sessions.models import InputState
from consult.sessions.models import Meeting
from consult.sessions.models import MeetingGroup
from consult.sessions.models import MeetingInput
from consult.sessions.models import MeetingState
from consult.sessions.models import Participant

#: Join codes avoid letters and digits people mix up when reading them off a screen (0/O, 1/I).
JOIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
JOIN_LENGTH = 6
TEXT_MAX = 10_000


class MeetingError(ValueError):
    """A step the meeting's state or the rules do not allow; ``code`` says which."""

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code, self.details = code, details


@dataclass
class GroupSpec:
    respondent_type_id: int
    organisation: str
    participant_count: int


@dataclass
class MeetingSpec:
    """What the setup form gives: everything about a meeting but its state."""

    title: str
    starts_at: datetime
    place: str
    online_url: str
    locale: str
    participant_count: int
    confirm_days: int
    facilitators: list
    agenda: list[int]
    groups: list[GroupSpec]
    emails: list[str]


def group_label(group: MeetingGroup) -> str:
    """A group as people name it: "Patient association: Hjerteforeningen"."""
    kind = localized(group.respondent_type, "name")[0]
    return f"{kind}: {group.organisation}" if group.organisation else kind


def new_join_code() -> str:
    """Return a join code no other meeting has."""
    while True:
        code = "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_LENGTH))
        if not db.session.scalar(select(exists().where(Meeting.join_code == code))):
            return code


def normalise_code(code: str) -> str:
    """Read a join code as typed: any case, with spaces and dashes ignored."""
    return "".join(c for c in code.upper() if c.isalnum())[:12]


def _apply(meeting: Meeting, spec: MeetingSpec, tree: Tree) -> None:
    allowed = {
        n.item.id
        for n in tree.by_key.values()
        if n.kind in (ItemKind.FOCUS_AREA, ItemKind.GOAL, ItemKind.INITIATIVE)
    }
    if not spec.agenda or not set(spec.agenda) <= allowed:
        raise MeetingError("bad_agenda")
    meeting.title = spec.title
    meeting.starts_at = spec.starts_at
    meeting.place = spec.place
    meeting.online_url = spec.online_url
    meeting.locale = spec.locale
    meeting.participant_count = spec.participant_count
    meeting.confirm_days = spec.confirm_days
    meeting.facilitators = list(spec.facilitators)
    # Items that stay keep their rows (a new row beside the old one would break the unique
    # item per meeting before the old one is deleted); only their place changes.
    had = {a.item_id: a for a in meeting.agenda}
    agenda = []
    for n, item_id in enumerate(spec.agenda):
        row = had.pop(item_id, None) or AgendaItem(item_id=item_id)
        row.position = n
        agenda.append(row)
    meeting.agenda = agenda
    # Groups already quoted in the record keep their rows; the rest follow the form.
    kept = {(g.respondent_type_id, g.organisation): g for g in meeting.groups}
    groups = []
    for n, g in enumerate(spec.groups):
        group = kept.pop((g.respondent_type_id, g.organisation), None) or MeetingGroup(
            respondent_type_id=g.respondent_type_id, organisation=g.organisation
        )
        group.participant_count, group.position = g.participant_count, n
        groups.append(group)
    for gone in kept.values():
        if gone.id is not None and db.session.scalar(
            select(exists().where(MeetingInput.group_id == gone.id))
        ):
            raise MeetingError("group_in_use")
    meeting.groups = groups
    have = {p.email: p for p in meeting.participants}
    meeting.participants = [have.get(e) or Participant(email=e) for e in dict.fromkeys(spec.emails)]


def create_meeting(actor, consultation, spec: MeetingSpec, tree: Tree) -> Meeting:
    """Plan a meeting on the consultation's current draft."""
    meeting = Meeting(
        consultation_id=consultation.id,
        join_code=new_join_code(),
        created_by_id=actor.id,
        state=MeetingState.PLANNED,
    )
    db.session.add(meeting)
    _apply(meeting, spec, tree)
    db.session.flush()
    return meeting


def update_meeting(meeting: Meeting, spec: MeetingSpec, tree: Tree) -> None:
    """Change a meeting's setup; not once its input has gone to the participants."""
    if meeting.state not in (MeetingState.PLANNED, MeetingState.LIVE):
        raise MeetingError("not_editable")
    _apply(meeting, spec, tree)
    db.session.flush()


# --- live ----------------------------------------------------------------------------------


def start(meeting: Meeting, now: datetime | None = None) -> None:
    if meeting.state is not MeetingState.PLANNED:
        raise MeetingError("not_planned")
    meeting.state = MeetingState.LIVE
    meeting.started_at = now or utcnow()
    meeting.current_item_id = meeting.agenda[0].item_id if meeting.agenda else None
    db.session.flush()


def require_live(meeting: Meeting) -> None:
    if meeting.state is not MeetingState.LIVE:
        raise MeetingError("not_live")


def set_current(meeting: Meeting, item_id: int) -> None:
    """Put an agenda item in front of everyone."""
    require_live(meeting)
    if item_id not in {a.item_id for a in meeting.agenda}:
        raise MeetingError("not_on_agenda")
    meeting.current_item_id = item_id
    db.session.flush()


def speakable(meeting: Meeting, tree: Tree, agenda_item_id: int | None) -> list:
    """The goals and initiatives input may be given on under an agenda item."""
    node = tree.node(agenda_item_id)
    if node is None:
        return []
    if node.kind.takes_input:
        return [node]
    return [c for c in node.children if c.kind.takes_input]


def _on_agenda(meeting: Meeting, tree: Tree, item_id: int):
    """Return the tree node of a goal or initiative on (or under) the agenda, or refuse."""
    for agenda in meeting.agenda:
        for node in speakable(meeting, tree, agenda.item_id):
            if node.item.id == item_id:
                return node
    raise MeetingError("not_on_agenda")


def check_text(text: str, wording: str) -> None:
    if len(text) > TEXT_MAX or len(wording) > TEXT_MAX:
        raise MeetingError("too_long")


def _group(meeting: Meeting, group_id: int | None) -> int | None:
    if group_id is not None and group_id not in {g.id for g in meeting.groups}:
        raise MeetingError("bad_group")
    return group_id


def record(
    meeting: Meeting,
    tree: Tree,
    *,
    item_id: int,
    group_id: int | None,
    stance: Stance | None,
    text: str,
    proposed_wording: str = "",
    from_participant: bool = False,
) -> MeetingInput:
    """Record what was said (or, from a phone, propose it to the facilitator)."""
    require_live(meeting)
    node = _on_agenda(meeting, tree, item_id)
    check_text(text, proposed_wording)
    if not text.strip() and stance is None:
        raise MeetingError("empty")
    meeting_input = MeetingInput(
        meeting_id=meeting.id,
        item_id=node.item.id,
        revision_id=node.revision.id,
        group_id=_group(meeting, group_id),
        stance=stance,
        text=text,
        proposed_wording=proposed_wording,
        from_participant=from_participant,
        state=InputState.PROPOSED if from_participant else InputState.ACCEPTED,
    )
    db.session.add(meeting_input)
    db.session.flush()
    return meeting_input


def edit(
    meeting_input: MeetingInput,
    tree: Tree,
    *,
    item_id: int,
    group_id: int | None,
    stance: Stance | None,
    text: str,
    proposed_wording: str,
) -> None:
    """Correct a recorded input while the meeting is live."""
    meeting = meeting_input.meeting
    require_live(meeting)
    node = _on_agenda(meeting, tree, item_id)
    check_text(text, proposed_wording)
    meeting_input.item_id, meeting_input.revision_id = node.item.id, node.revision.id
    meeting_input.group_id = _group(meeting, group_id)
    meeting_input.stance = stance
    meeting_input.text = text
    meeting_input.proposed_wording = proposed_wording
    db.session.flush()


def delete(meeting_input: MeetingInput) -> None:
    require_live(meeting_input.meeting)
    db.session.delete(meeting_input)
    db.session.flush()


def accept(meeting_input: MeetingInput) -> None:
    """Take a participant's input into the record as it is."""
    require_live(meeting_input.meeting)
    if meeting_input.state is not InputState.PROPOSED:
        raise MeetingError("not_proposed")
    meeting_input.state = InputState.ACCEPTED
    db.session.flush()


def discard(meeting_input: MeetingInput) -> None:
    require_live(meeting_input.meeting)
    if meeting_input.state is not InputState.PROPOSED:
        raise MeetingError("not_proposed")
    meeting_input.state = InputState.DISCARDED
    db.session.flush()


def merge(meeting_input: MeetingInput, into: MeetingInput) -> None:
    """Fold a participant's input into one already recorded: its text is added to it."""
    require_live(meeting_input.meeting)
    if (
        meeting_input.state is not InputState.PROPOSED
        or into.meeting_id != meeting_input.meeting_id
        or into.state is not InputState.ACCEPTED
    ):
        raise MeetingError("bad_merge")
    if meeting_input.text.strip():
        into.text = "\n\n".join(t for t in (into.text.strip(), meeting_input.text.strip()) if t)
    meeting_input.state = InputState.MERGED
    meeting_input.merged_into_id = into.id
    db.session.flush()


def inputs_of(meeting: Meeting, *states: InputState) -> list[MeetingInput]:
    """Return the meeting's inputs in given states, in the order they were recorded."""
    query = (
        select(MeetingInput)
        .options(selectinload(MeetingInput.feedback))
        .where(MeetingInput.meeting_id == meeting.id)
        .order_by(MeetingInput.id)
    )
    if states:
        query = query.where(MeetingInput.state.in_(states))
    return db.session.scalars(query).all()


def join(code: str) -> Meeting | None:
    """Return the live meeting a join code opens; codes work only while a meeting is live."""
    meeting = db.session.scalar(select(Meeting).where(Meeting.join_code == normalise_code(code)))
    if meeting is None or meeting.state is not MeetingState.LIVE:
        return None
    return meeting
