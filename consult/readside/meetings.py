"""A moderated session's record as each audience reads it.

The facilitator types what people say, and people say names, diagnoses and phone numbers.
So the record is shown:

- to the meeting's participants (their confirmation page, the printed minutes) and on the
  projector, with every piece of personal data the guard finds masked (``masking.MASK``);
  a participant's own answers are shown to them as they wrote them;
- to staff (the meeting page, the live capture page) in full, but with CPR numbers masked.

Only the facilitator's edit forms hold the original, because they write it back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime

from consult.readside.masking import mask_cpr
from consult.readside.masking import mask_personal
from consult.responses.models import Stance
from consult.sessions import services
from consult.sessions.models import InputState
from consult.sessions.models import Meeting
from consult.sessions.models import MeetingGroup
from consult.sessions.models import MeetingInput
from consult.sessions.models import Verdict


@dataclass
class Answer:
    """A participant's verdict on a recorded input, as others may read it."""

    verdict: Verdict
    comment: str


@dataclass
class Entry:
    """One recorded input, its texts masked for the audience."""

    id: int
    item_id: int
    group: MeetingGroup | None
    stance: Stance | None
    text: str
    proposed_wording: str
    state: InputState
    from_participant: bool
    resolution: str
    resolved_at: datetime | None
    feedback: list[Answer] = field(default_factory=list)

    @property
    def is_objected(self) -> bool:
        """Someone commented on it or objected to it (the minutes list these)."""
        return any(a.verdict is not Verdict.AGREE for a in self.feedback)

    @property
    def has_open_objection(self) -> bool:
        """Someone objected, and the facilitator has not resolved it yet."""
        return self.resolved_at is None and any(a.verdict is Verdict.OBJECT for a in self.feedback)


def _entry(meeting_input: MeetingInput, mask: Callable[[str], str]) -> Entry:
    return Entry(
        id=meeting_input.id,
        item_id=meeting_input.item_id,
        group=meeting_input.group,
        stance=meeting_input.stance,
        text=mask(meeting_input.text),
        proposed_wording=mask(meeting_input.proposed_wording),
        state=meeting_input.state,
        from_participant=meeting_input.from_participant,
        resolution=mask(meeting_input.resolution),
        resolved_at=meeting_input.resolved_at,
        feedback=[Answer(f.verdict, mask(f.comment)) for f in meeting_input.feedback],
    )


def for_participants(meeting: Meeting, recorded: list[MeetingInput] | None = None) -> list[Entry]:
    """The record the participants confirm (and the minutes show): personal data masked.

    Participants join without an account and speak through the facilitator or an anonymous
    phone, so no recorded input is known to be one participant's own: all of it is masked.
    Their own answers are theirs to read (``Feedback`` rows, not these entries).

    :param recorded: the meeting's accepted inputs, when the caller has loaded them already.
    """
    if recorded is None:
        recorded = services.inputs_of(meeting, InputState.ACCEPTED)
    return [_entry(i, mask_personal) for i in recorded]


def on_projector(meeting: Meeting, item_ids: set[int]) -> list[Entry]:
    """What the projector shows: the record on the items being discussed, personal data masked."""
    return [
        _entry(i, mask_personal)
        for i in services.inputs_of(meeting, InputState.ACCEPTED)
        if i.item_id in item_ids
    ]


@dataclass
class Minutes:
    """The printed minutes: the record per goal, and what was commented on or objected to."""

    by_item: dict[int, list[Entry]]
    objected: list[Entry]


def minutes(meeting: Meeting) -> Minutes:
    """Return the minutes of a meeting, for its participants: personal data masked."""
    entries = for_participants(meeting)
    by_item: dict[int, list[Entry]] = {}
    for entry in entries:
        by_item.setdefault(entry.item_id, []).append(entry)
    return Minutes(by_item, [e for e in entries if e.is_objected])


def for_staff(meeting: Meeting, *states: InputState) -> list[Entry]:
    """The record as the facilitator and the secretariat read it: CPR numbers masked."""
    return [_entry(i, mask_cpr) for i in services.inputs_of(meeting, *states)]
